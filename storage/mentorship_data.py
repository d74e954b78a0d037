"""Mentorship's queries for members' data rights and the managers' digest and chart: one
member's offers, requests, pairs and check-ins (export), their erasure, and check-ins counted
per week in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.mentorship.model import MemberMentorship
from storage.mentorship_rows import (
    CheckinRow,
    MentorAreaRow,
    MentorRow,
    PairRow,
    RequestRow,
    SuggestionRow,
    checkin_of,
    pair_of,
    request_of,
    suggestion_of,
)
from storage.weekly import per_week


class MentorshipData:
    """Every query is filtered by space, like the rest of `SqlMentorship`."""

    session: AsyncSession

    async def export_member(self, space_id: int, member_id: int) -> MemberMentorship:
        requests = list(
            await self.session.scalars(
                select(RequestRow)
                .where(RequestRow.space_id == space_id, RequestRow.mentee_id == member_id)
                .order_by(RequestRow.id)
            )
        )
        suggestions = await self.session.scalars(
            select(SuggestionRow)
            .where(
                SuggestionRow.space_id == space_id,
                SuggestionRow.request_id.in_([r.id for r in requests]),
            )
            .order_by(SuggestionRow.request_id, SuggestionRow.rank)
        )
        by_request: dict[int, list[SuggestionRow]] = {}
        for row in suggestions:
            by_request.setdefault(row.request_id, []).append(row)
        pairs = list(
            await self.session.scalars(
                select(PairRow)
                .where(PairRow.space_id == space_id, self._in_pair(member_id))
                .order_by(PairRow.id)
            )
        )
        checkins = await self.session.scalars(
            select(CheckinRow)
            .where(
                CheckinRow.space_id == space_id,
                CheckinRow.pair_id.in_([p.id for p in pairs]),
            )
            .order_by(CheckinRow.met_at, CheckinRow.id)
        )
        suggested = await self.session.scalar(
            select(func.count()).where(
                SuggestionRow.space_id == space_id, SuggestionRow.mentor_id == member_id
            )
        )
        return MemberMentorship(
            requests=[
                (request_of(r), [suggestion_of(s) for s in by_request.get(r.id, [])])
                for r in requests
            ],
            pairs=[pair_of(p) for p in pairs],
            checkins=[checkin_of(c) for c in checkins],
            suggested=int(suggested or 0),
        )

    @staticmethod
    def _in_pair(member_id: int) -> ColumnElement[bool]:
        return or_(PairRow.mentor_id == member_id, PairRow.mentee_id == member_id)

    async def erase_member(self, space_id: int, member_id: int) -> None:
        theirs = select(PairRow.id).where(PairRow.space_id == space_id, self._in_pair(member_id))
        requests = select(RequestRow.id).where(
            RequestRow.space_id == space_id, RequestRow.mentee_id == member_id
        )
        # explicit, child rows first: no reliance on ON DELETE actions
        for statement in (
            delete(CheckinRow).where(
                CheckinRow.space_id == space_id, CheckinRow.pair_id.in_(theirs)
            ),
            delete(PairRow).where(PairRow.space_id == space_id, self._in_pair(member_id)),
            delete(SuggestionRow).where(
                SuggestionRow.space_id == space_id,
                or_(SuggestionRow.mentor_id == member_id, SuggestionRow.request_id.in_(requests)),
            ),
            delete(RequestRow).where(
                RequestRow.space_id == space_id, RequestRow.mentee_id == member_id
            ),
            delete(MentorAreaRow).where(
                MentorAreaRow.space_id == space_id, MentorAreaRow.member_id == member_id
            ),
            delete(MentorRow).where(
                MentorRow.space_id == space_id, MentorRow.member_id == member_id
            ),
        ):
            await self.session.execute(statement.execution_options(synchronize_session=False))

    async def checkins_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        return await per_week(
            self.session, CheckinRow.met_at, [CheckinRow.space_id == space_id], bounds
        )
