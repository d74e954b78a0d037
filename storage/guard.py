"""The guard's tables: each "Post anyway" a member chose, without the text, and the warnings
given per day and feature, naming nobody."""

from __future__ import annotations

from datetime import UTC, datetime, time

from sqlalchemy import ForeignKey, Index, Integer, String, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.guard.model import GUARD
from bot.guard.rules import Kind
from storage.models import Base, Id
from storage.repos import _insert


class GuardOverrideRow(Base):
    __tablename__ = "guard_overrides"
    __table_args__ = (Index("ix_guard_overrides_space_at", "space_id", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    kinds: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class GuardWarningRow(Base):
    __tablename__ = "guard_warnings"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[datetime] = mapped_column(primary_key=True)
    """Midnight UTC of the day the warnings were given."""
    purpose: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer, default=0)


def day_of(at: datetime) -> datetime:
    return datetime.combine(at.astimezone(UTC).date(), time(0), tzinfo=UTC)


class SqlGuard:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def record_override(
        self, space_id: int, member_id: int, purpose: str, kinds: frozenset[Kind], at: datetime
    ) -> None:
        await self.session.execute(
            insert(GuardOverrideRow).values(
                space_id=space_id,
                member_id=member_id,
                purpose=purpose[:40],
                kinds=",".join(sorted(kinds))[:100],
                at=at,
            )
        )

    async def overrides_since(self, space_id: int, since: datetime) -> dict[str, int]:
        rows = await self.session.execute(
            select(GuardOverrideRow.purpose, func.count())
            .where(GuardOverrideRow.space_id == space_id, GuardOverrideRow.at >= since)
            .group_by(GuardOverrideRow.purpose)
        )
        return {purpose: int(count) for purpose, count in rows}

    async def record_warning(self, space_id: int, purpose: str, at: datetime) -> None:
        statement = _insert(self.session)(GuardWarningRow).values(
            space_id=space_id, day=day_of(at), purpose=purpose[:40], count=1
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["space_id", "day", "purpose"],
                set_={"count": GuardWarningRow.count + 1},
            )
        )

    async def warnings_since(self, space_id: int, since: datetime) -> int:
        total = await self.session.scalar(
            select(func.coalesce(func.sum(GuardWarningRow.count), 0)).where(
                GuardWarningRow.space_id == space_id, GuardWarningRow.day >= day_of(since)
            )
        )
        return int(total or 0)

    async def member_overrides(
        self, space_id: int, member_id: int
    ) -> list[tuple[str, frozenset[Kind], datetime]]:
        rows = await self.session.execute(
            select(GuardOverrideRow.purpose, GuardOverrideRow.kinds, GuardOverrideRow.at)
            .where(GuardOverrideRow.space_id == space_id, GuardOverrideRow.member_id == member_id)
            .order_by(GuardOverrideRow.at)
        )
        return [
            (purpose, frozenset(Kind(k) for k in kinds.split(",") if k), at)
            for purpose, kinds, at in rows
        ]

    async def erase_member(self, space_id: int, member_id: int) -> None:
        await self.session.execute(
            delete(GuardOverrideRow).where(
                GuardOverrideRow.space_id == space_id, GuardOverrideRow.member_id == member_id
            )
        )


REPOSITORIES = {GUARD.name: SqlGuard}
