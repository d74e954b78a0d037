"""Mentorship's read-heavy queries: ranking mentors for a request in the database, the check-in
job's scans, members' check-in logs and the managers' report.

Ranking scores every mentor with room in one statement (points from the query the core built,
so the database and the explanation agree) and returns only the best few: thousands of mentors
never cross into Python.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    FromClause,
    Integer,
    and_,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    type_coerce,
    union,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped

from bot.features.mentorship.model import (
    COMMITTED,
    DEFAULT_CAPACITY,
    Candidate,
    Checkin,
    MatchQuery,
    Numbers,
    Pair,
    PairStatus,
    RequestStatus,
    Standing,
    Step,
)
from storage.mentorship_rows import (
    CheckinRow,
    MentorAreaRow,
    MentorRow,
    PairRow,
    RequestRow,
    checkin_of,
    pair_of,
    statuses,
)
from storage.models import MemberInterestRow, MemberRow, UTCDateTime


def by_count(count: ColumnElement[Any], points: tuple[int, ...]) -> ColumnElement[Any]:
    """Points by a count, the last entry for that many or more (as the core's tables read).
    A simple CASE: the count (a subquery, for areas) is worked out once per row."""
    top = len(points) - 1
    return case({n: points[n] for n in range(top)}, value=count, else_=points[top])


def not_paused(mentor: type[MentorRow], now: datetime) -> ColumnElement[bool]:
    return or_(
        mentor.paused_at.is_(None),
        and_(mentor.paused_until.is_not(None), mentor.paused_until <= now),
    )


class MentorshipQueries:
    session: AsyncSession

    def _folded(self, column: Mapped[str | None]) -> ColumnElement[Any]:
        """A profile field compared without case (the core lowercases the other side; values
        are stored trimmed). SQLite's NOCASE compares in place: no string per row to build."""
        if self.session.get_bind().dialect.name == "sqlite":
            return column.collate("NOCASE")
        return func.lower(column)

    async def find_mentors(self, space_id: int, query: MatchQuery) -> list[Candidate]:
        member, mentor = MemberRow, MentorRow
        spare = func.coalesce(mentor.capacity, DEFAULT_CAPACITY) - func.coalesce(
            mentor.commitments, 0
        )
        where = [
            member.space_id == space_id,
            member.open_to_mentor.is_(True),
            member.id != query.mentee_id,
            or_(
                mentor.member_id.is_(None),
                and_(mentor.left_at.is_(None), not_paused(mentor, query.now)),
            ),
            spare > 0,
        ]
        parts: list[ColumnElement[Any]] = [by_count(spare, query.spare_points)]
        if query.specialty:
            same = self._folded(member.specialty) == query.specialty
            parts.append(case((same, query.specialty_points), else_=0))
        if query.stage_points:
            stages = [(member.stage == s, p) for s, p in query.stage_points.items()]
            parts.append(case(*stages, else_=0))
        if query.zone_points:
            zones = [(member.timezone.in_(names), p) for p, names in query.zone_points]
            parts.append(case(*zones, else_=0))
        light = sum(parts[1:], parts[0])  # everything but the areas: cheap for every row
        source: FromClause = member.__table__
        if query.areas and query.sharing:
            # the ranking starts from the few found through the areas' index, counted there
            # (offered and in the profile): no other member is read, no count made per mentor
            counts = self._sharing(space_id, query)
            source = counts.join(member, member.id == counts.c.member_id)
            shared: ColumnElement[Any] = case(
                (mentor.own_areas.is_(True), counts.c.offered), else_=counts.c.profiled
            )
            parts.append(by_count(shared, query.area_points))
            where.append(shared >= query.sharing)
        elif query.areas:
            # counted per mentor through the primary keys (member, area); `|| ''` keeps the
            # planner from probing the key once per phrase
            offered = (
                select(func.count())
                .where(
                    MentorAreaRow.member_id == member.id,
                    MentorAreaRow.area.concat("").in_(query.areas),
                )
                .scalar_subquery()
            )
            profiled = (
                select(func.count())
                .where(
                    MemberInterestRow.member_id == member.id,
                    MemberInterestRow.interest.concat("").in_(query.areas),
                )
                .scalar_subquery()
            )
            shared = case((mentor.own_areas.is_(True), offered), else_=profiled)
            parts.append(by_count(shared, query.area_points))
        score = sum(parts[1:], parts[0])
        current = select(PairRow.mentor_id).where(
            PairRow.space_id == space_id,
            PairRow.mentee_id == query.mentee_id,
            PairRow.status.in_(statuses(COMMITTED)),
        )
        where.append(member.id.not_in(current))
        if query.request_id is not None:
            tried = select(PairRow.mentor_id).where(
                PairRow.space_id == space_id, PairRow.request_id == query.request_id
            )
            where.append(member.id.not_in(tried))
        if query.institution:
            place = self._folded(member.institution)
            where.append(or_(member.institution.is_(None), place != query.institution))
        if query.specialty_only and query.specialty:
            where.append(self._folded(member.specialty) == query.specialty)
        if query.floor is not None:  # rows that can't reach it skip the areas' look-ups
            where.append(light >= query.floor)
        ranked = score.label("score")
        statement = (
            select(member.id, spare.label("spare"), mentor.own_areas, ranked)
            .select_from(source)
            .outerjoin(mentor, mentor.member_id == member.id)
            .where(*where)
            .order_by(ranked.desc(), member.id)
            .limit(query.limit)
        )
        rows = (await self.session.execute(statement)).all()
        own = [row.id for row in rows if row.own_areas]
        labels: dict[int, list[str]] = defaultdict(list)
        if own:
            # by the primary key (member, area); `+ 0` keeps SQLite's planner, without
            # statistics, from walking all the space's areas in their order instead
            found = await self.session.execute(
                select(MentorAreaRow.member_id, MentorAreaRow.label)
                .where(MentorAreaRow.member_id.in_(own), MentorAreaRow.space_id + 0 == space_id)
                .order_by(MentorAreaRow.area)
            )
            for member_id, label in found:
                labels[member_id].append(label)
        return [
            Candidate(
                row.id,
                int(row.spare),
                tuple(labels[row.id]) if row.own_areas else None,
                int(row.score),
            )
            for row in rows
        ]

    @staticmethod
    def _sharing(space_id: int, query: MatchQuery) -> Any:
        """Members with at least `query.sharing` of the areas, offered or in their profile,
        with how many they offered and how many their profile has."""
        one, zero = literal_column("1", Integer), literal_column("0", Integer)
        hits = union_all(
            select(MentorAreaRow.member_id, one.label("offered"), zero.label("profiled")).where(
                MentorAreaRow.space_id == space_id, MentorAreaRow.area.in_(query.areas)
            ),
            select(MemberInterestRow.member_id, zero, one).where(
                MemberInterestRow.space_id == space_id,
                MemberInterestRow.interest.in_(query.areas),
            ),
        ).subquery()
        return (
            select(
                hits.c.member_id,
                func.sum(hits.c.offered).label("offered"),
                func.sum(hits.c.profiled).label("profiled"),
            )
            .group_by(hits.c.member_id)
            .having(func.count() >= query.sharing)
            .subquery()
        )

    async def lapsed(self, space_id: int, now: datetime, limit: int) -> list[Pair]:
        rows = await self.session.scalars(
            select(PairRow)
            .where(
                PairRow.space_id == space_id,
                PairRow.status == PairStatus.PROPOSED.value,
                PairRow.respond_by <= now,
            )
            .order_by(PairRow.respond_by, PairRow.id)
            .limit(limit)
        )
        return [pair_of(row) for row in rows]

    async def due(self, space_id: int, now: datetime, limit: int) -> list[Pair]:
        rows = await self.session.scalars(
            select(PairRow)
            .outerjoin(MentorRow, MentorRow.member_id == PairRow.mentor_id)
            .where(
                PairRow.space_id == space_id,
                PairRow.status == PairStatus.ACTIVE.value,
                PairRow.next_at <= now,
                or_(MentorRow.member_id.is_(None), not_paused(MentorRow, now)),
            )
            .order_by(PairRow.next_at, PairRow.id)
            .limit(limit)
            .execution_options(populate_existing=True)
        )
        return [pair_of(row) for row in rows]

    async def spaces_with_due_work(self, now: datetime) -> list[int]:
        due = select(PairRow.space_id).where(
            PairRow.status == PairStatus.ACTIVE.value, PairRow.next_at <= now
        )
        lapsed = select(PairRow.space_id).where(
            PairRow.status == PairStatus.PROPOSED.value, PairRow.respond_by <= now
        )
        rows = await self.session.scalars(union(due, lapsed))
        return sorted(set(rows))

    async def next_due_at(self) -> datetime | None:
        """The earliest lapse or ladder step in any space; a paused mentor's pairs count from
        the end of the pause (never, for a pause without an end)."""
        paused = and_(MentorRow.paused_until.is_not(None), MentorRow.paused_until > PairRow.next_at)
        step = case((paused, MentorRow.paused_until), else_=PairRow.next_at)
        ladder = await self.session.scalar(
            select(func.min(type_coerce(step, UTCDateTime())))
            .select_from(PairRow)
            .outerjoin(MentorRow, MentorRow.member_id == PairRow.mentor_id)
            .where(
                PairRow.status == PairStatus.ACTIVE.value,
                PairRow.next_at.is_not(None),
                or_(MentorRow.paused_at.is_(None), MentorRow.paused_until.is_not(None)),
            )
        )
        answer = await self.session.scalar(
            select(func.min(PairRow.respond_by)).where(PairRow.status == PairStatus.PROPOSED.value)
        )
        return min((at for at in (ladder, answer) if at is not None), default=None)

    # -- check-ins ---------------------------------------------------------------------------
    async def checkins(self, space_id: int, member_id: int) -> list[tuple[Checkin, Pair]]:
        rows = await self.session.execute(
            select(CheckinRow, PairRow)
            .join(PairRow, PairRow.id == CheckinRow.pair_id)
            .where(
                CheckinRow.space_id == space_id,
                PairRow.space_id == space_id,
                or_(PairRow.mentor_id == member_id, PairRow.mentee_id == member_id),
            )
            .order_by(CheckinRow.met_at.desc(), CheckinRow.id.desc())
        )
        return [(checkin_of(c), pair_of(p)) for c, p in rows]

    async def last_checkin(self, space_id: int, pair_id: int) -> Checkin | None:
        row = await self.session.scalar(
            select(CheckinRow)
            .where(CheckinRow.space_id == space_id, CheckinRow.pair_id == pair_id)
            .order_by(CheckinRow.met_at.desc(), CheckinRow.id.desc())
            .limit(1)
        )
        return checkin_of(row) if row else None

    # -- the report --------------------------------------------------------------------------
    async def numbers(self, space_id: int, now: datetime) -> Numbers:
        standing = await self.standing(space_id)
        return Numbers(
            pairs=standing.pairs,
            on_track=standing.on_track,
            overdue=standing.overdue,
            silent=standing.silent,
            mentors=standing.mentors,
            mentors_full=standing.mentors_full,
            requests=standing.requests,
            average_days=await self._average_days(space_id),
            feedback=await self._feedback(space_id),
        )

    async def standing(self, space_id: int) -> Standing:
        pairs: dict[PairStatus, int] = {}
        steps: dict[int, int] = defaultdict(int)
        rows = await self.session.execute(
            select(PairRow.status, PairRow.step, func.count())
            .where(PairRow.space_id == space_id)
            .group_by(PairRow.status, PairRow.step)
        )
        for status, step, count in rows:
            pairs[PairStatus(status)] = pairs.get(PairStatus(status), 0) + int(count)
            if status == PairStatus.ACTIVE.value:
                steps[step] += int(count)
        requests = {
            RequestStatus(status): int(count)
            for status, count in await self.session.execute(
                select(RequestRow.status, func.count())
                .where(RequestRow.space_id == space_id)
                .group_by(RequestRow.status)
            )
        }
        mentors, full = await self._mentor_counts(space_id)
        return Standing(
            pairs=pairs,
            on_track=steps[Step.WAITING],
            overdue=steps[Step.NUDGED] + steps[Step.NUDGED_AGAIN] + steps[Step.SNOOZED],
            silent=steps[Step.ESCALATED],
            mentors=mentors,
            mentors_full=full,
            requests=requests,
        )

    async def _mentor_counts(self, space_id: int) -> tuple[int, int]:
        capacity = func.coalesce(MentorRow.capacity, DEFAULT_CAPACITY)
        full = case((func.coalesce(MentorRow.commitments, 0) >= capacity, 1), else_=0)
        row = (
            await self.session.execute(
                select(func.count(), func.coalesce(func.sum(full), 0))
                .select_from(MemberRow)
                .outerjoin(MentorRow, MentorRow.member_id == MemberRow.id)
                .where(
                    MemberRow.space_id == space_id,
                    MemberRow.open_to_mentor.is_(True),
                    MentorRow.left_at.is_(None),
                )
            )
        ).one()
        return int(row[0]), int(row[1])

    async def _average_days(self, space_id: int) -> float | None:
        """Mean days between a pair's start and its first check-in, and between check-ins."""
        started = await self.session.execute(
            select(PairRow.id, PairRow.started_at).where(
                PairRow.space_id == space_id, PairRow.started_at.is_not(None)
            )
        )
        starts = {pair_id: at for pair_id, at in started}
        previous: dict[int, datetime] = {}
        gaps: list[float] = []
        rows = await self.session.execute(
            select(CheckinRow.pair_id, CheckinRow.met_at)
            .where(CheckinRow.space_id == space_id)
            .order_by(CheckinRow.pair_id, CheckinRow.met_at)
        )
        for pair_id, met_at in rows:
            before = previous.get(pair_id) or starts.get(pair_id)
            if before is not None and met_at > before:
                gaps.append((met_at - before).total_seconds() / 86400)
            previous[pair_id] = met_at
        return sum(gaps) / len(gaps) if gaps else None

    async def _feedback(self, space_id: int) -> int:
        given = case((PairRow.mentor_feedback.is_not(None), 1), else_=0) + case(
            (PairRow.mentee_feedback.is_not(None), 1), else_=0
        )
        total = await self.session.scalar(
            select(func.coalesce(func.sum(given), literal(0))).where(PairRow.space_id == space_id)
        )
        return int(total or 0)
