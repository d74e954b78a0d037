"""A whole networking round at 10,000 members, with members' commands arriving meanwhile.

Times the round job as it runs in production (read participants, history and exclusions,
pair, write the round, its pairs and every planned DM to the outbox) on a SQLite file, three
rounds in a row (so later ones read the history of earlier ones). While each round runs, a
member sends `/rounds profile set …` every 0.2 s through the core; the p99 of those commands
and how many were answered with an apology are printed. Target: the round under 5 s, no
command apologising. Run: `python -m benchmarks.round`.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert

from benchmarks.common import NOW, SPACE, ZONES, percentiles, seed_members
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor, JobContext
from bot.engine import APOLOGY
from bot.features.network._jobs import pair_space
from bot.features.network._schedule import next_round
from storage.network import NetworkMemberRow
from storage.store import SqlStore

MEMBERS = 10_000
ROUNDS = 3
COMMAND_EVERY = 0.2


async def opt_in_everyone(store: SqlStore, space_id: int) -> None:
    async with store.sessions() as session, session.begin():
        rows = [
            {
                "member_id": member_id,
                "space_id": space_id,
                "status": "active",
                "ignored_streak": 0,
                "changed_at": NOW,
            }
            for member_id in range(1, MEMBERS + 1)
        ]
        for start in range(0, len(rows), 2000):
            await session.execute(insert(NetworkMemberRow), rows[start : start + 2000])


async def commands_meanwhile(core_rounds: object, stop: asyncio.Event, out: list[float]) -> int:
    """Send a profile change every 0.2 s until stopped; returns how many apologised."""
    from bot.engine import Rounds

    assert isinstance(core_rounds, Rounds)
    rng = random.Random(5)
    apologies = 0
    while not stop.is_set():
        actor = Actor(SPACE, f"U{rng.randrange(MEMBERS):06d}")
        started = time.perf_counter()
        outcome = await core_rounds.command(
            actor, f"profile set timezone={rng.choice(ZONES)} specialty=surgery"
        )
        out.append((time.perf_counter() - started) * 1000)
        apologies += any(r.message.text == APOLOGY for r in outcome.replies)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), COMMAND_EVERY)
    return apologies


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await store.create_schema()
        space_id = await seed_members(store, MEMBERS)
        await opt_in_everyone(store, space_id)
        clock = ManualClock(NOW)
        core = build_core(store, clock, send_when_planned=False)
        print(f"networking round, {MEMBERS:,} members opted in, SQLite, whole job")
        for number in range(1, ROUNDS + 1):
            async with store.transaction() as tx:
                from bot.features.network.model import NETWORK

                latest = await tx.repo(NETWORK).latest_round(space_id)
            upcoming = next_round(clock.now(), timedelta(weeks=2), latest)
            clock.set(max(clock.now(), upcoming.pair_at))
            stop = asyncio.Event()
            samples: list[float] = []
            meanwhile = asyncio.create_task(commands_meanwhile(core.rounds, stop, samples))
            await asyncio.sleep(0.3)  # commands are flowing before the round starts
            started = time.perf_counter()
            await pair_space(JobContext(store, core.router, clock.now()), space_id)
            elapsed = time.perf_counter() - started
            await asyncio.sleep(0.3)
            stop.set()
            apologies = await meanwhile
            async with store.transaction() as tx:
                round_info = await tx.repo(NETWORK).latest_round(space_id)
                assert round_info is not None and round_info.number == number
                pairs = await tx.repo(NETWORK).round_pairs(space_id, round_info.id)
            p50, p99 = percentiles(samples)
            print(
                f"  round {number}: {elapsed:5.2f} s, {len(pairs):,} groups; "
                f"{len(samples)} commands meanwhile: p50 {p50:.0f} ms, p99 {p99:.0f} ms, "
                f"max {max(samples):.0f} ms, {apologies} apologised"
            )
            clock.advance(timedelta(weeks=2))
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
