"""Apply migrations from code (`rounds db upgrade`, and at start), without alembic.ini."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, text
from sqlalchemy.pool import NullPool

from storage.db import make_engine
from storage.directory_index import alembic_compares
from storage.fts import include_name

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger(__name__)

HEAD = "0013"
"""The newest migration's revision (tests/test_migrations.py checks it is Alembic's head). A
database already there starts without loading Alembic and every migration script: that took
about a second of each start."""

MIGRATIONS = Path(__file__).parent / "migrations"


def compared(name: str | None, type_: str, parent_names: Any) -> bool:
    """What Alembic compares with the models: not the full-text index tables (storage/fts.py)
    nor the directory's search table and trigram indexes (storage/directory_index.py)."""
    return include_name(name, type_, parent_names) and alembic_compares(name, type_, parent_names)


def alembic_config(url: str) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str) -> None:
    """Bring the database at `url` to the latest schema. Call outside a running event loop."""
    try:
        if asyncio.run(revisions(url)) == [HEAD]:
            return
    except Exception:  # Alembic says what is wrong: its message is the clear one
        log.debug("could not read the schema's revision; running the migrations", exc_info=True)
    from alembic import command

    command.upgrade(alembic_config(url), "head")


async def revisions(url: str) -> list[str]:
    """The revisions the database at `url` is at ([] for a new database)."""
    engine = make_engine(url, poolclass=NullPool)
    try:
        async with engine.connect() as connection:
            if not await connection.run_sync(
                lambda sync: inspect(sync).has_table("alembic_version")
            ):
                return []
            found = await connection.execute(text("SELECT version_num FROM alembic_version"))
            return [str(revision) for revision in found.scalars()]
    finally:
        await engine.dispose()
