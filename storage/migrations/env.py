"""Alembic environment: async engine, URL from DATABASE_URL, batch mode on SQLite, and on
PostgreSQL an advisory lock, so processes that start together migrate one after the other."""

from __future__ import annotations

import asyncio
import os
from typing import Any, Literal

from alembic import context
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.pool import NullPool

from storage.catalog import REPOSITORIES  # noqa: F401 - registers every programme's tables
from storage.db import make_engine
from storage.migrate import compared
from storage.models import Base, UTCDateTime

config = context.config
target_metadata = Base.metadata
MIGRATION_LOCK = 0x526F756E6473  # "Rounds": one advisory lock key shared by every process
url = config.get_main_option("sqlalchemy.url") or os.environ.get(
    "DATABASE_URL", "sqlite+aiosqlite:///rounds.db"
)


def render_item(kind: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Migrations spell our UTC type as the plain column type it stores."""
    if kind == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def do_run_migrations(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode rebuilds a table by copying it and dropping the old one; with foreign keys
        # enforced, that drop would first delete (cascade) every row that references it. The
        # pragma only takes effect outside a transaction: here, before the migrations begin.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()  # ends the autobegun transaction: Alembic begins its own
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
        render_item=render_item,
        include_name=compared,
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # held until this transaction ends; the next process then reads the new version
            # and has nothing left to do, instead of creating the same tables a second time
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()
        if sqlite:  # what enforcement would have refused, refused now, before committing
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"migrations left rows with missing parents: {broken[:5]}")
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")
        connection.commit()


async def run_async_migrations() -> None:
    engine = make_engine(url, poolclass=NullPool)
    async with engine.connect() as connection:
        await connection.run_sync(do_run_migrations)
    await engine.dispose()


def run_migrations_offline() -> None:
    context.configure(
        url=url, target_metadata=target_metadata, literal_binds=True, include_name=compared
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    connection = config.attributes.get("connection")
    if connection is not None:
        do_run_migrations(connection)
    else:
        asyncio.run(run_async_migrations())
