"""Command latency under load: 50 members at once, each sending the next signed `/rounds …`
as soon as the last was answered, for 60 s, through Slack HTTP mode on loopback; 10,000
members in the database (SQLite, or BENCH_DATABASE_URL for PostgreSQL).

Each sample is the whole HTTP round trip a member's Slack sees: signature check, the core
(parsing, role, the command's transaction, the reply), the database, over loopback. The mix:
help, profile set (a write), find (directory search), network join/status, qa open, events.
The dispatcher runs meanwhile (welcome DMs and the like go to the local fake Slack).
Target: p99 ≤ 100 ms, 0 errors, nothing over 3 s.

Run: `python -m benchmarks.load` (BENCH_SECONDS=60, BENCH_MEMBERS=10000,
BENCH_CONCURRENCY=50 to change).
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time

import aiohttp

from benchmarks.common import NOW, ZONES, percentiles, seed_members, slack_over_http
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.domain import SpaceKey
from bot.engine import APOLOGY, BUSY, UNAVAILABLE
from storage.store import SqlStore
from tests.conftest import fresh_schema
from tests.slack.conftest import FORM, command_body
from tests.slack.fake_slack import TEAM, FakeSlack, signed_headers

SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
MEMBERS = int(os.environ.get("BENCH_MEMBERS", "10000"))
CONCURRENCY = int(os.environ.get("BENCH_CONCURRENCY", "50"))
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


async def member(
    http: aiohttp.ClientSession,
    url: str,
    fake: FakeSlack,
    who: str,
    until: float,
    samples: list[float],
    errors: list[str],
    rng: random.Random,
) -> None:
    while time.monotonic() < until:
        body = command_body(fake, mix(rng), user=who)
        started = time.perf_counter()
        try:
            async with http.post(url, data=body, headers=signed_headers(body, FORM)) as response:
                text = await response.text()
                status = response.status
        except aiohttp.ClientError as error:
            errors.append(type(error).__name__)
            continue
        samples.append((time.perf_counter() - started) * 1000)
        if status != 200 or any(failed in text for failed in FAILED):
            errors.append(f"{status}: {text[:80]}")


async def main() -> None:
    fake = await FakeSlack().start()
    for i in range(MEMBERS):
        fake.add_user(f"U{i:06d}", f"member{i}")
    with tempfile.TemporaryDirectory() as folder:
        url = os.environ.get("BENCH_DATABASE_URL") or f"sqlite+aiosqlite:///{folder}/load.db"
        store = SqlStore.from_url(url)
        await fresh_schema(store)
        await seed_members(store, MEMBERS, SpaceKey("slack", TEAM))
        core = build_core(store, ManualClock(NOW))
        rounds = await slack_over_http(core, fake)
        rng = random.Random(13)
        members = [f"U{rng.randrange(MEMBERS):06d}" for _ in range(CONCURRENCY)]
        samples: list[float] = []
        errors: list[str] = []
        endpoint = f"{rounds.url}/slack/events"
        connector = aiohttp.TCPConnector(limit=CONCURRENCY)
        async with aiohttp.ClientSession(connector=connector) as http:
            warm = time.monotonic() + 3
            await asyncio.gather(  # users.info cached, pools filled: not counted
                *(
                    member(http, endpoint, fake, m, warm, [], [], random.Random(i))
                    for i, m in enumerate(members)
                )
            )
            until = time.monotonic() + SECONDS
            started = time.monotonic()
            await asyncio.gather(
                *(
                    member(http, endpoint, fake, m, until, samples, errors, random.Random(i))
                    for i, m in enumerate(members)
                )
            )
            took = time.monotonic() - started
        await rounds.stop()
        await core.runtime.kicked()
        await store.close()
    await fake.stop()
    p50, p99 = percentiles(samples)
    backend = store.engine.dialect.name
    print(
        f"Slack HTTP under load: {CONCURRENCY} members at once for {took:.0f} s, "
        f"{MEMBERS:,} members, {backend}"
    )
    print(f"  commands answered {len(samples):,} ({len(samples) / took:.0f}/s)")
    print(f"  p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {max(samples):.0f} ms")
    print(f"  errors {len(errors)}, over 3 s {sum(s > SLOW for s in samples)}")
    for error in sorted(set(errors))[:5]:
        print(f"    {error}")


if __name__ == "__main__":
    asyncio.run(main())
