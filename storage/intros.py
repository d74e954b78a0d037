"""Introductions' table and repository: intro cards, and who needs the one reminder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, delete, exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain import Member
from bot.features.intros.model import INTROS, IntroCard
from storage.models import Base, MemberRow, SettingRow
from storage.repos import _insert, member_from_row


class IntroCardRow(Base):
    """A member's introduction card: how often it was posted, and the one reminder."""

    __tablename__ = "intro_cards"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    version: Mapped[int] = mapped_column(Integer, default=0)
    channel_id: Mapped[str | None] = mapped_column(String(64))
    posted_at: Mapped[datetime | None]
    reminder_planned_at: Mapped[datetime | None]


class SqlIntros:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def card(self, space_id: int, member_id: int) -> IntroCard | None:
        row = await self.session.scalar(
            select(IntroCardRow)
            .where(IntroCardRow.space_id == space_id, IntroCardRow.member_id == member_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return None
        return IntroCard(row.version, row.posted_at, row.reminder_planned_at, row.channel_id)

    async def erase_member(self, space_id: int, member_id: int) -> IntroCard | None:
        card = await self.card(space_id, member_id)
        await self.session.execute(
            delete(IntroCardRow).where(
                IntroCardRow.space_id == space_id, IntroCardRow.member_id == member_id
            )
        )
        return card

    async def without_intro(
        self, space_id: int, joined_after: datetime, joined_before: datetime
    ) -> int:
        posted = exists().where(
            IntroCardRow.member_id == MemberRow.id, IntroCardRow.posted_at.is_not(None)
        )
        count = await self.session.scalar(
            select(func.count())
            .select_from(MemberRow)
            .where(
                MemberRow.space_id == space_id,
                MemberRow.joined_at > joined_after,
                MemberRow.joined_at <= joined_before,
                ~posted,
            )
        )
        return int(count or 0)

    async def record_post(
        self, space_id: int, member_id: int, version: int, channel_id: str, at: datetime
    ) -> None:
        insert = _insert(self.session)
        changes = {"version": version, "channel_id": channel_id, "posted_at": at}
        statement = insert(IntroCardRow).values(member_id=member_id, space_id=space_id, **changes)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["member_id"],
                set_=changes,
                where=IntroCardRow.space_id == space_id,
            )
        )

    async def mark_reminder(self, space_id: int, member_id: int, at: datetime) -> None:
        insert = _insert(self.session)
        statement = insert(IntroCardRow).values(
            member_id=member_id, space_id=space_id, version=0, reminder_planned_at=at
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["member_id"],
                set_={"reminder_planned_at": at},
                where=IntroCardRow.space_id == space_id,
            )
        )

    async def needing_reminder(
        self, joined_before: datetime, joined_after: datetime, limit: int, *, setting: str
    ) -> list[Member]:
        statement = (
            select(MemberRow)
            .outerjoin(IntroCardRow, IntroCardRow.member_id == MemberRow.id)
            .join(
                SettingRow,
                (SettingRow.space_id == MemberRow.space_id) & (SettingRow.key == setting),
            )
            .where(
                MemberRow.joined_at <= joined_before,
                MemberRow.joined_at > joined_after,
                MemberRow.welcomed_at.is_not(None),
                IntroCardRow.member_id.is_(None)
                | (IntroCardRow.posted_at.is_(None) & IntroCardRow.reminder_planned_at.is_(None)),
            )
            .order_by(MemberRow.joined_at)
            .limit(limit)
        )
        return [member_from_row(row) for row in (await self.session.execute(statement)).scalars()]


REPOSITORIES = {INTROS.name: SqlIntros}
