"""The outbox as dispatchers see it: atomic claims with a lease, and recording of results.
SQLite claims with one conditional `UPDATE … RETURNING`; PostgreSQL with a materialized CTE.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, and_, case, exists, func, null, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from bot.domain import Space, SpaceKey
from bot.messages import (
    ChannelPost,
    DirectMessage,
    EventListing,
    GroupMessage,
    Message,
    Target,
)
from bot.outbox import Delivery, DeliveryResult, Expired, Failed, RecordResult, Sent
from storage.errors import store_errors
from storage.models import OutboxRow, SpaceRow
from storage.outbox_rows import MAX_CHAIN
from storage.repos import target_columns

OUTBOX = cast(Table, OutboxRow.__table__)
SPACES = cast(Table, SpaceRow.__table__)
RETURNED = (
    "id",
    "space_id",
    "status",
    "dedupe_key",
    "purpose",
    "target_kind",
    "target_id",
    "thread_ref",
    "payload",
    "due_at",
    "expires_at",
    "attempts",
    "fallback_channel",
    "replaces",
    "thread_of",
    "quiet",
)


def target_from(kind: str, target_id: str, thread_ref: str | None) -> Target:
    if kind == "dm":
        return DirectMessage(target_id)
    if kind == "group":
        return GroupMessage(tuple(target_id.split(",")))
    if kind == "listing":
        return EventListing()
    return ChannelPost(target_id, thread_ref)


def superseded() -> ColumnElement[bool]:
    """The outbox row being updated has a newer version (a row that `replaces` it)."""
    newer = OUTBOX.alias("newer")
    return exists().where(
        newer.c.space_id == OUTBOX.c.space_id, newer.c.replaces == OUTBOX.c.dedupe_key
    )


def unless_superseded(status: str, at: datetime) -> dict[str, Any]:
    """Set `status`, or cancel the row (dropping its body) when a newer version exists."""
    newer = superseded()
    return {
        "status": case((newer, "cancelled"), else_=status),
        "payload": case((newer, null()), else_=OUTBOX.c.payload),
        "finished_at": case((newer, at), else_=null()),
    }


def result_values(result: DeliveryResult, at: datetime) -> dict[str, Any]:
    """The columns a result sets. Finished rows drop their message body."""
    finished = {"claimed_until": None, "payload": None, "finished_at": at}
    if isinstance(result, Sent):
        return {
            **finished,
            "status": "sent",
            "sent_ref": result.ref[:255],
            "sent_at": at,
            "last_error": result.note[:500] or None,
        }
    if isinstance(result, Failed):
        return {**finished, "status": "failed", "last_error": result.error[:500]}
    if isinstance(result, Expired):
        return {**finished, "status": "expired", "last_error": result.reason[:500] or None}
    return {
        **unless_superseded("pending", at),
        "due_at": result.due_at,
        "last_error": result.error[:500],
        "claimed_until": None,
        **(target_columns(result.target) if result.target else {}),
        **({} if result.count_attempt else {"attempts": OUTBOX.c.attempts - 1}),
    }


class SqlDeliveryQueue:
    """On SQLite a claim is one conditional `UPDATE … RETURNING` (a single writer makes it
    atomic). On PostgreSQL the candidates are picked `FOR UPDATE SKIP LOCKED` in a materialized
    CTE, so processes never claim the same row and a claim never takes more than its limit (an
    `IN (subquery)` may be re-run by the planner, each run locking further rows).
    """

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self.engine: AsyncEngine = sessions.kw["bind"]  # claims and results skip the ORM
        self._spaces: dict[int, Space] = {}

    async def claim_due(
        self,
        now: datetime,
        worker: str,
        limit: int,
        lease_until: datetime,
        *,
        platforms: list[str] | None = None,
    ) -> list[Delivery]:
        due, earlier = OUTBOX.alias("due"), OUTBOX.alias("earlier")
        earlier_in_flight = exists().where(
            earlier.c.space_id == due.c.space_id,
            earlier.c.dedupe_key == due.c.replaces,
            earlier.c.status == "claimed",
            earlier.c.claimed_until >= now,
        )
        candidates = (
            select(due.c.id)
            .where(
                due.c.due_at <= now,
                or_(
                    due.c.status == "pending",
                    and_(due.c.status == "claimed", due.c.claimed_until < now),
                ),
                or_(due.c.replaces.is_(None), ~earlier_in_flight),
            )
            .order_by(due.c.due_at, due.c.id)
            .limit(limit)
        )
        if platforms is not None:
            candidates = candidates.where(
                due.c.space_id.in_(select(SPACES.c.id).where(SPACES.c.platform.in_(platforms)))
            )
        claim = (
            update(OUTBOX)
            .values(
                **unless_superseded("claimed", now),
                claimed_by=worker,
                claimed_until=lease_until,
                attempts=OUTBOX.c.attempts + 1,
            )
            .returning(*(OUTBOX.c[name] for name in RETURNED))
        )
        async with store_errors(), self.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                picked = (
                    candidates.with_for_update(skip_locked=True, of=due)
                    .cte("picked")
                    .prefix_with("MATERIALIZED")
                )
                claim = claim.where(OUTBOX.c.id == picked.c.id)
            else:
                claim = claim.where(OUTBOX.c.id.in_(candidates.scalar_subquery()))
            returned = (await connection.execute(claim)).all()
            rows = [row for row in returned if row.status == "claimed"]
            await self._load_spaces(connection, {row.space_id for row in rows})
        deliveries = [
            Delivery(
                id=row.id,
                space=self._spaces[row.space_id],
                dedupe_key=row.dedupe_key,
                purpose=row.purpose,
                target=target_from(row.target_kind, row.target_id, row.thread_ref),
                message=Message.from_dict(json.loads(row.payload)),
                due_at=row.due_at,
                expires_at=row.expires_at,
                attempts=row.attempts,
                fallback_channel=row.fallback_channel,
                replaces=row.replaces,
                thread_of=row.thread_of,
                quiet=row.quiet,
            )
            for row in rows
        ]
        return sorted(deliveries, key=lambda d: (d.due_at, d.id))

    async def _load_spaces(self, connection: AsyncConnection, space_ids: set[int]) -> None:
        missing = space_ids - self._spaces.keys()
        if not missing:
            return
        rows = await connection.execute(select(SPACES).where(SPACES.c.id.in_(missing)))
        for row in rows:
            self._spaces[row.id] = Space(row.id, SpaceKey(row.platform, row.external_id), row.name)

    async def record(self, results: Sequence[DeliveryResult], at: datetime, *, worker: str) -> None:
        if results:
            async with store_errors(), self.engine.begin() as connection:
                await _write(connection, results, at, worker)

    @asynccontextmanager
    async def recording(self, worker: str) -> AsyncIterator[RecordResult]:
        # One connection for the whole batch, and each result one UPDATE in autocommit mode
        # (atomic and committed on its own): a pool checkout, BEGIN and COMMIT are round trips
        # of their own, to SQLite's thread or to the server. No transaction stays open between
        # results, so no send happens inside one.
        async with store_errors(), self.engine.connect() as connection:
            autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")

            async def record(result: DeliveryResult, at: datetime) -> None:
                async with store_errors():
                    await _write(autocommit, [result], at, worker)

            yield record

    async def sent_ref(self, space_id: int, dedupe_key: str) -> str | None:
        async with store_errors(), self.sessions() as session:
            key: str | None = dedupe_key
            for _ in range(MAX_CHAIN):
                if key is None:
                    return None
                row = (
                    await session.execute(
                        select(OutboxRow.status, OutboxRow.sent_ref, OutboxRow.replaces).where(
                            OutboxRow.space_id == space_id, OutboxRow.dedupe_key == key
                        )
                    )
                ).first()
                if row is None:
                    return None
                if row.status == "sent" and row.sent_ref:
                    return str(row.sent_ref)
                key = row.replaces
        return None

    async def post_of(self, space_id: int, dedupe_key: str) -> tuple[str | None, bool]:
        async with store_errors(), self.sessions() as session:
            key: str | None = dedupe_key
            for _ in range(MAX_CHAIN):
                row = (
                    await session.execute(
                        select(OutboxRow.status, OutboxRow.sent_ref).where(
                            OutboxRow.space_id == space_id, OutboxRow.dedupe_key == key
                        )
                    )
                ).first()
                if row is None or row.status in ("failed", "expired"):
                    return None, False
                if row.status == "sent" and row.sent_ref:
                    return str(row.sent_ref), False
                if row.status in ("pending", "claimed"):
                    assert key is not None
                    return await self.sent_ref(space_id, key), True
                # superseded before it went out: the post is the newer version's
                key = await session.scalar(
                    select(OutboxRow.dedupe_key)
                    .where(OutboxRow.space_id == space_id, OutboxRow.replaces == key)
                    .order_by(OutboxRow.id.desc())
                    .limit(1)
                )
                if key is None:
                    return None, False
        return None, False

    async def holders(self, now: datetime) -> list[str]:
        query = (
            select(OUTBOX.c.claimed_by)
            .where(OUTBOX.c.status == "claimed", OUTBOX.c.claimed_until >= now)
            .distinct()
        )
        async with store_errors(), self.engine.connect() as connection:
            return [row[0] for row in await connection.execute(query) if row[0]]

    async def release(self, worker: str, now: datetime) -> int:
        statement = (
            update(OUTBOX)
            .where(OUTBOX.c.status == "claimed", OUTBOX.c.claimed_by == worker)
            .values(
                status="pending",
                claimed_until=None,
                last_error="released: the process that claimed it is gone",
            )
        )
        async with store_errors(), self.engine.begin() as connection:
            result = await connection.execute(statement)
        return int(result.rowcount or 0)

    async def next_due_at(self, *, platforms: list[str] | None = None) -> datetime | None:
        query = select(func.min(OutboxRow.due_at)).where(OutboxRow.status == "pending")
        if platforms is not None:
            spaces = select(SPACES.c.id).where(SPACES.c.platform.in_(platforms))
            query = query.where(OutboxRow.space_id.in_(spaces))
        async with store_errors(), self.sessions() as session:
            value = await session.scalar(query)
        return value


async def _write(
    connection: AsyncConnection, results: Sequence[DeliveryResult], at: datetime, worker: str
) -> None:
    """One UPDATE per kind of change (a released batch is one statement, a send is one)."""
    # only rows this worker still holds: a claim that outlived its lease and was taken over
    # by another worker is that worker's to record
    mine = (OUTBOX.c.claimed_by == worker) & (OUTBOX.c.status == "claimed")
    groups: dict[DeliveryResult, list[DeliveryResult]] = {}
    for result in results:
        groups.setdefault(replace(result, delivery_id=0), []).append(result)
    for same in groups.values():
        ids = [result.delivery_id for result in same]
        which = OUTBOX.c.id == ids[0] if len(ids) == 1 else OUTBOX.c.id.in_(ids)
        await connection.execute(
            update(OUTBOX).where(which, mine).values(result_values(same[0], at))
        )
