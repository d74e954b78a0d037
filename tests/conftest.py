"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
ROUNDS_TEST_DATABASE_URL is set), a manual clock, and a console harness that runs transcripts."""

from __future__ import annotations

import io
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import pytest_asyncio
from hypothesis import settings
from sqlalchemy import text

from bot.bootstrap import build_console
from bot.clock import ManualClock
from storage.models import Base
from storage.store import SqlStore

for variable in ("SLACK_BOT_TOKEN", "SLACK_APP_TOKEN", "SLACK_SIGNING_SECRET", "DISCORD_TOKEN"):
    os.environ.pop(variable, None)

# No per-example deadline: on a busy 2-core CI machine a slow example is not a failure.
settings.register_profile("rounds", deadline=None, print_blob=True)
settings.load_profile("rounds")

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PG_URL = os.environ.get("ROUNDS_TEST_DATABASE_URL")


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return PG_URL or f"sqlite+aiosqlite:///{tmp_path}/rounds.db"


async def fresh_schema(store: SqlStore) -> None:
    if store.engine.dialect.name == "postgresql":
        async with store.engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await store.create_schema()


@pytest_asyncio.fixture
async def store(database_url: str) -> AsyncIterator[SqlStore]:
    store = SqlStore.from_url(database_url)
    await fresh_schema(store)
    yield store
    await store.close()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


Transcript = Callable[[str], Awaitable[str]]


@pytest.fixture
def transcript(store: SqlStore) -> Transcript:
    """Run console instructions against one community; returns what the bot printed."""
    out = io.StringIO()
    _, console = build_console(store, ManualClock(START), out)

    async def run(lines: str) -> str:
        start = out.tell()
        await console.run_lines(lines.strip().splitlines())
        return out.getvalue()[start:]

    return run
