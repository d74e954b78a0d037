"""The audit log of configuration and moderation changes (`/rounds audit`), a core table that
the features making those changes write to. Members are kept as ids only, never names."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.ports import AuditEntry
from storage.models import AuditRow

MAX_DETAIL = 500


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        at=row.at,
        action=row.action,
        detail=row.detail,
        actor_id=row.actor_id,
        subject_id=row.subject_id,
        by_member=row.by_member,
    )


class SqlAudit:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record(
        self,
        space_id: int,
        at: datetime,
        action: str,
        detail: str,
        *,
        actor_id: int | None,
        subject_id: int | None = None,
    ) -> None:
        self.session.add(
            AuditRow(
                space_id=space_id,
                at=at,
                action=action[:40],
                detail=detail[:MAX_DETAIL],
                by_member=actor_id is not None,
                actor_id=actor_id,
                subject_id=subject_id,
            )
        )
        await self.session.flush()

    async def recent(self, space_id: int, limit: int) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditRow)
            .where(AuditRow.space_id == space_id)
            .order_by(AuditRow.at.desc(), AuditRow.id.desc())
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [_entry(row) for row in rows]

    async def about(self, space_id: int, member_id: int) -> list[AuditEntry]:
        rows = await self.session.scalars(
            select(AuditRow)
            .where(
                AuditRow.space_id == space_id,
                or_(AuditRow.actor_id == member_id, AuditRow.subject_id == member_id),
            )
            .order_by(AuditRow.at, AuditRow.id)
        )
        return [_entry(row) for row in rows]

    async def forget(self, space_id: int, member_id: int) -> None:
        # explicit, not left to ON DELETE SET NULL: the entries must name nobody even when a
        # backend runs without foreign key actions
        for column in (AuditRow.actor_id, AuditRow.subject_id):
            await self.session.execute(
                update(AuditRow)
                .where(AuditRow.space_id == space_id, column == member_id)
                .values({column.key: None})
                .execution_options(synchronize_session=False)
            )
