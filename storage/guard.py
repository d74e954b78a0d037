"""The guard's one table: each "Post anyway" a member chose, counted without the text."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.guard.model import GUARD
from bot.guard.rules import Kind
from storage.models import Base, Id


class GuardOverrideRow(Base):
    __tablename__ = "guard_overrides"
    __table_args__ = (Index("ix_guard_overrides_space_at", "space_id", "at"),)

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(40))
    kinds: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


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


REPOSITORIES = {GUARD.name: SqlGuard}
