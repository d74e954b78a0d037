"""The outbox as dispatchers see it: atomic claims with a lease, and bulk recording of results.

On SQLite a claim is one conditional `UPDATE … RETURNING` (SQLite has a single writer, so it is
atomic); on PostgreSQL the candidate rows are picked `FOR UPDATE SKIP LOCKED`, so several
processes never claim the same row.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.domain import Space, SpaceKey
from bot.messages import ChannelPost, DirectMessage, GroupMessage, Message, Target
from bot.ports import Delivery, DeliveryResult, Expired, Failed, Retry, Sent
from storage.models import OutboxRow, SpaceRow
from storage.repos import target_columns


def target_from(kind: str, target_id: str, thread_ref: str | None) -> Target:
    if kind == "dm":
        return DirectMessage(target_id)
    if kind == "group":
        return GroupMessage(tuple(target_id.split(",")))
    return ChannelPost(target_id, thread_ref)


class SqlDeliveryQueue:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
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
        async with self.sessions() as session, session.begin():
            due = (
                select(OutboxRow.id)
                .where(
                    OutboxRow.due_at <= now,
                    or_(
                        OutboxRow.status == "pending",
                        (OutboxRow.status == "claimed") & (OutboxRow.claimed_until < now),
                    ),
                )
                .order_by(OutboxRow.due_at, OutboxRow.id)
                .limit(limit)
            )
            if platforms is not None:
                due = due.where(
                    OutboxRow.space_id.in_(
                        select(SpaceRow.id).where(SpaceRow.platform.in_(platforms))
                    )
                )
            if session.get_bind().dialect.name == "postgresql":
                due = due.with_for_update(skip_locked=True)
            claimed = await session.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(due.scalar_subquery()))
                .values(
                    status="claimed",
                    claimed_by=worker,
                    claimed_until=lease_until,
                    attempts=OutboxRow.attempts + 1,
                )
                .returning(
                    OutboxRow.id,
                    OutboxRow.space_id,
                    OutboxRow.dedupe_key,
                    OutboxRow.purpose,
                    OutboxRow.target_kind,
                    OutboxRow.target_id,
                    OutboxRow.thread_ref,
                    OutboxRow.payload,
                    OutboxRow.due_at,
                    OutboxRow.expires_at,
                    OutboxRow.attempts,
                    OutboxRow.fallback_channel,
                    OutboxRow.replaces,
                    OutboxRow.thread_of,
                )
                .execution_options(synchronize_session=False)
            )
            rows = claimed.all()
            await self._load_spaces(session, {row.space_id for row in rows})
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
            )
            for row in rows
        ]
        return sorted(deliveries, key=lambda d: (d.due_at, d.id))

    async def _load_spaces(self, session: AsyncSession, space_ids: set[int]) -> None:
        missing = space_ids - self._spaces.keys()
        if not missing:
            return
        rows = await session.execute(select(SpaceRow).where(SpaceRow.id.in_(missing)))
        for row in rows.scalars():
            self._spaces[row.id] = Space(row.id, SpaceKey(row.platform, row.external_id), row.name)

    async def record(self, results: list[DeliveryResult], at: datetime, *, worker: str) -> None:
        changes: list[dict[str, Any]] = []
        uncounted: list[int] = []
        for result in results:
            if isinstance(result, Sent):
                changes.append(
                    {
                        "id": result.delivery_id,
                        "status": "sent",
                        "sent_ref": result.ref[:255],
                        "sent_at": at,
                        "last_error": result.note[:500] or None,
                        "claimed_until": None,
                    }
                )
            elif isinstance(result, Retry):
                changes.append(
                    {
                        "id": result.delivery_id,
                        "status": "pending",
                        "due_at": result.due_at,
                        "last_error": result.error[:500],
                        "claimed_until": None,
                        **(target_columns(result.target) if result.target else {}),
                    }
                )
                if not result.count_attempt:
                    uncounted.append(result.delivery_id)
            elif isinstance(result, Failed):
                changes.append(
                    {
                        "id": result.delivery_id,
                        "status": "failed",
                        "last_error": result.error[:500],
                        "claimed_until": None,
                    }
                )
            elif isinstance(result, Expired):
                changes.append(
                    {"id": result.delivery_id, "status": "expired", "claimed_until": None}
                )
        if not changes:
            return
        table = cast(Table, OutboxRow.__table__)
        mine = (table.c.claimed_by == worker) & (table.c.status == "claimed")
        async with self.sessions() as session, session.begin():
            if uncounted:
                await session.execute(
                    update(table)
                    .where(table.c.id.in_(uncounted), mine)
                    .values(attempts=table.c.attempts - 1)
                )
            for group in _by_keys(changes):
                # only rows this worker still holds: a claim that outlived its lease and was
                # taken over by another worker is that worker's to record
                columns = [name for name in group[0] if name != "id"]
                statement = (
                    update(table)
                    .where(table.c.id == bindparam("row_id"), mine)
                    .values({c: bindparam(f"new_{c}", type_=table.c[c].type) for c in columns})
                )
                await session.execute(
                    statement,
                    [{"row_id": ch["id"], **{f"new_{c}": ch[c] for c in columns}} for ch in group],
                )

    async def sent_ref(self, space_id: int, dedupe_key: str) -> str | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(OutboxRow.sent_ref).where(
                    OutboxRow.space_id == space_id,
                    OutboxRow.dedupe_key == dedupe_key,
                    OutboxRow.status == "sent",
                )
            )

    async def status(self, space_id: int, dedupe_key: str) -> str | None:
        async with self.sessions() as session:
            return await session.scalar(
                select(OutboxRow.status).where(
                    OutboxRow.space_id == space_id, OutboxRow.dedupe_key == dedupe_key
                )
            )

    async def next_due_at(self) -> datetime | None:
        async with self.sessions() as session:
            value = await session.scalar(
                select(func.min(OutboxRow.due_at)).where(OutboxRow.status == "pending")
            )
        return value


def _by_keys(changes: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    """Bulk UPDATE by primary key needs every row in a batch to set the same columns."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(change)), []).append(change)
    return list(groups.values())
