"""`/rounds qa search` with 100,000 questions and 300,000 answers: p50/p95/p99 through the
whole path (the core command: parse, role check, repository, full-text query, rendering).

Run: `python -m benchmarks.qa` (SQLite in a temporary file), or with
`BENCH_DATABASE_URL=postgresql+asyncpg://…` for PostgreSQL (the database is emptied first).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta

from sqlalchemy import insert, text

from benchmarks.common import NOW, SPACE, seed_members
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from storage import qa_search
from storage.models import Base
from storage.qa_tables import QaAnswerRow, QaCounterRow, QaQuestionRow, QaQuestionTagRow
from storage.store import SqlStore

QUESTIONS = 100_000
ANSWERS_PER_QUESTION = 3
MEMBERS = 5_000
RUNS = 500
WARM_UP = 50
CHUNK = 2_000

TOPICS = (  # noqa: SIM905
    "protected time rota handover conflict supervisor negotiation salary burnout wellbeing "
    "mentoring feedback delegation budget business case audit sepsis discharge readmission "
    "falls pharmacy antibiotics stewardship simulation teaching curriculum research grant "
    "publication presentation board committee strategy change resistance culture safety "
    "incident complaint family communication interpreter consent capacity leadership style "
    "meeting chairing agenda minutes recruitment retention interview promotion fellowship "
    "residency exam portfolio appraisal revalidation coaching career break parental leave "
    "flexible training part time locum night shift weekend cover staffing skill mix nurse "
    "physician associate pharmacist therapist manager director consultant registrar intern "
    "student volunteer charity equity access rural telehealth digital records data dashboard "
    "metrics outcome measure pdsa lean improvement project sponsor stakeholder engagement "
    "patient experience survey waiting list clinic theatre ward bed flow emergency triage "
    "primary care community outreach vaccination screening maternity neonatal paediatrics "
    "surgery oncology cardiology geriatrics frailty dementia delirium palliative hospice"
).split()
VERBS = ("handle", "start", "improve", "negotiate", "measure", "present", "fund", "lead")


def question_text(rng: random.Random, weights: list[float]) -> tuple[str, str, tuple[str, ...]]:
    words = rng.choices(TOPICS, weights, k=6)
    title = f"How do I {rng.choice(VERBS)} {words[0]} {words[1]} with {words[2]}?"
    body = f"Our {words[3]} and {words[4]} keep clashing over {words[5]}; any advice welcome."
    return title, body, (words[0], words[2])


def answer_text(rng: random.Random, weights: list[float]) -> str:
    words = rng.choices(TOPICS, weights, k=4)
    return f"Start with {words[0]} and {words[1]}, then agree {words[2]} before {words[3]}."


async def seed(store: SqlStore) -> int:
    rng = random.Random(11)
    weights = [1 / (rank + 1) for rank in range(len(TOPICS))]  # a few topics are common
    space_id = await seed_members(store, MEMBERS)
    async with store.sessions() as session:
        first = int((await session.execute(text("select min(id) from members"))).scalar_one())
    questions, tags, answers, documents = [], [], [], []
    answer_number = 0
    for number in range(1, QUESTIONS + 1):
        title, body, question_tags = question_text(rng, weights)
        at = NOW - timedelta(minutes=QUESTIONS - number)
        replies = [answer_text(rng, weights) for _ in range(ANSWERS_PER_QUESTION)]
        accepted = answer_number + 1 if number % 3 == 0 else None
        questions.append(
            {
                "id": number,
                "space_id": space_id,
                "number": number,
                "author_id": first + number % MEMBERS,
                "anonymous": False,
                "title": title,
                "body": body,
                "tags": ",".join(dict.fromkeys(question_tags)),
                "status": "posted",
                "channel_id": "C-QA",
                "asked_at": at,
                "posted_at": at,
                "answers": len(replies),
                "first_answer_at": at,
                "accepted_answer_id": accepted,
                "card_version": 1,
            }
        )
        tags += [
            {"question_id": number, "tag": t, "space_id": space_id}
            for t in dict.fromkeys(question_tags)
        ]
        for reply in replies:
            answer_number += 1
            answers.append(
                {
                    "id": answer_number,
                    "space_id": space_id,
                    "number": answer_number,
                    "question_id": number,
                    "author_id": first + (number + answer_number) % MEMBERS,
                    "body": reply,
                    "votes": answer_number % 4,
                    "answered_at": at,
                    "post_version": 1,
                }
            )
        documents.append(
            (number, (title, " ".join(dict.fromkeys(question_tags)), body, "\n".join(replies)))
        )
    async with store.sessions() as session, session.begin():
        for rows, table in ((questions, QaQuestionRow), (tags, QaQuestionTagRow)):
            for start in range(0, len(rows), CHUNK):
                await session.execute(insert(table), rows[start : start + CHUNK])
        for start in range(0, len(answers), CHUNK):
            await session.execute(insert(QaAnswerRow), answers[start : start + CHUNK])
        await session.execute(
            insert(QaCounterRow).values(
                space_id=space_id, questions=QUESTIONS, answers=answer_number
            )
        )
        for question_id, parts in documents:
            await qa_search.index(session, space_id, question_id, parts)
        if session.get_bind().dialect.name == "postgresql":
            for name in ("qa_questions", "qa_answers"):
                await session.execute(
                    text(f"select setval('{name}_id_seq', (select max(id) from {name}))")
                )
    async with store.engine.begin() as connection:  # fresh statistics, as autovacuum keeps
        await connection.execute(text("ANALYZE"))
    return space_id


def queries(count: int) -> list[str]:
    rng = random.Random(3)
    weights = [1 / (rank + 1) for rank in range(len(TOPICS))]
    found = []
    for index in range(count):
        words = rng.choices(TOPICS, weights, k=2 if index % 4 else 1)
        tag = f" tag={rng.choices(TOPICS, weights)[0]}" if index % 10 == 0 else ""
        found.append(" ".join(words) + tag)
    return found


async def main() -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(url or f"sqlite+aiosqlite:///{folder}/bench.db")
        async with store.engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
        await store.create_schema()
        started = time.perf_counter()
        await seed(store)
        backend = store.engine.dialect.name
        print(
            f"seeded {QUESTIONS:,} questions and {QUESTIONS * ANSWERS_PER_QUESTION:,} answers "
            f"on {backend} in {time.perf_counter() - started:.0f} s"
        )
        core = build_core(store, ManualClock(NOW))
        samples, hits = [], []
        for index, words in enumerate(queries(WARM_UP + RUNS)):
            actor = Actor(SPACE, f"U{index % MEMBERS:06d}")
            began = time.perf_counter()
            outcome = await core.rounds.command(actor, f"qa search {words}")
            elapsed = (time.perf_counter() - began) * 1000
            said = outcome.replies[0].message.text
            assert "matching" in said or "No questions match" in said, said
            if index >= WARM_UP:
                samples.append(elapsed)
                hits.append(said.startswith("**"))
        ordered = sorted(samples)
        p95 = ordered[int(len(ordered) * 0.95)]
        p99 = ordered[int(len(ordered) * 0.99)]
        print(
            f"/rounds qa search, {RUNS} searches (1-2 words, a tenth with tag=): "
            f"p50 {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms, p99 {p99:.1f} ms; "
            f"{sum(hits)} found questions"
        )
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
