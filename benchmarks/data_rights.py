"""`/rounds my-data` and `/rounds forget-me` in a community of 10,000 members with history:
four networking rounds (and their outbox rows, 10,000 checks still waiting), intro cards,
20,000 questions, 60,000 answers, 40,000 votes, follows, an audit log, 2,000 mentorship pairs
with 20,000 check-ins, and 200 upcoming events with 30,000 RSVPs. Times the whole path
through the core: the export command (every programme's hook, the JSON file), and the erasure
(the button press: every hook, the outbox scan, the member row and its hash), for 20 members
each (alternately keeping and removing their posts). Target: each under 1 s. Then
`/rounds stats` (weekly counts in SQL, the chart drawn) and the weekly digest job.

Run: `python -m benchmarks.data_rights` (SQLite in a temporary file), or with
`BENCH_DATABASE_URL=postgresql+asyncpg://…` for PostgreSQL (the database is emptied first).
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from typing import Any

from sqlalchemy import insert, text

from benchmarks.common import NOW, SPACE, bench_user_id, seed_members
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor, JobContext
from bot.features.events.model import Answer
from bot.features.insight._digest import digest_space
from bot.features.mentorship.model import PairStatus
from bot.messages import Message, mention
from storage import qa_search
from storage.event_rows import EventOccurrenceRow, EventRsvpRow, EventSeriesRow, EventSpaceRow
from storage.intros import IntroCardRow
from storage.mentorship_rows import CheckinRow, MentorRow, PairRow
from storage.models import AuditRow, Base, OutboxRow
from storage.network import (
    NetworkMemberRow,
    NetworkPairMemberRow,
    NetworkPairRow,
    NetworkRoundRow,
)
from storage.qa_tables import (
    QaAnswerRow,
    QaCounterRow,
    QaFollowerRow,
    QaQuestionRow,
    QaVoteRow,
)
from storage.store import SqlStore

MEMBERS = 10_000
ROUNDS = 4
QUESTIONS = 20_000
ANSWERS = 60_000
VOTES = 40_000
FOLLOWS = 10_000
AUDIT = 2_000
PAIRS = 2_000  # mentors, each with one mentee
CHECKINS = 10  # per pair
EVENTS = 200
EVENT_SEATS = 120
RSVPS_EACH = 3
SAMPLES = 20
WARM_UP = 3
CHUNK = 2_000


async def bulk(store: SqlStore, table: Any, rows: list[dict[str, Any]]) -> None:
    async with store.sessions() as session, session.begin():
        for start in range(0, len(rows), CHUNK):
            await session.execute(insert(table), rows[start : start + CHUNK])


def payload(text_: str) -> str:
    return json.dumps(Message(text_).to_dict())


async def seed_network(store: SqlStore, space_id: int, first: int) -> None:
    rng = random.Random(7)
    ids = list(range(first, first + MEMBERS))
    await bulk(
        store,
        NetworkMemberRow,
        [
            {"member_id": m, "space_id": space_id, "status": "active", "changed_at": NOW}
            for m in ids
        ],
    )
    outbox: list[dict[str, Any]] = []
    pair_id = 0
    for number in range(1, ROUNDS + 1):
        starts = NOW + timedelta(weeks=2 * (number - ROUNDS))
        await bulk(
            store,
            NetworkRoundRow,
            [
                {
                    "id": number,
                    "space_id": space_id,
                    "number": number,
                    "starts_at": starts,
                    "ends_at": starts + timedelta(weeks=2),
                    "paired_at": starts,
                    "planned_at": starts,
                }
            ],
        )
        rng.shuffle(ids)
        pairs, members = [], []
        for index in range(0, MEMBERS, 2):
            pair_id += 1
            pairs.append({"id": pair_id, "round_id": number, "space_id": space_id})
            a, b = ids[index], ids[index + 1]
            for member, partner in ((a, b), (b, a)):
                members.append(
                    {
                        "pair_id": pair_id,
                        "member_id": member,
                        "space_id": space_id,
                        "answer": "met" if number < ROUNDS and member % 3 else None,
                    }
                )
                user, other = bench_user_id(member - first), bench_user_id(partner - first)
                last = number == ROUNDS
                outbox.append(
                    {
                        "space_id": space_id,
                        "dedupe_key": f"network:{number}:check:{pair_id}:{member}",
                        "purpose": "network-check",
                        "target_kind": "dm",
                        "target_id": user,
                        "payload": payload(f"Did you meet {mention(other)}?") if last else None,
                        "quiet": True,
                        "due_at": starts + timedelta(weeks=1),
                        "status": "pending" if last else "sent",
                        "attempts": 0 if last else 1,
                        "finished_at": None if last else starts + timedelta(weeks=1),
                        "created_at": starts,
                    }
                )
        await bulk(store, NetworkPairRow, pairs)
        await bulk(store, NetworkPairMemberRow, members)
    await bulk(store, OutboxRow, outbox)


async def seed_qa(store: SqlStore, space_id: int, first: int) -> None:
    rng = random.Random(11)
    questions, answers, documents = [], [], []
    for number in range(1, QUESTIONS + 1):
        at = NOW - timedelta(minutes=QUESTIONS - number)
        title = f"How do I handle rota question {number} with my team?"
        questions.append(
            {
                "id": number,
                "space_id": space_id,
                "number": number,
                "author_id": first + number % MEMBERS,
                "anonymous": number % 10 == 0,
                "title": title,
                "body": "Our ward keeps clashing over handovers; any advice welcome.",
                "tags": "rota",
                "status": "posted",
                "channel_id": "C-QA",
                "asked_at": at,
                "posted_at": at,
                "answers": ANSWERS // QUESTIONS,
                "first_answer_at": at,
                "card_version": 1,
            }
        )
        documents.append((number, (title, "rota", "handovers", "agree a checklist")))
    for number in range(1, ANSWERS + 1):
        answers.append(
            {
                "id": number,
                "space_id": space_id,
                "number": number,
                "question_id": 1 + number % QUESTIONS,
                "author_id": first + (number * 7) % MEMBERS,
                "body": f"Agree a checklist, number {number}, with the charge nurse.",
                "votes": 1,
                "answered_at": NOW,
                "post_version": 1,
            }
        )
    votes = {(rng.randrange(1, ANSWERS + 1), first + rng.randrange(MEMBERS)) for _ in range(VOTES)}
    follows = {
        (rng.randrange(1, QUESTIONS + 1), first + rng.randrange(MEMBERS)) for _ in range(FOLLOWS)
    }
    await bulk(store, QaQuestionRow, questions)
    await bulk(store, QaAnswerRow, answers)
    await bulk(
        store,
        QaVoteRow,
        [{"answer_id": a, "member_id": m, "space_id": space_id, "at": NOW} for a, m in votes],
    )
    await bulk(
        store,
        QaFollowerRow,
        [{"question_id": q, "member_id": m, "space_id": space_id} for q, m in follows],
    )
    async with store.sessions() as session, session.begin():
        await session.execute(
            insert(QaCounterRow).values(space_id=space_id, questions=QUESTIONS, answers=ANSWERS)
        )
        for question_id, parts in documents:
            await qa_search.index(session, space_id, question_id, parts)


async def seed_mentorship(store: SqlStore, space_id: int, first: int) -> None:
    """Mentors, each with one mentee checking in every two weeks: pairs and their check-ins."""
    await bulk(
        store,
        MentorRow,
        [
            {
                "member_id": first + i,
                "space_id": space_id,
                "capacity": 2,
                "commitments": 1,
                "own_areas": False,
                "changed_at": NOW,
            }
            for i in range(PAIRS)
        ],
    )
    await bulk(
        store,
        PairRow,
        [
            {
                "id": i + 1,
                "space_id": space_id,
                "mentor_id": first + i,
                "mentee_id": first + PAIRS + i,
                "status": PairStatus.ACTIVE.value,
                "by_hand": False,
                "proposed_at": NOW - timedelta(weeks=CHECKINS * 2),
                "started_at": NOW - timedelta(weeks=CHECKINS * 2),
                "due_at": NOW + timedelta(weeks=1),
                "step": 0,
                "next_at": NOW + timedelta(weeks=1),
            }
            for i in range(PAIRS)
        ],
    )
    await bulk(
        store,
        CheckinRow,
        [
            {
                "space_id": space_id,
                "pair_id": i + 1,
                "member_id": first + i + PAIRS * (n % 2),
                "met_at": NOW - timedelta(weeks=2 * n + 1),
                "note": "talked through the rota",
                "created_at": NOW - timedelta(weeks=2 * n + 1),
            }
            for i in range(PAIRS)
            for n in range(CHECKINS)
        ],
    )


async def seed_events(store: SqlStore, space_id: int, first: int) -> None:
    """Events in the next weeks, each created by a member, and every member's answers."""
    details = {
        "kind": "workshop",
        "description": "",
        "link": "",
        "duration_minutes": 60,
        "capacity": EVENT_SEATS,
    }
    starts = [NOW + timedelta(days=1 + i % 28, hours=i % 8) for i in range(EVENTS)]
    await bulk(
        store,
        EventSeriesRow,
        [
            {
                "id": i + 1,
                "space_id": space_id,
                "title": f"Workshop {i + 1}",
                **details,
                "host_id": first + i * 7,
                "zone": "UTC",
                "starts_at": starts[i],
                "creator_id": first + i * 7,
                "sequence": 0,
                "created_at": NOW,
            }
            for i in range(EVENTS)
        ],
    )
    await bulk(
        store,
        EventOccurrenceRow,
        [
            {
                "id": i + 1,
                "space_id": space_id,
                "series_id": i + 1,
                "number": i + 1,
                "position": 0,
                "title": f"Workshop {i + 1}",
                **details,
                "host_id": first + i * 7,
                "starts_at": starts[i],
                "ends_at": starts[i] + timedelta(hours=1),
                "slot_at": starts[i],
                "zone": "UTC",
                "channel_id": "C-EVENTS",
                "announce_at": NOW,
                "scheduled_at": NOW,
                "rsvp_seq": MEMBERS,
                "created_at": NOW,
            }
            for i in range(EVENTS)
        ],
    )
    rsvps = []
    for m in range(MEMBERS):
        for k in range(RSVPS_EACH):
            event = (m * 7 + k * 31) % EVENTS + 1
            rsvps.append(
                {
                    "occurrence_id": event,
                    "member_id": first + m,
                    "space_id": space_id,
                    "answer": (Answer.GOING if k < 2 else Answer.MAYBE).value,
                    "seq": m,
                    "answered_at": NOW - timedelta(days=k),
                }
            )
    await bulk(store, EventRsvpRow, rsvps)
    await bulk(store, EventSpaceRow, [{"space_id": space_id, "next_number": EVENTS + 1}])


