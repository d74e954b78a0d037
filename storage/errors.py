"""Database failures as the core knows them: `StoreBusy` (a lock or a conflict: try again in
a moment) and `StoreUnavailable` (the server cannot be reached: try again later). Nothing was
written in either case; anything else is a bug and goes up as it is."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import DBAPIError

from bot.errors import StoreBusy, StoreUnavailable

BUSY_SQLSTATES = {"40001", "40P01", "55P03"}  # serialization failure, deadlock, lock timeout
GONE_SQLSTATES = {"57P01", "57P02", "57P03", "53300"}
"""Administrator shutdown, crash shutdown, cannot connect now (starting), too many clients."""
GONE_WORDS = (
    "connection refused",
    "connection was closed",
    "connection is closed",
    "connection reset",
    "connection does not exist",
    "terminating connection",
    "the database system is",
    "cannot connect",
    "unable to open database",
    "disk i/o error",
)


def is_busy(error: DBAPIError) -> bool:
    """A database too busy to take this transaction now (nothing was written)."""
    text = str(error.orig).lower()
    if "database is locked" in text or "database table is locked" in text:
        return True
    return getattr(error.orig, "sqlstate", None) in BUSY_SQLSTATES


def is_gone(error: BaseException) -> bool:
    """A database that cannot be reached: refused, dropped, shutting down or starting up."""
    if isinstance(error, DBAPIError):
        if error.connection_invalidated:
            return True
        state = str(getattr(error.orig, "sqlstate", "") or "")
        if state.startswith("08") or state in GONE_SQLSTATES:
            return True
        cause: BaseException | None = error.orig
    else:
        cause = error
    while cause is not None:
        if isinstance(cause, OSError | TimeoutError):
            return True
        if any(word in str(cause).lower() for word in GONE_WORDS):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def translated(error: BaseException) -> StoreBusy | None:
    """The core's error for a database failure; None when it is none of the known kinds."""
    if isinstance(error, DBAPIError) and is_busy(error):
        name = type(error.orig).__name__ if error.orig is not None else type(error).__name__
        return StoreBusy(name)
    if isinstance(error, DBAPIError | OSError | TimeoutError) and is_gone(error):
        return StoreUnavailable(type(error).__name__)
    return None


@asynccontextmanager
async def store_errors() -> AsyncIterator[None]:
    """Raise database failures inside the block as `StoreBusy` or `StoreUnavailable`."""
    try:
        yield
    except (DBAPIError, OSError, TimeoutError) as error:
        known = translated(error)
        if known is None:
            raise
        raise known from None
