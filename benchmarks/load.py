"""Command latency under load: 50 members at once sending signed `/rounds …` commands for 60 s
to a real `rounds` process (its own OS process, production settings: Slack HTTP mode, the
scheduler and dispatcher running, INFO logs) over loopback; 10,000 members in the database
(SQLite, or PostgreSQL at BENCH_DATABASE_URL, which is emptied first).

Each sample is the whole HTTP round trip a member's Slack sees: signature check, the core
(parsing, role, the command's transaction, the reply), the database, over loopback. The mix:
help, profile, profile set (a write), find (directory search), network join/status, qa open,
events. The load comes from this process; the bot has its own.

Four rows per database:
- **members at a member's pace**: each of the 50 sends a command, reads the answer and sends
  the next after a pause (uniform, mean BENCH_PAUSE = 1 s): about 50 commands a second, more
  than a community of 10,000 sends at its busiest. Target: p99 ≤ 100 ms, 0 errors, nothing
  over 3 s.
- **bursts**: the 50 send a command at the same instant, 20 times (a workshop starts and
  everyone types `/rounds events`); then the same with 50 members Rounds has not met each
  time (their first command asks Slack their name and plans their welcome). The slowest answer
  is the figure.
- **back to back (saturation)**: each sends the next command the moment the last is answered.
  This measures throughput; its latency is queueing (50 requests always waiting on one
  process: about 50 ÷ throughput), not what a member sees.

Scaling out: BENCH_PROCESSES=2 (with PostgreSQL) starts that many `rounds` processes on the
one database, each on its own port, and spreads the members over them as a load balancer would.

Run: `python -m benchmarks.load` (BENCH_SECONDS=60 per row, BENCH_MEMBERS=10000,
BENCH_CONCURRENCY=50, BENCH_PAUSE=1.0, BENCH_PROCESSES=1).
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
from sqlalchemy import text

from benchmarks.common import ZONES, healthy, percentiles, rounds_on_slack, seed_members
from bot.domain import SpaceKey
from bot.engine import APOLOGY, BUSY, UNAVAILABLE
from storage.migrate import upgrade
from storage.models import Base
from storage.store import SqlStore
from tests.process import Rounds
from tests.slack.conftest import FORM, command_body
from tests.slack.fake_slack import TEAM, FakeSlack, signed_headers

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "50"))
PAUSE = float(os.environ.get("BENCH_PAUSE", "1.0"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "1"))
BURSTS = int(os.environ.get("BENCH_BURSTS", "20"))
SLOW = 3000.0
FAILED = (APOLOGY[:30], BUSY[:30], UNAVAILABLE[:30])


def mix(rng: random.Random) -> str:
    return rng.choice(
        (
            "help",
            f'profile set specialty="emergency medicine" timezone={rng.choice(ZONES)} '
            'interests="quality improvement, simulation"',
            f'find "{rng.choice(("quality", "simulation", "paediatrics", "topic 7"))}"',
            "network status",
            "network join",
            "qa open",
            "events",
            "profile",
        )
    )


@dataclass
class Run:
    samples: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    took: float = 0.0

    def report(self, title: str) -> None:
        p50, p99 = percentiles(self.samples)
        print(
            f"  {title}: {len(self.samples):,} commands in {self.took:.0f} s "
            f"({len(self.samples) / self.took:.0f}/s)"
        )
        print(
            f"    p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(self.samples):.0f} ms; "
            f"errors {len(self.errors)}, over 3 s {sum(s > SLOW for s in self.samples)}"
        )
        for error in sorted(set(self.errors))[:5]:
            print(f"      {error}")


async def ask(
    http: aiohttp.ClientSession, url: str, fake: FakeSlack, who: str, run: Run, rng: random.Random
) -> None:
    """One command, timed from sending the request to reading the whole answer."""
    body = command_body(fake, mix(rng), user=who)
    started = time.perf_counter()
    try:
        async with http.post(url, data=body, headers=signed_headers(body, FORM)) as response:
            answer = await response.text()
            status = response.status
    except aiohttp.ClientError as error:
        run.errors.append(type(error).__name__)
        return
    run.samples.append((time.perf_counter() - started) * 1000)
    if status != 200 or any(failed in answer for failed in FAILED):
        run.errors.append(f"{status}: {answer[:80]}")


async def member(
    http: aiohttp.ClientSession,
    url: str,
    fake: FakeSlack,
    who: str,
    until: float,
    pause: float,
    run: Run,
    rng: random.Random,
) -> None:
    if pause:  # members don't all start at the same instant (a burst is measured on its own)
        await asyncio.sleep(rng.uniform(0, 2 * pause))
    while time.monotonic() < until:
        await ask(http, url, fake, who, run, rng)
        if pause:
            await asyncio.sleep(rng.uniform(0, 2 * pause))


async def drive(
    http: aiohttp.ClientSession, urls: list[str], fake: FakeSlack, seconds: float, pause: float
) -> Run:
    members = regulars()
    run = Run()
    until = time.monotonic() + seconds
    started = time.monotonic()
    await asyncio.gather(
        *(
            member(http, urls[i % len(urls)], fake, who, until, pause, run, random.Random(i))
            for i, who in enumerate(members)
        )
    )
    run.took = time.monotonic() - started
    return run


def regulars() -> list[str]:
    """The members of the paced and back-to-back rows (Rounds has met them in the warm-up)."""
    rng = random.Random(13)
    return [f"U{rng.randrange(MEMBERS):06d}" for _ in range(CONCURRENCY)]


async def bursts(
    http: aiohttp.ClientSession, urls: list[str], fake: FakeSlack, count: int, *, newcomers: bool
) -> Run:
    """`count` times, 50 members send a command at the same instant; then a pause. The
    regulars, or each time 50 members Rounds has not met (their first command asks Slack
    their name and plans their welcome)."""
    rng = random.Random(17)
    run = Run()
    started = time.monotonic()
    for _ in range(count):
        who = newcomers_of(rng) if newcomers else regulars()
        await asyncio.gather(
            *(ask(http, urls[i % len(urls)], fake, w, run, rng) for i, w in enumerate(who))
        )
        await asyncio.sleep(1)
    run.took = time.monotonic() - started
    return run


SEEN: set[str] = set()


def newcomers_of(rng: random.Random) -> list[str]:
    found: list[str] = []
    while len(found) < CONCURRENCY:
        who = f"U{rng.randrange(MEMBERS):06d}"
        if who not in SEEN and who not in regulars():
            SEEN.add(who)
            found.append(who)
    return found


async def prepare(url: str) -> None:
    """An empty database at the newest schema, with MEMBERS members."""
    store = SqlStore.from_url(url)
    if store.engine.dialect.name != "sqlite":
        async with store.engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await asyncio.to_thread(upgrade, url)
    await seed_members(store, MEMBERS, SpaceKey("slack", TEAM))
    await store.close()


async def main() -> None:
    fake = await FakeSlack().start()
    for i in range(MEMBERS):
        fake.add_user(f"U{i:06d}", f"member{i}")
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{folder}/load.db"
        await prepare(url)
        processes = [
            await Rounds.start(rounds_on_slack(url, fake), Path(folder)) for _ in range(PROCESSES)
        ]
        try:
            bases = [await rounds.url() for rounds in processes]
            endpoints = [f"{base}/slack/events" for base in bases]
            connector = aiohttp.TCPConnector(limit=CONCURRENCY)
            async with aiohttp.ClientSession(connector=connector) as http:
                for base in bases:
                    await healthy(http, base)
                await drive(http, endpoints, fake, 3, 0)  # users.info cached, pools filled
                paced = await drive(http, endpoints, fake, SECONDS, PAUSE)
                burst = await bursts(http, endpoints, fake, BURSTS, newcomers=False)
                firsts = await bursts(http, endpoints, fake, BURSTS, newcomers=True)
                saturated = await drive(http, endpoints, fake, SECONDS, 0)
            for rounds in processes:
                rounds.signal(signal.SIGTERM)
            stopped = [await rounds.exited(60) for rounds in processes]
        finally:
            for rounds in processes:
                await rounds.kill()
    await fake.stop()
    backend = url.split(":", 1)[0].split("+", 1)[0]
    print(
        f"Slack HTTP under load: {CONCURRENCY} members at once, {MEMBERS:,} members, {backend}, "
        f"{PROCESSES} `rounds` process(es) of their own, members spread over them as by a load "
        f"balancer (exit codes on SIGTERM: {stopped})"
    )
    paced.report(f"at a member's pace (a pause of {PAUSE:g} s on average)")
    burst.report(f"{BURSTS} bursts: the {CONCURRENCY} members' commands sent at the same instant")
    firsts.report(f"{BURSTS} bursts of {CONCURRENCY} newcomers' first commands at the same instant")
    saturated.report("back to back (saturation: latency here is queueing)")


if __name__ == "__main__":
    asyncio.run(main())