async def seed(store: SqlStore) -> int:
    space_id = await seed_members(store, MEMBERS)
    async with store.sessions() as session:
        first = int((await session.execute(text("select min(id) from members"))).scalar_one())
    await seed_network(store, space_id, first)
    await seed_qa(store, space_id, first)
    await seed_mentorship(store, space_id, first)
    await seed_events(store, space_id, first)
    await bulk(
        store,
        IntroCardRow,
        [
            {"member_id": m, "space_id": space_id, "version": 1, "channel_id": "C-INTROS"}
            for m in range(first, first + MEMBERS)
        ],
    )
    await bulk(
        store,
        AuditRow,
        [
            {
                "space_id": space_id,
                "at": NOW,
                "action": "config.manager",
                "detail": "added <subject> as a manager",
                "by_member": True,
                "actor_id": first,
                "subject_id": first + i % MEMBERS,
            }
            for i in range(AUDIT)
        ],
    )
    async with store.engine.begin() as connection:
        if store.engine.dialect.name == "postgresql":
            for name in (
                "qa_questions",
                "qa_answers",
                "network_rounds",
                "network_pairs",
                "mentorship_pairs",
                "event_series",
                "event_occurrences",
            ):
                await connection.execute(
                    text(f"select setval('{name}_id_seq', (select max(id) from {name}))")
                )
        await connection.execute(text("ANALYZE"))
    return space_id


