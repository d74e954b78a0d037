"""Core handling time for `/rounds profile set …` and `/rounds help` with 10,000 members.

Measures `Rounds.command` end to end (parse, validate, role check, one database transaction,
reply) on SQLite. Target: p99 ≤ 20 ms on a 2-core machine. Run: `python -m benchmarks.core`.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time

from benchmarks.common import NOW, SPACE, ZONES, percentiles, seed_members
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from storage.store import SqlStore

MEMBERS = 10_000
RUNS = 2_000


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await store.create_schema()
        await seed_members(store, MEMBERS)
        core = build_core(store, ManualClock(NOW))
        rng = random.Random(7)
        commands = {
            "profile set": lambda: (
                f'profile set specialty="emergency medicine" timezone={rng.choice(ZONES)} '
                'interests="quality improvement, simulation"'
            ),
            "help": lambda: "help",
        }
        print(f"core handling, {MEMBERS:,} members, SQLite, {RUNS:,} runs each")
        for name, text in commands.items():
            for _ in range(100):  # warm-up
                await core.rounds.command(Actor(SPACE, f"U{rng.randrange(MEMBERS):06d}"), text())
            samples = []
            for _ in range(RUNS):
                actor = Actor(SPACE, f"U{rng.randrange(MEMBERS):06d}")
                line = text()
                started = time.perf_counter()
                outcome = await core.rounds.command(actor, line)
                samples.append((time.perf_counter() - started) * 1000)
                assert outcome.replies and "Sorry" not in outcome.replies[0].message.text
            p50, p99 = percentiles(samples)
            print(f"  /rounds {name:<12} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
