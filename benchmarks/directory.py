"""`/rounds find` with 50,000 members on SQLite: p50/p99 of core handling for a free-text
search, a field search and a mixed one. Run: `python -m benchmarks.directory`."""

from __future__ import annotations

import asyncio
import random
import tempfile
import time

from benchmarks.common import NOW, SPACE, percentiles, seed_members
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from storage.models import MemberInterestRow, MemberRow
from storage.store import SqlStore

MEMBERS = 50_000
RUNS = 300


async def index_profiles(store: SqlStore) -> None:
    """Fill the directory columns the way saving a profile does, in bulk."""
    from sqlalchemy import insert, select, update

    async with store.sessions() as session, session.begin():
        rows = (
            await session.execute(
                select(MemberRow.id, MemberRow.space_id, MemberRow.specialty, MemberRow.name)
            )
        ).all()
        await session.execute(
            update(MemberRow),
            [
                {
                    "id": r.id,
                    "search_text": f"{r.name} | {r.specialty} | quality improvement | "
                    f"topic {r.id % 50}".lower(),
                }
                for r in rows
            ],
        )
        await session.execute(
            insert(MemberInterestRow),
            [
                {"member_id": r.id, "space_id": r.space_id, "interest": f"topic {r.id % 50}"}
                for r in rows
            ],
        )


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await store.create_schema()
        await seed_members(store, MEMBERS)
        await index_profiles(store)
        core = build_core(store, ManualClock(NOW))
        rng = random.Random(5)
        queries = {
            "find <text>": "find paediatrics topic",
            "find specialty=": "find specialty=oncology",
            "find interest= mentor=": 'find interest="topic 7" specialty=surgery',
        }
        print(f"/rounds find, {MEMBERS:,} members, SQLite, {RUNS} runs each")
        for name, text in queries.items():
            samples = []
            for _ in range(RUNS):
                actor = Actor(SPACE, f"U{rng.randrange(MEMBERS):06d}")
                started = time.perf_counter()
                outcome = await core.rounds.command(actor, text)
                samples.append((time.perf_counter() - started) * 1000)
                assert "matching" in outcome.replies[0].message.text
            p50, p99 = percentiles(samples)
            print(f"  /rounds {name:<24} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms")
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
