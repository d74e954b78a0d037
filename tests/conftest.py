"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when
ROUNDS_TEST_DATABASE_URL is set), a manual clock, and a console harness that runs transcripts."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
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


def own_database(url: str | None, worker: str | None) -> str | None:
    """With several test workers (`pytest -n 2`), each gets its own PostgreSQL database, made
    here the first time: tests empty and rebuild theirs freely."""
    if url is None or worker is None:
        return url
    import asyncpg  # type: ignore[import-untyped]
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"

    async def create() -> None:
        connection = await asyncpg.connect(
            host=parsed.host, port=parsed.port, user=parsed.username, database="postgres"
        )
        try:
            exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
            if not exists:
                await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    asyncio.run(create())
    return parsed.set(database=name).render_as_string(hide_password=False)


WORKER = os.environ.get("PYTEST_XDIST_WORKER")
PG_URL = own_database(os.environ.get("ROUNDS_TEST_DATABASE_URL"), WORKER)
if WORKER and os.environ.get("ROUNDS_MIGRATIONS_DATABASE_URL"):
    os.environ["ROUNDS_MIGRATIONS_DATABASE_URL"] = str(
        own_database(os.environ["ROUNDS_MIGRATIONS_DATABASE_URL"], WORKER)
    )


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    return PG_URL or f"sqlite+aiosqlite:///{tmp_path}/rounds.db"


async def fresh_schema(store: SqlStore) -> None:
    if store.engine.dialect.name == "postgresql":
        async with store.engine.begin() as connection:
            await connection.run_sync(Base.metadata.drop_all)
            await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await store.create_schema()


TEMPLATES: dict[str, Path] = {}
"""The SQLite database with the schema built once per test session; tests start from copies."""


async def sqlite_template(factory: pytest.TempPathFactory) -> Path:
    if "sqlite" not in TEMPLATES:
        path = factory.mktemp("template") / "rounds.db"
        built = SqlStore.from_url(f"sqlite+aiosqlite:///{path}")
        await built.create_schema()
        await built.close()
        TEMPLATES["sqlite"] = path
    return TEMPLATES["sqlite"]


@pytest_asyncio.fixture
async def store(
    database_url: str, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[SqlStore]:
    if database_url.startswith("sqlite"):
        template = await sqlite_template(tmp_path_factory)
        shutil.copyfile(template, database_url.removeprefix("sqlite+aiosqlite:///"))
        store = SqlStore.from_url(database_url)
    else:
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
