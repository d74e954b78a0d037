"""PostgreSQL stopped for real under a running `rounds`: one process serving the fake Slack (HTTP
mode) and the fake Discord on its own throwaway cluster (`benchmarks/postgres.py`). Deliveries
fall due across the outage (300 Discord channel posts and 100 Slack DMs) and members keep
sending `/rounds profile set …`, a signed Slack command and a Discord slash command in turn,
one every 0.25 s; after a few seconds of normal service PostgreSQL is stopped with
`pg_ctl stop -m fast` for BENCH_OUTAGE seconds (30), then started again.

Printed: the commands sent while PostgreSQL was down and how many were answered with the
"try again" message (`bot.engine.UNAVAILABLE`; target: all), anything else they were told;
the slowest first answer (Slack's HTTP response, Discord's interaction callback) during the
outage and over the whole run (target ≤ 3 s, both platforms' deadline); whether the process
kept running and stopped cleanly on SIGTERM, and the errors and tracebacks in its log (target
0: an outage is logged as warnings); deliveries lost and duplicated per platform (targets 0)
and the outbox's final statuses; and, from PostgreSQL accepting connections again, the time to
the first command answered normally and to every delivery recorded as sent. Exits 1 when a
target is missed.

Run: `python -m benchmarks.outage` (as root, or as a user who can run `initdb`;
BENCH_OUTAGE to change the outage's length in seconds; BENCH_LOG=file keeps the process's log).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import aiohttp

from benchmarks.postgres import Cluster, Unavailable
from bot.domain import SpaceKey
from bot.engine import UNAVAILABLE
from bot.messages import ChannelPost, DirectMessage
from tests.discord.fake_discord import APP_ID, GENERAL, GUILD, FakeDiscord, slash
from tests.faults import (
    ROOT,
    discord_posts,
    discord_settings,
    duplicated,
    lost,
    plan,
    slack_posts,
    slack_settings,
    statuses,
)
from tests.process import Rounds, clean_environment, migrate
from tests.slack.conftest import FORM, command_body
from tests.slack.fake_slack import TEAM, WAIT_SECONDS, FakeSlack, signed_headers

OUTAGE = float(os.environ.get("BENCH_OUTAGE", "30"))
HEAD = 20.0
"""Seconds from planning the deliveries to stopping PostgreSQL (the process starts, then
serves normally)."""
DATABASE = "rounds_outage"
EVERY = 0.25
"""A command every this many seconds, Slack and Discord in turn."""
MEMBERS = 10
DISCORD_DELIVERIES = 300
SLACK_DELIVERIES = 100
DEADLINE = 3.0
"""Seconds Slack and Discord wait for the first answer to a command."""
LATE = 60.0
"""Seconds a deferred answer may take before it counts as never given."""
DRAIN = 180.0
"""Seconds after PostgreSQL is back within which every delivery must be sent."""
STRING = 3
COMMAND = 'profile set specialty="emergency medicine"'


@dataclass
class Asked:
    platform: str
    sent: float
    """When it was sent (time.monotonic)."""
    first: float | None = None
    """Seconds to the first answer."""
    text: str = ""
    """What the member was told in the end (the first answer, or the one that followed)."""

    @property
    def answered(self) -> float:
        return self.sent + (self.first if self.first is not None else float("inf"))

    @property
    def normal(self) -> bool:
        return self.text.startswith("✓")


async def ask_on_slack(http: aiohttp.ClientSession, url: str, fake: FakeSlack, n: int) -> Asked:
    asked = Asked("Slack", time.monotonic())
    name = f"outage-{n}"
    body = command_body(fake, COMMAND, user=slack_member(n), reply_to=name)
    try:
        async with http.post(
            f"{url}/slack/events", data=body, headers=signed_headers(body, FORM)
        ) as response:
            raw = await response.text()
            asked.first = time.monotonic() - asked.sent
    except (aiohttp.ClientError, TimeoutError) as error:
        asked.text = f"no answer ({type(error).__name__})"
        return asked
    if raw:  # the reply came in the HTTP response
        asked.text = str(json.loads(raw).get("text", "")) if raw.startswith("{") else raw
        return asked
    for _ in range(int(LATE / WAIT_SECONDS)):  # acknowledged: the reply follows
        try:
            [later] = await fake.wait_for(f"respond/{name}")
        except TimeoutError:
            continue
        asked.text = str(later.get("text", ""))
        return asked
    asked.text = "acknowledged, never answered"
    return asked


async def ask_on_discord(fake: FakeDiscord, n: int) -> Asked:
    options = {"specialty": (STRING, "emergency medicine")}
    interaction = slash("rounds", "profile", "set", options=options, user_id=discord_member(n))
    mark = len(fake.calls)
    asked = Asked("Discord", time.monotonic())
    sent_at = await fake.dispatch("INTERACTION_CREATE", interaction)
    try:
        call = await fake.callback_for(interaction, after=mark, wait=LATE)
    except TimeoutError:
        asked.text = "no answer"
        return asked
    asked.first = call.at - sent_at
    if call.body["type"] != 5:
        asked.text = str(call.body["data"].get("content") or "")
        return asked
    follow_up = f"/webhooks/{APP_ID}/{interaction['token']}"  # deferred: the answer follows
    try:
        later = await fake.wait_for(
            lambda c: c.method == "POST" and c.path.startswith(follow_up), after=mark, wait=LATE
        )
    except TimeoutError:
        asked.text = "deferred, never answered"
        return asked
    asked.text = str(later.body.get("content") or "")
    return asked


def slack_member(n: int) -> str:
    """Who sends command `n` on Slack (commands alternate between the platforms)."""
    return f"U{n // 2 % MEMBERS:06d}"


def discord_member(n: int) -> str:
    return str(4_100_000_000_000_000_000 + n // 2 % MEMBERS)


def in_general(_: int) -> ChannelPost:
    return ChannelPost(GENERAL)


def someone(index: int) -> DirectMessage:
    return DirectMessage(f"U9{index:05d}")


async def ready(url: str) -> None:
    """Wait until `GET /healthz` says every platform is connected."""
    async with aiohttp.ClientSession() as http:
        for _ in range(6000):
            async with http.get(f"{url}/healthz") as health:
                if health.status == 200:
                    return
            await asyncio.sleep(0.01)
    raise AssertionError("rounds never became ready")


class Members:
    """Members sending commands at a steady pace until told to stop; each answer awaited in
    its own task, so a slow one never delays the next command."""

    def __init__(self, url: str, slack: FakeSlack, discord: FakeDiscord) -> None:
        self.url, self.slack, self.discord = url, slack, discord
        self.asking: list[asyncio.Task[Asked]] = []
        self.done = asyncio.Event()

    async def run(self, http: aiohttp.ClientSession) -> None:
        n = 0
        while not self.done.is_set():
            if n % 2:
                work = ask_on_discord(self.discord, n)
            else:
                work = ask_on_slack(http, self.url, self.slack, n)
            self.asking.append(asyncio.ensure_future(work))
            n += 1
            await asyncio.sleep(EVERY)

    async def answers(self) -> list[Asked]:
        self.done.set()
        return list(await asyncio.gather(*self.asking))


def delivered(slack: FakeSlack, discord: FakeDiscord) -> int:
    return len(discord_posts(discord)) + len(slack_posts(slack))


async def drained(url: str, slack: FakeSlack, discord: FakeDiscord) -> tuple[float, float] | None:
    """Seconds until the first delivery goes out, and until every delivery has reached its
    platform and nothing is left to send (the members' welcomes included)."""
    started = time.monotonic()
    before = delivered(slack, discord)
    first: float | None = None
    expected = DISCORD_DELIVERIES + SLACK_DELIVERIES
    while time.monotonic() - started < DRAIN:
        count = delivered(slack, discord)
        if first is None and count > before:
            first = time.monotonic() - started
        if count >= expected and not {"pending", "claimed"} & (await statuses(url)).keys():
            return first or 0.0, time.monotonic() - started
        await asyncio.sleep(0.05)
    return None


def slowest(answers: list[Asked], platform: str) -> str:
    times = [a.first for a in answers if a.platform == platform and a.first is not None]
    return f"{platform} {max(times):.2f} s" if times else f"{platform} -"


@dataclass
class Outcome:
    answers: list[Asked]
    down: float
    """When PostgreSQL had stopped (time.monotonic)."""
    starting: float
    """When it was being started again."""
    back: float
    """When it accepted connections again."""
    drain: tuple[float, float] | None
    """Seconds from `back` until the first delivery was sent, and until every one was."""
    before: int
    """Deliveries sent before PostgreSQL stopped."""
    statuses: dict[str, int]
    discord: Counter[str]
    slack: Counter[str]
    running: bool
    """The process was still running after the outage."""
    code: int
    """Its exit code on SIGTERM."""
    log: list[str]


async def measure(cluster: Cluster, folder: Path) -> Outcome:
    url = cluster.url(DATABASE)
    discord = await FakeDiscord().start()
    slack = await FakeSlack().start()
    for n in range(0, 2 * MEMBERS, 2):
        slack.add_user(slack_member(n), f"member{n // 2}")
    env = clean_environment(
        **discord_settings(discord), **slack_settings(slack), DATABASE_URL=url, PYTHONPATH=str(ROOT)
    )
    rounds: Rounds | None = None
    try:
        await migrate(env, folder)
        # planned before the start, as the bot's own jobs would have: the first tick sees
        # them, and sends each as it falls due until PostgreSQL stops
        stops_at = datetime.now(UTC) + timedelta(seconds=HEAD)
        span = (OUTAGE + 5) / max(DISCORD_DELIVERIES, SLACK_DELIVERIES)

        def due(index: int) -> datetime:  # from 5 s before the outage to its end
            return stops_at + timedelta(seconds=index * span - 5)

        await plan(url, SpaceKey("discord", GUILD), DISCORD_DELIVERIES, in_general, due_at=due)
        await plan(url, SpaceKey("slack", TEAM), SLACK_DELIVERIES, someone, due_at=due)
        rounds = await Rounds.start(env, folder)
        base = await rounds.url()
        await ready(base)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=LATE)) as http:
            for n in range(2 * MEMBERS):  # each member once, on each platform: all is well
                warm = await (
                    ask_on_discord(discord, n) if n % 2 else ask_on_slack(http, base, slack, n)
                )
                assert warm.normal, f"before the outage, {warm.platform} said {warm.text!r}"
            members = Members(base, slack, discord)
            asking = asyncio.ensure_future(members.run(http))
            await asyncio.sleep(max(0.0, (stops_at - datetime.now(UTC)).total_seconds()))
            before = delivered(slack, discord)
            await cluster.stop()
            down = time.monotonic()
            await asyncio.sleep(OUTAGE)
            starting = time.monotonic()
            await cluster.start()
            back = time.monotonic()
            drain = await drained(url, slack, discord)
            await asyncio.sleep(max(0.0, 10 - (time.monotonic() - back)))  # commands go on
            answers = await members.answers()
            await asking
        running = rounds.process.returncode is None
        rounds.signal(signal.SIGTERM)
        code = await rounds.exited(wait=60)
        return Outcome(
            answers,
            down,
            starting,
            back,
            drain,
            before,
            await statuses(url),
            discord_posts(discord),
            slack_posts(slack),
            running,
            code,
            rounds.lines,
        )
    finally:
        if rounds is not None:
            await rounds.kill()
        await discord.stop()
        await slack.stop()


