"""The rate budget shared by every process on one database (bot/delivery/budget.py): per
platform and scope, a paced schedule's next free moment and the end of a pause. Each call is
one short transaction with nothing but the database inside it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.errors import store_errors
from storage.models import RateLimitRow

LIMITS = cast(Table, RateLimitRow.__table__)
SCOPE_LENGTH = 200
FORGET_AFTER = timedelta(days=1)
"""Scopes whose pause ended this long ago and whose schedule is idle are forgotten."""


class SqlSharedLimits:
    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine

    async def reserve(
        self, platform: str, scope: str, *, interval: float, count: int, now: float
    ) -> float:
        key = (LIMITS.c.platform == platform) & (LIMITS.c.scope == scope[:SCOPE_LENGTH])
        take = (
            update(LIMITS)
            .where(key)
            .values(
                next_at=case((LIMITS.c.next_at > now, LIMITS.c.next_at), else_=now)
                + interval * count
            )
            .returning(LIMITS.c.next_at)
        )
        async with store_errors(), self.engine.begin() as connection:
            end = (await connection.execute(take)).scalar_one_or_none()
            if end is None:  # the scope's first request anywhere
                await connection.execute(
                    _insert_for(self.engine)(LIMITS)
                    .values(platform=platform, scope=scope[:SCOPE_LENGTH], next_at=0.0)
                    .on_conflict_do_nothing(index_elements=["platform", "scope"])
                )
                end = (await connection.execute(take)).scalar_one()
        return float(end) - interval * count

    async def pause(self, platform: str, scope: str, until: datetime) -> None:
        insert = _insert_for(self.engine)
        statement = insert(LIMITS).values(
            platform=platform, scope=scope[:SCOPE_LENGTH], next_at=0.0, paused_until=until
        )
        later = statement.excluded.paused_until
        statement = statement.on_conflict_do_update(
            index_elements=["platform", "scope"],
            set_={
                "paused_until": case(
                    (LIMITS.c.paused_until.is_(None), later),
                    (LIMITS.c.paused_until < later, later),
                    else_=LIMITS.c.paused_until,
                )
            },
        )
        forget = delete(LIMITS).where(
            LIMITS.c.platform == platform,
            LIMITS.c.paused_until < until - FORGET_AFTER,
            LIMITS.c.next_at < until.timestamp() - FORGET_AFTER.total_seconds(),
        )
        async with store_errors(), self.engine.begin() as connection:
            await connection.execute(statement)
            await connection.execute(forget)

    async def pauses(self, platform: str, now: datetime) -> dict[str, datetime]:
        query = select(LIMITS.c.scope, LIMITS.c.paused_until).where(
            LIMITS.c.platform == platform, LIMITS.c.paused_until > now
        )
        async with store_errors(), self.engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return {row.scope: row.paused_until for row in rows}

    async def next_free(self, platform: str, scope: str) -> float | None:
        query = select(LIMITS.c.next_at).where(
            LIMITS.c.platform == platform, LIMITS.c.scope == scope[:SCOPE_LENGTH]
        )
        async with store_errors(), self.engine.connect() as connection:
            found = (await connection.execute(query)).scalar_one_or_none()
        return None if found is None else float(found)

    async def forget(self, platform: str, idle_before: float) -> None:
        idle = delete(LIMITS).where(
            LIMITS.c.platform == platform,
            LIMITS.c.next_at < idle_before,
            LIMITS.c.paused_until.is_(None),
        )
        async with store_errors(), self.engine.begin() as connection:
            await connection.execute(idle)


def _insert_for(engine: AsyncEngine) -> Any:
    return postgresql.insert if engine.dialect.name == "postgresql" else sqlite.insert
