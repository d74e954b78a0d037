"""Crashes during a fan-out, at length: real `rounds` processes serving the fake Discord and the
fake Slack (HTTP mode) at once, sending 1,000 Discord channel posts and 200 Slack DMs, all due
at once (Rounds paces them itself: 50 requests a second on Discord, 300 posts a minute on Slack).

1. SQLite, one process, `kill -9` at random moments (after a random number of posts, so always
   mid-fan-out) BENCH_KILLS times (10), started again at once each time.
2. PostgreSQL, two and then four processes (separate OS processes, each its own HTTP port, no
   special settings) on one database, one of them killed with `kill -9` at a random moment;
   the others carry on. The database is BENCH_DATABASE_URL (emptied first), or a throwaway
   cluster this benchmark makes and removes (`benchmarks/postgres.py`; run as root or as a
   user who can run `initdb`).

Printed per run and platform: deliveries, posts that reached the fake, lost (target 0),
duplicated (target ≤ kills: only the send in flight when a process died); then the outbox's
final statuses (every row sent; any other row with the reason recorded), which process sent
how many rows (PostgreSQL), errors and tracebacks in the processes' logs, whether the live
processes stopped cleanly on SIGTERM, and the wall time from the first start until every row
is recorded. Exits 1 when a target is missed.

Run: `python -m benchmarks.crash` (BENCH_KILLS, BENCH_DELIVERIES, BENCH_SLACK_DELIVERIES,
BENCH_DATABASE_URL to change it).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.postgres import Cluster, Unavailable
from bot.domain import SpaceKey
from bot.messages import ChannelPost, DirectMessage
from tests.discord.fake_discord import GENERAL, GUILD, FakeDiscord
from tests.faults import (
    ROOT,
    discord_posts,
    discord_settings,
    duplicated,
    empty,
    lost,
    plan,
    reached,
    senders,
    settled,
    slack_posts,
    slack_settings,
    statuses,
    unsent,
)
from tests.process import Rounds, clean_environment, migrate
from tests.slack.fake_slack import TEAM, FakeSlack

KILLS = int(os.environ.get("BENCH_KILLS", "10"))
DISCORD_DELIVERIES = int(os.environ.get("BENCH_DELIVERIES", "1000"))
SLACK_DELIVERIES = int(os.environ.get("BENCH_SLACK_DELIVERIES", "200"))
WAIT = 600.0
"""Seconds a run may take before it is called stuck."""


@dataclass
class Run:
    """One run: the fakes, the database, the processes, and what the targets say of it."""

    title: str
    url: str
    folder: Path
    kills: int = 0
    discord: FakeDiscord = field(default_factory=FakeDiscord)
    slack: FakeSlack = field(default_factory=FakeSlack)
    processes: list[Rounds] = field(default_factory=list)
    stopped: list[int] = field(default_factory=list)
    """The live processes' exit codes on SIGTERM at the end."""
    missed: list[str] = field(default_factory=list)

    @property
    def deliveries(self) -> int:
        return DISCORD_DELIVERIES + SLACK_DELIVERIES

    def env(self) -> dict[str, str]:
        return clean_environment(
            **discord_settings(self.discord),
            **slack_settings(self.slack),
            DATABASE_URL=self.url,
            PYTHONPATH=str(ROOT),
        )

    def posts(self) -> int:
        """Posts of the fan-out that reached either fake, duplicates included."""
        return sum(discord_posts(self.discord).values()) + sum(slack_posts(self.slack).values())

    def delivered(self) -> int:
        """Deliveries that reached their platform at least once."""
        return len(discord_posts(self.discord)) + len(slack_posts(self.slack))

    async def prepare(self) -> None:
        await self.discord.start()
        await self.slack.start()
        await migrate(self.env(), self.folder)
        await plan(self.url, SpaceKey("discord", GUILD), DISCORD_DELIVERIES, in_general)
        await plan(self.url, SpaceKey("slack", TEAM), SLACK_DELIVERIES, member_dm)

    async def start(self) -> Rounds:
        process = await Rounds.start(self.env(), self.folder)
        self.processes.append(process)
        return process

    async def kill(self, process: Rounds) -> None:
        process.signal(signal.SIGKILL)
        code = await process.exited()
        if code != -signal.SIGKILL:
            self.missed.append(f"a killed process exited with {code}")
        self.kills += 1

    async def finish(self, live: list[Rounds], started: float) -> float:
        """Wait until every delivery has reached its platform and every row is recorded; then
        stop the live processes with SIGTERM. Returns the seconds since `started`."""
        await reached(self.deliveries, self.delivered, *live, wait=WAIT, step=0.05)
        if not await settled(self.url, self.deliveries, wait=WAIT):
            self.missed.append("rows still not recorded as sent")
        elapsed = time.monotonic() - started
        for process in live:
            process.signal(signal.SIGTERM)
        self.stopped = [await process.exited(wait=60) for process in live]
        if any(self.stopped):
            self.missed.append(f"live processes exited with {self.stopped} on SIGTERM")
        return elapsed

    async def close(self) -> None:
        for process in self.processes:
            await process.kill()
        await self.discord.stop()
        await self.slack.stop()

    async def report(self, elapsed: float, restarts: int) -> None:
        print(f"  {self.title}")
        for name, sent, count in (
            ("Discord", discord_posts(self.discord), DISCORD_DELIVERIES),
            ("Slack", slack_posts(self.slack), SLACK_DELIVERIES),
        ):
            gone, twice = lost(sent, count), duplicated(sent)
            print(
                f"    {name + ':':<8} {count:,} deliveries, {sum(sent.values()):,} posts, "
                f"lost {gone} (target 0), duplicated {twice} (target ≤ {self.kills})"
            )
            if gone:
                self.missed.append(f"{name}: {gone} lost")
            if twice > self.kills:
                self.missed.append(f"{name}: {twice} duplicated after {self.kills} kill(s)")
        final = await statuses(self.url)
        others = await unsent(self.url)
        shown = "; ".join(f"{n} {s}: {r or 'no reason recorded'}" for (s, r), n in others.items())
        print(f"    outbox:  {final}; not sent: {shown or 'none'}")
        if any(status == "failed" and not reason for status, reason in others):
            self.missed.append("a failed row without a reason")
        by = await senders(self.url)
        if len(self.processes) > 1 and restarts == 0:
            split = " / ".join(f"{n:,}" for n in sorted(by.values(), reverse=True))
            print(f"    sent by process: {split} rows")
        errors = sum(p.count(r" ERROR |Traceback") for p in self.processes)
        processes = len(self.processes)
        print(f"    logs:    {errors} error or traceback line(s) in {processes} process(es)")
        print(f"    stop:    exit codes on SIGTERM of the live process(es): {self.stopped}")
        restarted = f", {restarts} restarts" if restarts else ""
        print(f"    time:    {elapsed:.0f} s from the first start to every row recorded{restarted}")


