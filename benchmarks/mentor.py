"""Matching a mentee among 10,000 mentors, through the database: p50/p99 of the whole path of
`/rounds mentor request goals="…"` (the core's command handling, the ranking queries, scoring and
explaining the best few, writing the request and its suggestions, the reply), for mentees who
gave a specialty (as most do) and for mentees who gave none (every mentor with room ranked).

Realistic profiles: mentors at three career stages, 14 specialties, 80 institutions, 12 time
zones, two to four leadership areas each (a third offered their own with a capacity of 1 to 4;
the rest have `mentor=yes` and their profile's interests and goals), and 9,000 pairs under way
(some mentors full). Each timed request is a different mentee's first, as in life.
Target: p99 under 50 ms. Run: `python -m benchmarks.mentor` (`DATABASE_URL=postgresql+asyncpg://…`
to measure on PostgreSQL instead of a fresh SQLite file).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import tempfile
import time
from collections import Counter
from typing import Any

from sqlalchemy import insert

from benchmarks.common import NOW, SPACE, percentiles
from bot.bootstrap import Core, build_core
from bot.clock import ManualClock
from bot.context import Actor
from storage.mentorship_rows import MentorAreaRow, MentorRow, PairRow
from storage.models import MemberInterestRow, MemberRow
from storage.store import SqlStore

MENTORS = 10_000
MENTEES = 2_200
PAIRS = 9_000
WARM_UP, RUNS = 100, 1_000
CHUNK = 2_000

AREAS = (
    "quality improvement",
    "operations",
    "policy",
    "informatics",
    "research",
    "education",
    "equity",
    "global health",
    "patient safety",
    "finance",
)
SPECIALTIES = (
    "emergency medicine",
    "paediatrics",
    "surgery",
    "internal medicine",
    "obstetrics",
    "oncology",
    "psychiatry",
    "anaesthesia",
    "general practice",
    "nursing",
    "pharmacy",
    "radiology",
    "public health",
    "cardiology",
)
ZONES = (
    "Africa/Lagos",
    "Africa/Accra",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Europe/London",
    "Europe/Berlin",
    "Asia/Kolkata",
    "Asia/Karachi",
    "Asia/Singapore",
    "America/New_York",
    "America/Chicago",
    "Australia/Sydney",
)
GOALS = (
    "lead a quality improvement project on sepsis",
    "run operations for a busy department",
    "get into health policy",
    "informatics and an EHR rollout",
    "publish my first research paper",
    "teach and build an education programme",
    "tackle equity in access to care",
    "finance and budgets for a new service",
)


def member_row(space_id: int, index: int, rng: random.Random, *, mentor: bool) -> dict[str, Any]:
    stages = ("early-career", "mid-career", "senior") if mentor else ("student", "trainee")
    areas = rng.sample(AREAS, rng.randint(2, 4))
    return {
        "space_id": space_id,
        "user_id": f"{'M' if mentor else 'E'}{index:06d}",
        "display_name": f"member{index}",
        "joined_at": NOW,
        "welcomed_at": NOW,
        "is_manager": False,
        "name": f"Dr {'Mentor' if mentor else 'Mentee'} {index}",
        "profession": "physician",
        "stage": rng.choice(stages),
        "specialty": rng.choice(SPECIALTIES),
        "institution": f"Hospital {rng.randrange(80)}",
        "timezone": rng.choice(ZONES),
        "interests": json.dumps(areas[:2]),
        "goals": json.dumps(areas[2:]),
        "open_to_mentor": mentor,
        "search_text": "",
    }


async def seed(store: SqlStore, rng: random.Random) -> list[str]:
    """The community; returns the mentees' user ids."""
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE, "Benchmark")
    members = [member_row(space.id, i, rng, mentor=True) for i in range(MENTORS)]
    members += [member_row(space.id, i, rng, mentor=False) for i in range(MENTEES)]
    async with store.sessions() as session, session.begin():
        ids = []
        for start in range(0, len(members), CHUNK):
            inserted = await session.execute(
                insert(MemberRow).returning(MemberRow.id, sort_by_parameter_order=True),
                members[start : start + CHUNK],
            )
            ids += list(inserted.scalars())
        mentors, mentees = ids[:MENTORS], ids[MENTORS:]
        interests = [
            {"member_id": member_id, "space_id": space.id, "interest": item.lower()}
            for member_id, row in zip(ids, members, strict=True)
            for item in (*json.loads(row["interests"]), *json.loads(row["goals"]))
        ]
        offered = set(rng.sample(mentors, MENTORS // 3))
        pairs = [
            {
                "space_id": space.id,
                "mentor_id": rng.choice(mentors),
                "mentee_id": rng.choice(mentees),
                "status": "active",
                "by_hand": False,
                "proposed_at": NOW,
                "started_at": NOW,
                "step": 0,
            }
            for _ in range(PAIRS)
        ]
        taken = Counter(pair["mentor_id"] for pair in pairs)
        own = [  # offered mentors, and the rows a `mentor=yes` profile gets at its first pair
            {
                "member_id": member_id,
                "space_id": space.id,
                "capacity": rng.randint(1, 4) if member_id in offered else 2,
                "commitments": taken[member_id],
                "own_areas": member_id in offered,
                "changed_at": NOW,
            }
            for member_id in sorted(offered | set(taken))
        ]
        areas = [
            {"member_id": member_id, "space_id": space.id, "area": area, "label": area}
            for member_id in offered
            for area in rng.sample(AREAS, rng.randint(2, 4))
        ]
        for table, rows in (
            (MemberInterestRow, interests),
            (MentorRow, own),
            (MentorAreaRow, areas),
            (PairRow, pairs),
        ):
            for start in range(0, len(rows), CHUNK):
                await session.execute(insert(table), rows[start : start + CHUNK])
    return [str(row["user_id"]) for row in members[MENTORS:]]


async def timed(
    core: Core, mentees: list[str], rng: random.Random
) -> tuple[list[float], list[float]]:
    """Each mentee's first request: wall-clock and CPU milliseconds (this process's threads,
    SQLite's included), the first WARM_UP not counted. CPU time is what a request costs
    whatever else the machine is doing; wall-clock time is what a member waits."""
    wall, cpu = [], []
    for index, user_id in enumerate(mentees):
        goals = ", ".join(rng.sample(GOALS, rng.randint(1, 2)))
        text = f'mentor request goals="{goals}"' + (" outside=yes" if index % 3 == 0 else "")
        started, used = time.perf_counter(), time.process_time()
        outcome = await core.rounds.command(Actor(SPACE, user_id), text)
        elapsed = (time.perf_counter() - started) * 1000
        spent = (time.process_time() - used) * 1000
        assert outcome.replies[0].message.text.startswith("**Mentors for you**"), outcome
        if index >= WARM_UP:
            wall.append(elapsed)
            cpu.append(spent)
    return wall, cpu


def show(name: str, wall: list[float], cpu: list[float], note: str) -> None:
    p50, p99 = percentiles(wall)
    c50, c99 = percentiles(cpu)
    print(
        f"  {name:<20} p50 {p50:6.1f} ms   p99 {p99:6.1f} ms   "
        f"(CPU p50 {c50:5.1f} ms, p99 {c99:5.1f} ms)   {note}"
    )


async def run(store: SqlStore) -> None:
    rng = random.Random(9)
    mentees = await seed(store, rng)
    core = build_core(store, ManualClock(NOW), send_when_planned=False)
    rng.shuffle(mentees)
    backend = store.engine.dialect.name
    print(
        f"/rounds mentor request, {MENTORS:,} mentors ({PAIRS:,} pairs under way), {backend}, "
        f"{RUNS:,} requests by different mentees each"
    )
    show(
        "with a specialty", *await timed(core, mentees[: WARM_UP + RUNS], rng), "target p99 < 50 ms"
    )
    # a mentee who gave no specialty: no first pass, every mentor with room is ranked
    others = mentees[WARM_UP + RUNS : 2 * (WARM_UP + RUNS)]
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        found = await tx.members.by_user_ids(space.id, others)
        for member in found.values():
            profile = member.profile.with_changes(specialty=None)
            await tx.members.save_profile(space.id, member.id, profile)
    show("no specialty given", *await timed(core, others, rng), "")


async def main() -> None:
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgresql"):
        store = SqlStore.from_url(url)
        from tests.conftest import fresh_schema  # the same clean slate the tests use

        await fresh_schema(store)
        try:
            await run(store)
        finally:
            await store.close()
        return
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await store.create_schema()
        try:
            await run(store)
        finally:
            await store.close()


if __name__ == "__main__":
    asyncio.run(main())
