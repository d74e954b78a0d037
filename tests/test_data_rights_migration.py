"""Migration 0009 on a community with Q&A: making authors optional rebuilds the Q&A tables on
SQLite, and must keep every question, answer, tag and vote (no cascade), and the trigger that
keeps the search index in step."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import upgrade
from tests.test_migrations import migrations_url, reset

AT = "'2026-01-01 00:00:00+00'"
SEED = (
    "insert into spaces (platform, external_id, name, created_at) "
    f"values ('console', 'console', '', {AT})",
    "insert into members (space_id, user_id, display_name, joined_at, is_manager, interests,"
    f" goals, search_text) values ((select min(id) from spaces), 'ben', 'ben', {AT}, false,"
    " '[]', '[]', '')",
    "insert into qa_questions (space_id, number, author_id, anonymous, title, body, tags,"
    " status, asked_at, answers, card_version) values ((select min(id) from spaces), 1,"
    f" (select min(id) from members), false, 'Rota swaps', '', 'rota', 'posted', {AT}, 1, 1)",
    "insert into qa_question_tags (question_id, tag, space_id) values"
    " ((select min(id) from qa_questions), 'rota', (select min(id) from spaces))",
    "insert into qa_answers (space_id, number, question_id, author_id, body, votes,"
    " answered_at, post_version) values ((select min(id) from spaces), 1, (select min(id)"
    f" from qa_questions), (select min(id) from members), 'Swap early', 1, {AT}, 1)",
    "insert into qa_votes (answer_id, member_id, space_id, at) values ((select min(id) from"
    f" qa_answers), (select min(id) from members), (select min(id) from spaces), {AT})",
)
COUNTED = ("qa_questions", "qa_question_tags", "qa_answers", "qa_votes")


def test_upgrading_to_0009_keeps_every_question_and_answer(tmp_path: Path) -> None:
    from alembic import command

    from storage.migrate import alembic_config

    url = migrations_url(tmp_path)
    asyncio.run(reset(url))
    command.upgrade(alembic_config(url), "0005")

    async def seed() -> None:
        engine = make_engine(url)
        async with engine.begin() as connection:
            for statement in SEED:
                await connection.execute(text(statement))
        await engine.dispose()

    async def read() -> tuple[list[int], bool, int]:
        engine = make_engine(url)
        async with engine.begin() as connection:
            counts = [
                int((await connection.execute(text(f"select count(*) from {t}"))).scalar_one())
                for t in COUNTED
            ]
            # an anonymised answer: no author any more
            await connection.execute(text("update qa_answers set author_id = null"))
            sqlite = engine.dialect.name == "sqlite"
            trigger = not sqlite or bool(
                (
                    await connection.execute(
                        text(
                            "select count(*) from sqlite_master where type = 'trigger' "
                            "and name = 'fts_qa_questions_delete'"
                        )
                    )
                ).scalar_one()
            )
            foreign_keys = 1
            if sqlite:
                foreign_keys = int(
                    (await connection.execute(text("PRAGMA foreign_keys"))).scalar_one()
                )
        await engine.dispose()
        return counts, trigger, foreign_keys

    asyncio.run(seed())
    upgrade(url)
    counts, trigger, foreign_keys = asyncio.run(read())
    assert counts == [1, 1, 1, 1]
    assert trigger
    assert foreign_keys == 1  # enforcement is back on for the running bot's connections
