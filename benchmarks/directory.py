"""`/rounds find` at 100,000 members with realistic profiles (about 220 characters of directory
text each): p50/p99 of the whole path a member's request takes, from the core's command handling
through the repository to the database, for free text, a specialty filter, an interest filter,
a word that matches many members and short words (Chinese, two letters); and, as a bound
rather than a target, eight common words that few members share.

Run: `python -m benchmarks.directory` (SQLite), `--members N`, or `--url postgresql+asyncpg://…`
for PostgreSQL (the database is emptied first)."""

from __future__ import annotations

import argparse
import asyncio
import random
import tempfile
import time

from sqlalchemy import insert, text

from benchmarks.common import NOW, SPACE, bench_user_id, percentiles
from benchmarks.profiles import realistic_profile
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from storage.directory_index import directory_columns, interest_keys
from storage.migrate import upgrade
from storage.models import MemberInterestRow, MemberRow
from storage.repos import profile_columns
from storage.store import SqlStore

RUNS = 300
QUERIES = {
    "free text": (
        "find paediatrics simulation",
        "find global surgery leadership",
        "find cardiology research",
        "find mental health advocacy",
        "find neonatology teaching",
    ),
    "specialty=": (
        "find specialty=oncology",
        'find specialty="évaluation des technologies de santé"',
        "find specialty=paediatrics",
        'find specialty="intensive care"',
        "find specialty=neurology",
    ),
    "interest=": (
        'find interest="quality improvement"',
        "find interest=simulation",
        'find interest="AI in medicine"',
        'find interest="santé publique"',
        "find interest=leadership",
    ),
    "common word": ("find health", "find medicine", "find care"),
    "short word": ("find 北京", "find 李明", "find uk"),
}
# Not a target, a bound: eight common words that few members share (the worst case known).
WORST = {
    "8 rare mixes": (
        "find nurse student physician resident pharmacist fellow researcher administrator",
        "find cardiology oncology neurology paediatrics radiology psychiatry dermatology care",
        "find nurse lagos cardiology student research health teaching global",
    )
}


async def seed(store: SqlStore, count: int) -> None:
    """Members as saving their profiles leaves them (the same columns, and the search index
    through the same triggers on SQLite), written in bulk."""
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE, "Benchmark")
    async with store.sessions() as session, session.begin():
        for start in range(0, count, 2000):
            members, interests = [], []
            for i in range(start, min(count, start + 2000)):
                display_name, profile = realistic_profile(i)
                members.append(
                    {
                        "id": i + 1,
                        "space_id": space.id,
                        "user_id": bench_user_id(i),
                        "display_name": display_name,
                        "joined_at": NOW,
                        "welcomed_at": NOW,
                        "is_manager": i == 0,
                        **profile_columns(profile),
                        **directory_columns(profile, display_name),
                    }
                )
                interests += [
                    {"member_id": i + 1, "space_id": space.id, "interest": key}
                    for key in interest_keys(profile)
                ]
            await session.execute(insert(MemberRow), members)
            await session.execute(insert(MemberInterestRow), interests)
        if session.get_bind().dialect.name == "postgresql":
            await session.execute(text("ANALYZE members"))  # as autovacuum soon would


async def run(store: SqlStore, count: int, label: str) -> None:
    started = time.perf_counter()
    await seed(store, count)
    print(f"seeded {count:,} members in {time.perf_counter() - started:.0f} s")
    core = build_core(store, ManualClock(NOW))
    rng = random.Random(5)
    print(f"/rounds find, {count:,} members, {label}, whole command path")
    runs = {**{name: RUNS for name in QUERIES}, **{name: RUNS // 10 for name in WORST}}
    for name, texts in {**QUERIES, **WORST}.items():
        samples, cpu, found = [], [], 0
        for run in range(runs[name] + 20):
            actor = Actor(SPACE, bench_user_id(rng.randrange(count)))
            text = texts[run % len(texts)]
            began, began_cpu = time.perf_counter(), time.process_time()
            outcome = await core.rounds.command(actor, text)
            elapsed = (time.perf_counter() - began) * 1000
            used = (time.process_time() - began_cpu) * 1000
            reply = outcome.replies[0].message.text
            assert "matching" in reply or "No members match" in reply, reply
            found += "matching" in reply
            if run >= 20:  # the first runs warm caches and prepared statements
                samples.append(elapsed)
                cpu.append(used)
        p50, p99 = percentiles(samples)
        # CPU time of this process (the SQLite thread included): on a shared machine the wall
        # clock's tail also holds the time other processes had the cores
        cpu50, cpu99 = percentiles(cpu)
        print(
            f"  /rounds find {name:<13} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms"
            f"   (CPU p50 {cpu50:5.2f} ms, p99 {cpu99:5.2f} ms; {runs[name]} runs;"
            f" {found}/{runs[name] + 20} found someone)"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--url", help="a PostgreSQL URL (emptied first); default: SQLite")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.url or f"sqlite+aiosqlite:///{folder}/bench.db"
        await empty(url)
        await asyncio.to_thread(upgrade, url)  # the schema production has: migrations
        store = SqlStore.from_url(url)
        label = "PostgreSQL" if options.url else "SQLite"
        try:
            await run(store, options.members, label)
        finally:
            await store.close()


async def empty(url: str) -> None:
    if url.startswith("postgresql"):
        store = SqlStore.from_url(url)
        async with store.engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
