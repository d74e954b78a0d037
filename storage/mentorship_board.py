"""Mentorship's reads for the managers' dashboard: current pairs with their latest check-in,
waiting requests and mentors at capacity, each in one query."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.mentorship.model import (
    CURRENT,
    DEFAULT_CAPACITY,
    WAITING,
    Pair,
    Request,
)
from storage.mentorship_rows import (
    CheckinRow,
    MentorRow,
    PairRow,
    RequestRow,
    pair_of,
    request_of,
    statuses,
)


class MentorshipBoard:
    session: AsyncSession

    async def board_pairs(self, space_id: int) -> list[tuple[Pair, datetime | None]]:
        latest = (
            select(CheckinRow.pair_id, func.max(CheckinRow.met_at).label("met_at"))
            .where(CheckinRow.space_id == space_id)
            .group_by(CheckinRow.pair_id)
            .subquery()
        )
        rows = await self.session.execute(
            select(PairRow, latest.c.met_at)
            .outerjoin(latest, latest.c.pair_id == PairRow.id)
            .where(PairRow.space_id == space_id, PairRow.status.in_(statuses(CURRENT)))
            .order_by(PairRow.id)
        )
        return [(pair_of(row), met_at) for row, met_at in rows]

    async def board_requests(self, space_id: int) -> list[Request]:
        rows = await self.session.scalars(
            select(RequestRow)
            .where(RequestRow.space_id == space_id, RequestRow.status.in_(statuses(WAITING)))
            .order_by(RequestRow.created_at, RequestRow.id)
        )
        return [request_of(row) for row in rows]

    async def board_full_mentors(self, space_id: int) -> list[tuple[int, int, int]]:
        capacity = func.coalesce(MentorRow.capacity, DEFAULT_CAPACITY)
        commitments = func.coalesce(MentorRow.commitments, 0)
        rows = await self.session.execute(
            select(MentorRow.member_id, commitments, capacity)
            .where(
                MentorRow.space_id == space_id,
                MentorRow.left_at.is_(None),
                commitments >= capacity,
            )
            .order_by(MentorRow.member_id)
        )
        return [(int(m), int(c), int(cap)) for m, c, cap in rows]
