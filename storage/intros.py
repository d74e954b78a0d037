"""Repository for introductions: intro cards and who needs the one reminder."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import IntroCard, Member
from storage.models import IntroCardRow, MemberRow, SettingRow
from storage.repos import _insert, member_from_row


class SqlIntros:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def card(self, member_id: int) -> IntroCard | None:
        row = await self.session.get(IntroCardRow, member_id, populate_existing=True)
        return IntroCard(row.version, row.posted_at, row.reminder_planned_at) if row else None

    async def record_post(self, space_id: int, member_id: int, version: int, at: datetime) -> None:
        insert = _insert(self.session)
        statement = insert(IntroCardRow).values(
            member_id=member_id, space_id=space_id, version=version, posted_at=at
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["member_id"], set_={"version": version, "posted_at": at}
            )
        )

    async def mark_reminder(self, space_id: int, member_id: int, at: datetime) -> None:
        insert = _insert(self.session)
        statement = insert(IntroCardRow).values(
            member_id=member_id, space_id=space_id, version=0, reminder_planned_at=at
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["member_id"], set_={"reminder_planned_at": at}
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
