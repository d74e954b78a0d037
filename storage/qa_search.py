"""Peer Q&A's full-text index: SQLite FTS5 or a PostgreSQL `tsvector` table with a GIN index.

One document per posted question: its title, tags, body and the text of its answers. Both
backends get the same words (stop words removed by the core, then each backend's English
stemmer) and match all of them (or at least two, for similar questions). The engines only say
which questions match; one SQL expression ranks them the same way on both: accepted answers
first, then how many of the words the title and tags hold, then the newest.

Work per search is bounded: the newest `WINDOW` matches in the space are ranked, so a very
common word costs what a rare one does. On SQLite the space is a token in the document's
`scope` column, so that window holds only this space's questions. The tables are made by
`migrations/versions/0007_qa.py` and, for tests, by `create_all` through the hooks below.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from sqlalchemy import DDL, Table, event, text
from sqlalchemy.ext.asyncio import AsyncSession

INDEX = "fts_qa_questions"
SQLITE_CREATE = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX} USING fts5("
    "title, tags, body, answers, scope, tokenize = 'porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER IF NOT EXISTS {INDEX}_delete AFTER DELETE ON qa_questions "
    f"BEGIN DELETE FROM {INDEX} WHERE rowid = old.id; END",
)
SQLITE_DROP = (f"DROP TRIGGER IF EXISTS {INDEX}_delete", f"DROP TABLE IF EXISTS {INDEX}")
POSTGRES_CREATE = (
    f"CREATE TABLE IF NOT EXISTS {INDEX} ("
    "question_id BIGINT PRIMARY KEY REFERENCES qa_questions (id) ON DELETE CASCADE, "
    "space_id BIGINT NOT NULL, document TSVECTOR NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS {INDEX}_document ON {INDEX} USING GIN (document)",
)
POSTGRES_DROP = (f"DROP TABLE IF EXISTS {INDEX}",)
MAX_WORDS = 8
WINDOW = 1_000
"""How many of the newest matching questions are ranked."""


def scope(space_id: int) -> str:
    return f"s{space_id}"


def attach(questions: Table) -> None:
    """Create and drop the index with the questions table (`create_all`, `drop_all`)."""
    for when, dialect, statements in (
        ("after_create", "sqlite", SQLITE_CREATE),
        ("after_create", "postgresql", POSTGRES_CREATE),
        ("before_drop", "sqlite", SQLITE_DROP),
        ("before_drop", "postgresql", POSTGRES_DROP),
    ):
        for statement in statements:
            ddl = DDL(statement)  # type: ignore[no-untyped-call]
            event.listen(questions, when, ddl.execute_if(dialect=dialect))


def _postgres(session: AsyncSession) -> bool:
    return session.get_bind().dialect.name == "postgresql"


async def index(
    session: AsyncSession,
    space_id: int,
    question_id: int,
    parts: tuple[str, str, str, str],
) -> None:
    """(Re)index one question from its title, tags, body and answers."""
    title, tags, body, answers = parts
    values = {
        "id": question_id,
        "space": space_id,
        "title": title,
        "tags": tags,
        "body": body,
        "answers": answers,
    }
    if _postgres(session):
        await session.execute(
            text(
                f"INSERT INTO {INDEX} (question_id, space_id, document) VALUES (:id, :space, "
                "setweight(to_tsvector('english', :title), 'A') || "
                "setweight(to_tsvector('english', :tags), 'A') || "
                "setweight(to_tsvector('english', :body), 'B') || "
                "setweight(to_tsvector('english', :answers), 'C')) "
                "ON CONFLICT (question_id) DO UPDATE SET document = EXCLUDED.document"
            ),
            values,
        )
        return
    await session.execute(text(f"DELETE FROM {INDEX} WHERE rowid = :id"), values)
    await session.execute(
        text(
            f"INSERT INTO {INDEX} (rowid, title, tags, body, answers, scope) "
            "VALUES (:id, :title, :tags, :body, :answers, :scope)"
        ),
        {**values, "scope": scope(space_id)},
    )


async def forget(session: AsyncSession, question_ids: Sequence[int]) -> None:
    """Drop deleted questions' documents (the SQLite trigger and the PostgreSQL foreign key
    do it too; this keeps an erasure complete whatever state the index was left in)."""
    if _postgres(session) or not question_ids:
        return
    for question_id in question_ids:
        await session.execute(text(f"DELETE FROM {INDEX} WHERE rowid = :id"), {"id": question_id})


def clauses(words: Sequence[str], at_least: int) -> list[tuple[str, ...]]:
    """The groups of words of which one must match entirely: all the words, or every pair."""
    words = list(dict.fromkeys(words))[:MAX_WORDS]
    if at_least >= len(words):
        return [tuple(words)]
    return list(itertools.combinations(words, at_least))


def fts5_query(groups: list[tuple[str, ...]]) -> str:
    return " OR ".join("(" + " AND ".join(f'"{w}"' for w in group) + ")" for group in groups)


def tsquery(groups: list[tuple[str, ...]]) -> str:
    return " | ".join("(" + " & ".join(group) + ")" for group in groups)


def prefixes(words: Sequence[str]) -> list[str]:
    """What a title word must start with to count as one of `words`: all but the last three
    letters, at least four, so "negotiating" finds "negotiate" and "handover" "handovers",
    as the stemmers would."""
    return [" " + word[: max(4, len(word) - 3)] for word in dict.fromkeys(words)]


def title_hits(values: dict[str, object], words: Sequence[str]) -> str:
    """SQL counting how many of the words the title or tags hold: the same expression on both
    backends (SQLite's `instr` is PostgreSQL's `strpos`), so both rank alike."""
    text_of = (
        "' ' || replace(replace(replace(lower(q.title || ' ' || q.tags), ',', ' '), '-', ' '),"
        " '(', ' ')"
    )
    terms = []
    for index, prefix in enumerate(prefixes(words)):
        values[f"p{index}"] = prefix
        terms.append(f"(CASE WHEN instr({text_of}, :p{index}) > 0 THEN 1 ELSE 0 END)")
    return " + ".join(terms)


async def search(
    session: AsyncSession,
    space_id: int,
    words: Sequence[str],
    at_least: int,
    tag: str | None,
    limit: int,
) -> list[int]:
    """Question ids, best first: accepted answers first, then how many of the words the title
    and tags hold, then the newest. `words` are plain lowercase letters and digits; with no
    words, the questions with `tag`."""
    groups = clauses(words, at_least) if words else []
    values: dict[str, object] = {"space": space_id, "tag": tag, "window": WINDOW, "limit": limit}
    exact_tag = (
        " AND {id} IN (SELECT t.question_id FROM qa_question_tags t "
        "WHERE t.space_id = :space AND t.tag = :tag)"
        if tag
        else ""
    )
    if _postgres(session):
        terms = " AND f.document @@ to_tsquery('english', :query)" if groups else ""
        values["query"] = tsquery(groups)
        matched = (
            f"SELECT f.question_id AS id FROM {INDEX} f WHERE f.space_id = :space{terms}"
            f"{exact_tag.format(id='f.question_id')} ORDER BY f.question_id DESC LIMIT :window"
        )
    else:
        # the tag narrows the index as a phrase in the tags column; the join checks it exactly
        match = [f'scope : "{scope(space_id)}"']
        if tag:
            match.append(f'tags : "{tag.replace("-", " ")}"')
        if groups:
            match.append(f"({fts5_query(groups)})")
        values["query"] = " AND ".join(match)
        matched = (
            f"SELECT rowid AS id FROM {INDEX} WHERE {INDEX} MATCH :query "
            "ORDER BY rowid DESC LIMIT :window"
        )
    hits = f"{title_hits(values, words)} DESC, " if words else ""
    statement = (
        f"WITH matched AS ({matched}) "
        "SELECT q.id FROM matched m JOIN qa_questions q ON q.id = m.id "
        f"WHERE q.space_id = :space AND q.status = 'posted'{exact_tag.format(id='q.id')} "
        f"ORDER BY q.accepted_answer_id IS NULL, {hits}q.number DESC LIMIT :limit"
    )
    if _postgres(session):
        statement = statement.replace("instr(", "strpos(")
        # a plan made for these words: a cached generic plan cannot know how common they are
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
    rows = await session.execute(text(statement), values)
    return [int(row[0]) for row in rows]
