"""The dashboard's tables (sign-in links and sessions, by their tokens' SHA-256 only) and its
repository, which also counts the members' totals of the overview in one query."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    String,
    and_,
    case,
    delete,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.features.dashboard.model import DASHBOARD, Grant, MemberTotals
from storage.models import Base, Id, MemberRow


class DashboardLinkRow(Base):
    """A one-time sign-in link: its token's hash, whom it is for, until when, and its use."""

    __tablename__ = "dashboard_links"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    space_id: Mapped[int] = mapped_column(Id, ForeignKey("spaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(
        Id, ForeignKey("members.id", ondelete="CASCADE"), index=True
    )
    platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    used_at: Mapped[datetime | None]


class DashboardSessionRow(Base):
    """A signed-in browser: its cookie's hash, whom it is for, until when, and its end."""

    __tablename__ = "dashboard_sessions"
    __table_args__ = (Index("ix_dashboard_sessions_member", "space_id", "member_id"),)

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    space_id: Mapped[int] = mapped_column(Id, ForeignKey("spaces.id", ondelete="CASCADE"))
    member_id: Mapped[int] = mapped_column(Id, ForeignKey("members.id", ondelete="CASCADE"))
    platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    ended_at: Mapped[datetime | None]


def _grant(row: DashboardLinkRow | DashboardSessionRow) -> Grant:
    return Grant(row.space_id, row.member_id, row.platform_admin, row.expires_at)


class SqlDashboard:
    def __init__(self, session: AsyncSession) -> None:
        self.db = session

    async def _add(
        self,
        row: type[DashboardLinkRow] | type[DashboardSessionRow],
        token_hash: str,
        grant: Grant,
        at: datetime,
    ) -> None:
        self.db.add(
            row(
                token_hash=token_hash,
                space_id=grant.space_id,
                member_id=grant.member_id,
                platform_admin=grant.platform_admin,
                created_at=at,
                expires_at=grant.expires_at,
            )
        )
        await self.db.flush()

    async def add_link(self, token_hash: str, grant: Grant, at: datetime) -> None:
        await self._add(DashboardLinkRow, token_hash, grant, at)

    async def link(self, token_hash: str, now: datetime) -> Grant | None:
        row = await self.db.scalar(
            select(DashboardLinkRow).where(
                DashboardLinkRow.token_hash == token_hash,
                DashboardLinkRow.used_at.is_(None),
                DashboardLinkRow.expires_at > now,
            )
        )
        return _grant(row) if row is not None else None

    async def use_link(self, token_hash: str, now: datetime) -> Grant | None:
        # one conditional UPDATE: two browsers opening the same link at once get one session
        row = (
            await self.db.execute(
                update(DashboardLinkRow)
                .where(
                    DashboardLinkRow.token_hash == token_hash,
                    DashboardLinkRow.used_at.is_(None),
                    DashboardLinkRow.expires_at > now,
                )
                .values(used_at=now)
                .returning(
                    DashboardLinkRow.space_id,
                    DashboardLinkRow.member_id,
                    DashboardLinkRow.platform_admin,
                    DashboardLinkRow.expires_at,
                )
            )
        ).first()
        if row is None:
            return None
        return Grant(int(row[0]), int(row[1]), bool(row[2]), row[3])

    async def add_session(self, token_hash: str, grant: Grant, at: datetime) -> None:
        await self._add(DashboardSessionRow, token_hash, grant, at)

    def _live(self, space_id: int, now: datetime) -> list[Any]:
        return [
            DashboardSessionRow.space_id == space_id,
            DashboardSessionRow.ended_at.is_(None),
            DashboardSessionRow.expires_at > now,
        ]

    async def session(self, space_id: int, token_hash: str, now: datetime) -> Grant | None:
        row = await self.db.scalar(
            select(DashboardSessionRow).where(
                DashboardSessionRow.token_hash == token_hash, *self._live(space_id, now)
            )
        )
        return _grant(row) if row is not None else None

    async def end_session(self, space_id: int, token_hash: str, at: datetime) -> None:
        await self.db.execute(
            update(DashboardSessionRow)
            .where(
                DashboardSessionRow.space_id == space_id,
                DashboardSessionRow.token_hash == token_hash,
                DashboardSessionRow.ended_at.is_(None),
            )
            .values(ended_at=at)
        )

    async def end_sessions(self, space_id: int, member_id: int, at: datetime) -> int:
        result = await self.db.execute(
            update(DashboardSessionRow)
            .where(DashboardSessionRow.member_id == member_id, *self._live(space_id, at))
            .values(ended_at=at)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def purge(self, before: datetime) -> int:
        links = await self.db.execute(
            delete(DashboardLinkRow).where(DashboardLinkRow.expires_at < before)
        )
        sessions = await self.db.execute(
            delete(DashboardSessionRow).where(DashboardSessionRow.expires_at < before)
        )
        return int(links.rowcount or 0) + int(sessions.rowcount or 0)  # type: ignore[attr-defined]

    async def member_totals(self, space_id: int, since: datetime) -> MemberTotals:
        profiled = or_(
            MemberRow.profession.is_not(None),
            MemberRow.stage.is_not(None),
            MemberRow.specialty.is_not(None),
            MemberRow.institution.is_not(None),
            MemberRow.region.is_not(None),
            and_(MemberRow.interests.is_not(None), MemberRow.interests != "[]"),
            and_(MemberRow.goals.is_not(None), MemberRow.goals != "[]"),
        )
        row = (
            await self.db.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(case((MemberRow.joined_at >= since, 1), else_=0)), 0),
                    func.coalesce(func.sum(case((profiled, 1), else_=0)), 0),
                ).where(MemberRow.space_id == space_id)
            )
        ).one()
        return MemberTotals(int(row[0]), int(row[1]), int(row[2]))


REPOSITORIES = {DASHBOARD.name: SqlDashboard}
