"""Mentorship's repository: requests with their suggestions, pairs (from proposal to end) and
check-ins, over the tables in `mentorship_rows`; mentors' rows are in `mentorship_mentors`, and
ranking, the job's scans and the report in `mentorship_match`.

Every query is filtered by space, so an id from another space (a replayed button) finds nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.mentorship.model import (
    COMMITTED,
    MENTORSHIP,
    WAITING,
    Checkin,
    Ladder,
    Outcome,
    Pair,
    PairStatus,
    Request,
    RequestStatus,
    Suggestion,
)
from storage.mentorship_board import MentorshipBoard
from storage.mentorship_data import MentorshipData
from storage.mentorship_match import MentorshipQueries
from storage.mentorship_mentors import MentorRecords
from storage.mentorship_rows import (
    CheckinRow,
    PairRow,
    RequestRow,
    SuggestionRow,
    checkin_of,
    pair_of,
    request_of,
    statuses,
    suggestion_of,
)
from storage.repos import _insert


class SqlMentorship(MentorRecords, MentorshipQueries, MentorshipBoard, MentorshipData):
    """Mentors, requests, pairs and check-ins: the writes and the look-ups by id."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- requests ----------------------------------------------------------------------------
    async def add_request(
        self, space_id: int, mentee_id: int, goals: str, outside: bool, at: datetime
    ) -> Request:
        row = RequestRow(
            space_id=space_id,
            mentee_id=mentee_id,
            goals=goals,
            outside=outside,
            status=RequestStatus.OPEN.value,
            version=0,
            created_at=at,
            changed_at=at,
        )
        self.session.add(row)
        await self.session.flush()
        return request_of(row)

    async def request(self, space_id: int, request_id: int) -> Request | None:
        row = await self.session.scalar(
            select(RequestRow)
            .where(RequestRow.space_id == space_id, RequestRow.id == request_id)
            .execution_options(populate_existing=True)
        )
        return request_of(row) if row else None

    async def waiting_request(self, space_id: int, mentee_id: int) -> Request | None:
        row = await self.session.scalar(
            select(RequestRow)
            .where(
                RequestRow.space_id == space_id,
                RequestRow.mentee_id == mentee_id,
                RequestRow.status.in_(statuses(WAITING)),
            )
            .order_by(RequestRow.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return request_of(row) if row else None

    async def update_request(
        self,
        space_id: int,
        request_id: int,
        *,
        status: RequestStatus | None = None,
        goals: str | None = None,
        outside: bool | None = None,
    ) -> None:
        values: dict[str, object] = {}
        if status is not None:
            values["status"] = status.value
        if goals is not None:
            values["goals"] = goals
        if outside is not None:
            values["outside"] = outside
        if values:
            await self.session.execute(
                update(RequestRow)
                .where(RequestRow.space_id == space_id, RequestRow.id == request_id)
                .values(**values)
                .execution_options(synchronize_session=False)
            )

    async def suggest(
        self, space_id: int, request_id: int, suggestions: list[Suggestion]
    ) -> Request:
        await self.session.execute(
            delete(SuggestionRow).where(
                SuggestionRow.space_id == space_id, SuggestionRow.request_id == request_id
            )
        )
        status = RequestStatus.OPEN if suggestions else RequestStatus.UNMATCHED
        changed = await self.session.execute(
            update(RequestRow)
            .where(RequestRow.space_id == space_id, RequestRow.id == request_id)
            .values(version=RequestRow.version + 1, status=status.value)
            .returning(RequestRow)
            .execution_options(synchronize_session=False)
        )
        row = changed.scalar_one()
        if suggestions:
            await self.session.execute(
                _insert(self.session)(SuggestionRow),
                [
                    {
                        "request_id": request_id,
                        "space_id": space_id,
                        "rank": s.rank,
                        "mentor_id": s.mentor_id,
                        "score": s.score,
                        "reason": s.reason[:500],
                        "outcome": None,
                    }
                    for s in suggestions
                ],
            )
        return request_of(row)

    async def suggestions(self, space_id: int, request_id: int) -> list[Suggestion]:
        rows = await self.session.scalars(
            select(SuggestionRow)
            .where(SuggestionRow.space_id == space_id, SuggestionRow.request_id == request_id)
            .order_by(SuggestionRow.rank)
            .execution_options(populate_existing=True)
        )
        return [suggestion_of(row) for row in rows]

    async def mark_suggestion(
        self, space_id: int, request_id: int, mentor_id: int, outcome: Outcome
    ) -> None:
        await self.session.execute(
            update(SuggestionRow)
            .where(
                SuggestionRow.space_id == space_id,
                SuggestionRow.request_id == request_id,
                SuggestionRow.mentor_id == mentor_id,
            )
            .values(outcome=outcome.value)
            .execution_options(synchronize_session=False)
        )

    # -- pairs -------------------------------------------------------------------------------
    async def propose(
        self,
        space_id: int,
        request_id: int | None,
        mentor_id: int,
        mentee_id: int,
        at: datetime,
        respond_by: datetime,
        *,
        by_hand: bool = False,
    ) -> Pair:
        row = PairRow(
            space_id=space_id,
            request_id=request_id,
            mentor_id=mentor_id,
            mentee_id=mentee_id,
            status=PairStatus.PROPOSED.value,
            by_hand=by_hand,
            proposed_at=at,
            respond_by=respond_by,
            step=0,
        )
        self.session.add(row)
        await self.session.flush()
        await self._commit(space_id, mentor_id, +1, at)
        return pair_of(row)

    async def pair(self, space_id: int, pair_id: int) -> Pair | None:
        row = await self.session.scalar(
            select(PairRow)
            .where(PairRow.space_id == space_id, PairRow.id == pair_id)
            .execution_options(populate_existing=True)
        )
        return pair_of(row) if row else None

    async def pairs_of(
        self, space_id: int, member_id: int, statuses_: tuple[PairStatus, ...]
    ) -> list[Pair]:
        rows = await self.session.scalars(
            select(PairRow)
            .where(
                PairRow.space_id == space_id,
                or_(PairRow.mentor_id == member_id, PairRow.mentee_id == member_id),
                PairRow.status.in_(statuses(statuses_)),
            )
            .order_by(PairRow.id.desc())
            .execution_options(populate_existing=True)
        )
        return [pair_of(row) for row in rows]

    async def pair_between(
        self, space_id: int, a: int, b: int, statuses_: tuple[PairStatus, ...]
    ) -> Pair | None:
        row = await self.session.scalar(
            select(PairRow)
            .where(
                PairRow.space_id == space_id,
                or_(
                    and_(PairRow.mentor_id == a, PairRow.mentee_id == b),
                    and_(PairRow.mentor_id == b, PairRow.mentee_id == a),
                ),
                PairRow.status.in_(statuses(statuses_)),
            )
            .order_by(PairRow.id.desc())
            .limit(1)
            .execution_options(populate_existing=True)
        )
        return pair_of(row) if row else None

    async def _pair_update(
        self, space_id: int, pair_id: int, *where: object, **values: object
    ) -> bool:
        done = await self.session.execute(
            update(PairRow)
            .where(PairRow.space_id == space_id, PairRow.id == pair_id, *where)  # type: ignore[arg-type]
            .values(**values)
            .returning(PairRow.id)
            .execution_options(synchronize_session=False)
        )
        return done.first() is not None

    async def activate(self, space_id: int, pair_id: int, at: datetime, ladder: Ladder) -> bool:
        return await self._pair_update(
            space_id,
            pair_id,
            PairRow.status == PairStatus.PROPOSED.value,
            status=PairStatus.ACTIVE.value,
            started_at=at,
            respond_by=None,
            due_at=ladder.due_at,
            step=int(ladder.step),
            next_at=ladder.next_at,
        )

    async def close(self, space_id: int, pair_id: int, status: PairStatus, at: datetime) -> bool:
        # only a proposal can be declined or lapse; only a pair that is on can end
        before = COMMITTED if status is PairStatus.ENDED else (PairStatus.PROPOSED,)
        mentor_id = await self.session.scalar(
            select(PairRow.mentor_id).where(PairRow.space_id == space_id, PairRow.id == pair_id)
        )
        closed = await self._pair_update(
            space_id,
            pair_id,
            PairRow.status.in_(statuses(before)),
            status=status.value,
            ended_at=at,
            next_at=None,
        )
        if closed and mentor_id is not None:
            await self._commit(space_id, mentor_id, -1, at)
        return closed

    async def set_status(self, space_id: int, pair_id: int, status: PairStatus) -> None:
        await self._pair_update(space_id, pair_id, status=status.value)

    async def schedule(
        self, space_id: int, pair_id: int, ladder: Ladder, *, expect: Ladder | None = None
    ) -> bool:
        where = []
        if expect is not None:
            where = [
                PairRow.step == int(expect.step),
                PairRow.due_at == expect.due_at,
                PairRow.next_at.is_(None)
                if expect.next_at is None
                else PairRow.next_at == expect.next_at,
            ]
        return await self._pair_update(
            space_id,
            pair_id,
            *where,
            due_at=ladder.due_at,
            step=int(ladder.step),
            next_at=ladder.next_at,
        )

    async def set_every(self, space_id: int, pair_id: int, every: timedelta) -> None:
        await self._pair_update(space_id, pair_id, every_days=every.days)

    async def feedback(self, space_id: int, pair_id: int, member_id: int, text: str) -> None:
        pair = await self.pair(space_id, pair_id)
        if pair is None or not pair.has(member_id):
            return
        column = "mentor_feedback" if member_id == pair.mentor_id else "mentee_feedback"
        await self._pair_update(space_id, pair_id, **{column: text[:300]})

    # -- check-ins ---------------------------------------------------------------------------
    async def add_checkin(
        self, space_id: int, pair_id: int, member_id: int, met_at: datetime, note: str | None
    ) -> Checkin | None:
        if await self.pair(space_id, pair_id) is None:
            return None  # a pair of another space: nothing is written
        row = CheckinRow(
            space_id=space_id,
            pair_id=pair_id,
            member_id=member_id,
            met_at=met_at,
            note=note,
            created_at=met_at,
        )
        self.session.add(row)
        await self.session.flush()
        return checkin_of(row)


REPOSITORIES = {MENTORSHIP.name: SqlMentorship}