def in_general(_: int) -> ChannelPost:
    return ChannelPost(GENERAL)


def member_dm(index: int) -> DirectMessage:
    return DirectMessage(f"U{index:06d}")


async def killed_again_and_again(folder: Path, kills: int, rng: random.Random) -> list[str]:
    """One process on SQLite, killed `kills` times at random moments of the fan-out."""
    run = Run(f"SQLite, 1 process, kill -9 ×{kills}, restarted each time", "", folder)
    run.url = f"sqlite+aiosqlite:///{folder}/crash.db"
    try:
        await run.prepare()
        started = time.monotonic()
        for left in range(kills, 0, -1):
            process = await run.start()
            remaining = run.deliveries - run.delivered()
            # a random number of posts, on average an even share of what remains per kill
            more = rng.randrange(1, max(2, 2 * remaining // (left + 1)))
            await reached(run.posts() + more, run.posts, process, wait=WAIT, step=0.005)
            await run.kill(process)
        last = await run.start()
        elapsed = await run.finish([last], started)
        await run.report(elapsed, restarts=kills)
    finally:
        await run.close()
    return run.missed


async def one_of_several_killed(
    folder: Path, url: str, count: int, rng: random.Random
) -> list[str]:
    """`count` processes on one PostgreSQL database; one killed at a random moment."""
    await empty(url)
    run = Run("", url, folder)
    try:
        await run.prepare()
        started = time.monotonic()
        processes = [await run.start() for _ in range(count)]
        moment = rng.randrange(run.deliveries // 5, run.deliveries * 3 // 5)
        await reached(moment, run.posts, *processes, wait=WAIT, step=0.005)
        victim = rng.choice(processes)
        await run.kill(victim)
        run.title = f"PostgreSQL, {count} processes, one killed after {run.posts():,} posts"
        live = [p for p in processes if p is not victim]
        elapsed = await run.finish(live, started)
        await run.report(elapsed, restarts=0)
    finally:
        await run.close()
    return run.missed


async def on_postgresql(folder: Path, rng: random.Random) -> list[str]:
    missed: list[str] = []
    url = os.environ.get("BENCH_DATABASE_URL")
    cluster: Cluster | None = None
    try:
        if url is None:
            try:
                cluster = await Cluster.create("rounds_crash")
            except Unavailable as error:
                print(f"  PostgreSQL: skipped ({error}; or set BENCH_DATABASE_URL)")
                return missed
            url = cluster.url("rounds_crash")
        for count in (2, 4):
            missed += await one_of_several_killed(folder, url, count, rng)
    finally:
        if cluster is not None:
            await cluster.remove()
    return missed


async def main() -> int:
    rng = random.Random()
    print(
        f"crash: {DISCORD_DELIVERIES:,} Discord posts and {SLACK_DELIVERIES:,} Slack DMs due at "
        "once, real `rounds` processes serving both fakes"
    )
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        missed = await killed_again_and_again(folder, KILLS, rng)
        missed += await on_postgresql(folder, rng)
    for line in missed:
        print(f"  TARGET MISSED: {line}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
