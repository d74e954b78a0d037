"""Peer Q&A's full-text index: SQLite FTS5 or a PostgreSQL `tsvector` table with a GIN index.

One document per posted question: its title and tags (weighted most), body, and the text of
its answers. Both backends get the same words (stop words removed by the core, then each
backend's English stemmer), match all of them (or at least two, for similar questions), and
rank accepted answers first, then relevance, then the newest. The tables are made by
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
    "title, tags, body, answers, tokenize = 'porter unicode61 remove_diacritics 2')",
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
WEIGHTS = "10.0, 10.0, 4.0, 1.0"  # bm25 per column; PostgreSQL: title, tags A, body B, answers C
MAX_WORDS = 8


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
            f"INSERT INTO {INDEX} (rowid, title, tags, body, answers) "
            "VALUES (:id, :title, :tags, :body, :answers)"
        ),
        values,
    )


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


async def search(
    session: AsyncSession,
    space_id: int,
    words: Sequence[str],
    at_least: int,
    tag: str | None,
    limit: int,
) -> list[int]:
    """Question ids, best first. `words` are plain lowercase letters and digits."""
    groups = clauses(words, at_least)
    tagged = (
        " AND q.id IN (SELECT t.question_id FROM qa_question_tags t "
        "WHERE t.space_id = :space AND t.tag = :tag)"
        if tag
        else ""
    )
    values = {"space": space_id, "tag": tag, "limit": limit}
    if _postgres(session):
        statement = (
            f"SELECT q.id FROM {INDEX} f JOIN qa_questions q ON q.id = f.question_id "
            "WHERE f.space_id = :space AND f.document @@ to_tsquery('english', :query) "
            f"AND q.status = 'posted'{tagged} "
            "ORDER BY q.accepted_answer_id IS NULL, "
            "ts_rank(f.document, to_tsquery('english', :query)) DESC, q.number DESC "
            "LIMIT :limit"
        )
        values["query"] = tsquery(groups)
    else:
        statement = (
            f"SELECT q.id FROM {INDEX} f JOIN qa_questions q ON q.id = f.rowid "
            f"WHERE {INDEX} MATCH :query AND q.space_id = :space AND q.status = 'posted'"
            f"{tagged} ORDER BY q.accepted_answer_id IS NULL, bm25({INDEX}, {WEIGHTS}), "
            "q.number DESC LIMIT :limit"
        )
        values["query"] = fts5_query(groups)
    rows = await session.execute(text(statement), values)
    return [int(row[0]) for row in rows]