def report(outcome: Outcome) -> list[str]:
    """Print the figures; return the targets missed."""
    missed: list[str] = []
    answers = outcome.answers
    # sent while PostgreSQL was down, early enough that it could not be back before they were
    # answered (a command keeps trying for `UNAVAILABLE_DEADLINE`, inside the platforms' 3 s)
    during = [a for a in answers if outcome.down <= a.sent <= outcome.starting - DEADLINE]
    told = [a for a in during if a.text == UNAVAILABLE]
    counts = {p: sum(a.platform == p for a in during) for p in ("Slack", "Discord")}
    print(
        f"  commands during the outage: {len(during)} (Slack {counts['Slack']}, Discord "
        f'{counts["Discord"]}); answered "try again": {len(told)} (target: all)'
    )
    other = sorted({f"{a.platform}: {a.text[:80]}" for a in during if a.text != UNAVAILABLE})
    print(f"  told anything else then: {other or 'nothing'}")
    if not during or len(told) != len(during):
        missed.append('a command during the outage was not answered "try again"')
    print(
        f"  slowest first answer during the outage: {slowest(during, 'Slack')}, "
        f"{slowest(during, 'Discord')} (target ≤ {DEADLINE:.0f} s)"
    )
    print(
        f"  slowest first answer over the whole run ({len(answers)} commands): "
        f"{slowest(answers, 'Slack')}, {slowest(answers, 'Discord')}"
    )
    if any(a.first is None or a.first > DEADLINE for a in answers):
        missed.append(f"a first answer took over {DEADLINE:.0f} s, or never came")
    odd = sorted(
        {f"{a.platform}: {a.text[:80]}" for a in answers if not a.normal}
        - {f"{p}: {UNAVAILABLE[:80]}" for p in ("Slack", "Discord")}
    )
    if odd:
        print(f'  answers neither normal nor "try again" over the run: {odd}')
        missed.append('a command answered neither normally nor "try again"')
    errors = [line.strip()[:160] for line in outcome.log if " ERROR " in line]
    tracebacks = sum("Traceback" in line for line in outcome.log)
    warned = sum("database is out of reach" in line for line in outcome.log)
    print(
        f"  process: {'kept running' if outcome.running else 'EXITED'} through the outage, "
        f"exit code {outcome.code} on SIGTERM; log: {len(errors)} errors, {tracebacks} "
        f"tracebacks, {warned} warning(s) from the ticker that the database was out of reach"
    )
    for line in list(dict.fromkeys(errors))[:5]:
        print(f"    {line}")
    if not outcome.running or outcome.code != 0 or errors or tracebacks:
        missed.append("the process exited, did not stop cleanly, or logged errors")
    for platform, sent, count in (
        ("Discord", outcome.discord, DISCORD_DELIVERIES),
        ("Slack", outcome.slack, SLACK_DELIVERIES),
    ):
        gone, twice = lost(sent, count), duplicated(sent)
        print(f"  {platform} deliveries: {count}, lost {gone}, duplicated {twice} (targets 0)")
        if gone or twice:
            missed.append(f"{platform}: {gone} lost, {twice} duplicated")
    print(f"  outbox at the end: {outcome.statuses} (the members' welcomes included)")
    after = [a.answered - outcome.back for a in answers if a.normal and a.answered > outcome.back]
    print(
        "  PostgreSQL back → first command answered normally: "
        + (f"{min(after):.2f} s" if after else "never")
    )
    drain = outcome.drain
    waited = DISCORD_DELIVERIES + SLACK_DELIVERIES - outcome.before
    print(
        "  PostgreSQL back → first delivery sent: "
        + (f"{drain[0]:.2f} s" if drain is not None else "-")
        + f"; → all {waited} that waited for it sent: "
        + (f"{drain[1]:.1f} s" if drain is not None else f"not within {DRAIN:.0f} s")
        + " (Slack's pace: 5 a second)"
    )
    if not after or drain is None:
        missed.append("Rounds did not recover once PostgreSQL was back")
    return missed


async def main() -> int:
    try:
        cluster = await Cluster.create(DATABASE)
    except Unavailable as error:
        print(f"outage: skipped ({error})")
        return 0
    print(
        f"outage: PostgreSQL stopped for {OUTAGE:.0f} s under `rounds` (Slack HTTP mode and "
        f"Discord); {DISCORD_DELIVERIES} Discord posts and {SLACK_DELIVERIES} Slack DMs falling "
        f"due from 5 s before it to its end; a command every {EVERY} s"
    )
    try:
        with tempfile.TemporaryDirectory() as folder:
            outcome = await measure(cluster, Path(folder))
    finally:
        await cluster.remove()
    if os.environ.get("BENCH_LOG"):
        await asyncio.to_thread(Path(os.environ["BENCH_LOG"]).write_text, "".join(outcome.log))
    missed = report(outcome)
    for line in missed:
        print(f"  TARGET MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
