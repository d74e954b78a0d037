"""Q&A search gives the same results on SQLite (FTS5) and PostgreSQL (tsvector) for this
corpus: the same questions, in the same order (CI runs this file on both). Accepted answers
come first, then relevance, then the newest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import SpaceKey
from bot.features.qa._parse import search_words
from bot.features.qa.model import QA, QuestionStatus, SearchQuery
from storage.store import SqlStore

SPACE = SpaceKey("console", "search")
OTHER = SpaceKey("console", "elsewhere")
AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# (title, body, tags, answers, index of the accepted answer or None)
CORPUS: list[tuple[str, str, tuple[str, ...], tuple[str, ...], int | None]] = [
    (
        "How do I negotiate protected time for a QI project?",
        "My clinical director keeps saying next quarter.",
        ("qi", "leadership"),
        ("Bring a one-page plan.", "Tie it to a departmental priority."),
        0,
    ),
    (
        "Protected time for research as a resident",
        "Is it realistic in the first year?",
        ("research",),
        ("Ask your programme director early.",),
        None,
    ),
    (
        "Handling a conflict with my supervisor",
        "We disagree about how handovers should run.",
        ("conflict",),
        ("Name the shared goal first.", "Book a neutral room."),
        1,
    ),
    (
        "Improving evening handover on a busy ward",
        "Handovers take an hour and things get missed.",
        ("handover", "qi"),
        ("Try a structured tool like SBAR.",),
        None,
    ),
    (
        "Negotiating a salary as a new pharmacist",
        "What is a fair first offer?",
        ("career",),
        ("Know the band ranges.",),
        0,
    ),
    (
        "Preventing burnout in a small team",
        "Two colleagues are on leave and the rota is thin.",
        ("wellbeing",),
        ("Protect breaks before adding shifts.", "Rotate the hardest shifts fairly."),
        None,
    ),
    (
        "Running my first morbidity and mortality meeting",
        "How do I keep it blame free?",
        ("teaching",),
        ("Set ground rules at the start.",),
        0,
    ),
    (
        "Asking for flexible training",
        "I want to work less than full time for a year.",
        ("career", "wellbeing"),
        ("Your deanery has a form for it; burnout is a valid reason.",),
        None,
    ),
    (
        "Presenting a failed PDSA cycle to the board",
        "The change made no difference.",
        ("qi",),
        (),
        None,
    ),
    (
        "A supervisor who cancels every one-to-one",
        "Third cancellation this month.",
        ("conflict", "mentorship"),
        ("Put the next three in the diary now.",),
        None,
    ),
]

QUERIES: list[tuple[str, str | None, list[int]]] = [
    ("protected time", None, [1, 2]),
    ("negotiating", None, [5, 1]),
    ("handover", None, [3, 4]),
    ("supervisor conflict", None, [3, 10]),
    ("burnout", None, [6, 8]),
    ("qi", None, [1, 9, 4]),
    ("protected time", "research", [2]),
    ("", "conflict", [3, 10]),
    ("career", "wellbeing", [8]),
    ("quantum", None, []),
]


async def seed(store: SqlStore, key: SpaceKey = SPACE) -> int:
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(key)
        members = [
            await tx.members.add(space.id, f"m{i}", f"m{i}", AT) for i in range(len(CORPUS) + 2)
        ]
        qa = tx.repo(QA)
        for index, (title, body, tags, answers, accepted) in enumerate(CORPUS):
            at = AT + timedelta(hours=index)
            question = await qa.create_question(
                space.id, members[index].id, title, body, tags, False, QuestionStatus.DRAFT, at
            )
            await qa.post_question(space.id, question.id, "qa", at)
            added = [
                await qa.add_answer(space.id, question.id, members[-1 - n].id, text, at)
                for n, text in enumerate(answers)
            ]
            if accepted is not None:
                await qa.accept(space.id, question.id, added[accepted].id)
        return space.id


async def found(store: SqlStore, space_id: int, words: str, tag: str | None) -> list[int]:
    async with store.transaction() as tx:
        hits = await tx.repo(QA).search(space_id, SearchQuery(search_words(words), tag=tag))
    return [hit.question.number or 0 for hit in hits]


@pytest.mark.parametrize(("words", "tag", "expected"), QUERIES)
async def test_search_returns_the_same_questions_in_the_same_order_on_every_backend(
    store: SqlStore, words: str, tag: str | None, expected: list[int]
) -> None:
    space_id = await seed(store)
    assert await found(store, space_id, words, tag) == expected


async def test_accepted_answers_are_listed_with_their_question(store: SqlStore) -> None:
    space_id = await seed(store)
    async with store.transaction() as tx:
        hits = await tx.repo(QA).search(space_id, SearchQuery(("protected", "time")))
    assert [h.accepted.body if h.accepted else None for h in hits] == [
        "Bring a one-page plan.",
        None,
    ]


async def test_similar_questions_need_two_words_in_common(store: SqlStore) -> None:
    space_id = await seed(store)
    async with store.transaction() as tx:
        hits = await tx.repo(QA).search(
            space_id,
            SearchQuery(search_words("Negotiating protected time with my director"), any_word=True),
        )
    assert [h.question.number for h in hits] == [1, 2]


async def test_search_never_crosses_spaces(store: SqlStore) -> None:
    await seed(store)
    other = await seed(store, OTHER)
    async with store.transaction() as tx:
        qa = tx.repo(QA)
        assert len(await qa.search(other, SearchQuery(("handover",)))) == 2
        empty = await tx.spaces.get_or_create(SpaceKey("console", "empty"))
        assert await qa.search(empty.id, SearchQuery(("handover",))) == []


def test_stop_words_and_punctuation_never_reach_the_query() -> None:
    # `and`, `or` and `not` are English stop words, so no query operator survives either
    words = search_words('How do I "negotiate" protected-time? AND OR NOT * NEAR(')
    assert words == ("negotiate", "protected", "time", "near")