def summary(name: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    return (
        f"{name}: p50 {statistics.median(ordered):.0f} ms, "
        f"max {ordered[-1]:.0f} ms ({len(ordered)} members)"
    )


async def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(url or f"sqlite+aiosqlite:///{folder}/bench.db")
        async with store.engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
        await store.create_schema()
        started = time.perf_counter()
        space_id = await seed(store)
        print(
            f"seeded {MEMBERS:,} members, {ROUNDS} rounds, {QUESTIONS:,} questions, "
            f"{ANSWERS:,} answers, {PAIRS:,} mentorship pairs, {EVENTS} events "
            f"on {store.engine.dialect.name} "
            f"in {time.perf_counter() - started:.0f} s"
        )
        core = build_core(store, ManualClock(NOW), send_when_planned=False)
        rng = random.Random(3)
        chosen = rng.sample(range(1, MEMBERS), WARM_UP + 2 * SAMPLES)
        exports, erasures = [], []
        for index, member in enumerate(chosen[: WARM_UP + SAMPLES]):
            actor = Actor(SPACE, bench_user_id(member))
            began = time.perf_counter()
            outcome = await core.rounds.command(actor, "my-data")
            elapsed = (time.perf_counter() - began) * 1000
            file = outcome.replies[0].message.attachment
            assert file is not None and json.loads(file.data)["member"]["user_id"]
            if index >= WARM_UP:
                exports.append(elapsed)
        for index, member in enumerate(chosen[WARM_UP + SAMPLES :]):
            actor = Actor(SPACE, bench_user_id(member))
            asked = await core.rounds.command(actor, "forget-me")
            buttons = asked.replies[0].message.buttons
            button = buttons[index % 2] if len(buttons) == 3 else buttons[0]
            began = time.perf_counter()
            outcome = await core.rounds.action(actor, button.action_id, button.value)
            erasures.append((time.perf_counter() - began) * 1000)
            assert outcome.replies[-1].message.text.startswith("✓ Done."), outcome.replies
        print(summary("/rounds my-data, whole command with the JSON file", exports))
        print(summary("/rounds forget-me, the confirming press: the whole erasure", erasures))
        manager = Actor(SPACE, bench_user_id(0))
        charts = []
        for index in range(WARM_UP + 10):
            began = time.perf_counter()
            outcome = await core.rounds.command(manager, "stats weeks=8")
            assert outcome.replies[0].message.attachment is not None
            if index >= WARM_UP:
                charts.append((time.perf_counter() - began) * 1000)
        print(summary("/rounds stats, SQL counts per week and the PNG chart", charts))
        job = JobContext(store, core.router, NOW + timedelta(days=7))
        began = time.perf_counter()
        await digest_space(job, space_id)
        print(f"weekly digest job, one space: {(time.perf_counter() - began) * 1000:.0f} ms")
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
