"""The insight feature's table (when each space's weekly digest was planned) and repository,
which also counts new members per week for the chart (in SQL, over the members' index)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.features.insight.model import INSIGHT
from storage.models import Base, MemberRow
from storage.repos import _insert
from storage.weekly import per_week


class InsightDigestRow(Base):
    """One row per space and scheduled digest: planned (sent), or skipped (nothing to say)."""

    __tablename__ = "insight_digests"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    scheduled_at: Mapped[datetime] = mapped_column(primary_key=True)
    planned_at: Mapped[datetime]
    sent: Mapped[bool] = mapped_column(Boolean, default=True)


class SqlInsight:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def last_digest(self, space_id: int) -> datetime | None:
        return await self.session.scalar(
            select(func.max(InsightDigestRow.scheduled_at)).where(
                InsightDigestRow.space_id == space_id
            )
        )

    async def started_at(self, space_id: int) -> datetime | None:
        return await self.session.scalar(
            select(func.min(MemberRow.joined_at)).where(MemberRow.space_id == space_id)
        )

    async def mark_digest(
        self, space_id: int, scheduled_at: datetime, at: datetime, *, sent: bool
    ) -> bool:
        statement = (
            _insert(self.session)(InsightDigestRow)
            .values(space_id=space_id, scheduled_at=scheduled_at, planned_at=at, sent=sent)
            .on_conflict_do_nothing(index_elements=["space_id", "scheduled_at"])
            .returning(InsightDigestRow.space_id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def new_members_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        return await per_week(
            self.session, MemberRow.joined_at, [MemberRow.space_id == space_id], bounds
        )


REPOSITORIES = {INSIGHT.name: SqlInsight}
