"""Engine and session factory: SQLite in WAL mode with foreign keys and a busy timeout."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

BUSY_TIMEOUT = 5.0
"""Seconds a SQLite statement waits for another connection's write lock before giving up."""
SQLITE_CONNECTIONS = 4
"""At most this many connections to one SQLite file per process. SQLite takes one writer at a
time and makes the others sleep and retry (1 ms, 2 ms, … up to 100 ms a time): with fifteen
connections a burst of writes left some waiting two seconds. Four covers a dispatcher per
platform holding its recording connection while it asks for one more, with one to spare."""


def make_engine(url: str, *, busy_timeout: float = BUSY_TIMEOUT, **kwargs: Any) -> AsyncEngine:
    parsed = make_url(url)
    pooled = "poolclass" not in kwargs and parsed.database not in (None, "", ":memory:")
    if parsed.get_backend_name() == "sqlite" and pooled:
        kwargs.setdefault("pool_size", SQLITE_CONNECTIONS)
        kwargs.setdefault("max_overflow", 0)
    # hide_parameters: a database error must never carry member-written text into the logs
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    wait_ms = int(busy_timeout * 1000)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine.sync_engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={wait_ms}")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

    return engine


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)
