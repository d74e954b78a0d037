"""Community events' repository: every query is filtered by space (the feed token aside: it
names one). The tables are in `storage/event_rows.py`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Space, SpaceKey
from bot.features.events.model import (
    EVENTS,
    Answer,
    Details,
    NewOccurrence,
    Occurrence,
    Repeat,
    Rsvp,
    Series,
)
from storage.event_data import EventData
from storage.event_rows import (
    CHUNK,
    EventOccurrenceRow,
    EventRsvpRow,
    EventSeriesRow,
    EventSpaceRow,
    detail_columns,
    occurrence_columns,
    occurrence_from,
    rsvp_from,
    series_from,
)
from storage.events_board import EventsBoard
from storage.models import SpaceRow, UTCDateTime
from storage.repos import _insert


class SqlEvents(EventsBoard, EventData):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def next_numbers(self, space_id: int, count: int) -> list[int]:
        insert = _insert(self.session)
        await self.session.execute(
            insert(EventSpaceRow)
            .values(space_id=space_id, next_number=1)
            .on_conflict_do_nothing(index_elements=["space_id"])
        )
        # one UPDATE … RETURNING: concurrent creators are serialised by the row's write lock
        after = await self.session.scalar(
            update(EventSpaceRow)
            .where(EventSpaceRow.space_id == space_id)
            .values(next_number=EventSpaceRow.next_number + count)
            .returning(EventSpaceRow.next_number)
        )
        assert after is not None
        return list(range(after - count, after))

    async def add_series(
        self,
        space_id: int,
        zone: str,
        starts_at: datetime,
        repeat: Repeat | None,
        until: date | None,
        details: Details,
        creator_id: int,
        at: datetime,
    ) -> Series:
        row = EventSeriesRow(
            space_id=space_id,
            zone=zone,
            starts_at=starts_at,
            repeat=repeat.value if repeat else None,
            until=until,
            creator_id=creator_id,
            sequence=0,
            created_at=at,
            **detail_columns(details),
        )
        self.session.add(row)
        await self.session.flush()
        return series_from(row)

    async def add_occurrences(
        self, space_id: int, series: Series, new: list[NewOccurrence], at: datetime
    ) -> list[Occurrence]:
        insert = _insert(self.session)
        columns = detail_columns(series.details)
        rows = [
            {
                **columns,
                "space_id": space_id,
                "series_id": series.id,
                "number": item.number,
                "position": item.position,
                "starts_at": item.starts_at,
                "ends_at": item.starts_at + series.details.duration,
                "slot_at": item.starts_at,
                "zone": series.zone,
                "announce_at": item.announce_at,
                "scheduled_at": at,
                "created_at": at,
                "sequence": 0,
                "edited": False,
                "cancel_reason": "",
                "card_version": 0,
                "schedule": 1,
                "reminder_offsets": "",
                "rsvp_seq": 0,
                "followups": 0,
            }
            for item in new
        ]
        for start in range(0, len(rows), CHUNK):
            await self.session.execute(insert(EventOccurrenceRow), rows[start : start + CHUNK])
        return await self.occurrences_of(space_id, series.id)

    async def series(self, space_id: int, series_id: int) -> Series | None:
        row = await self.session.scalar(
            select(EventSeriesRow)
            .where(EventSeriesRow.space_id == space_id, EventSeriesRow.id == series_id)
            .execution_options(populate_existing=True)
        )
        return series_from(row) if row else None

    async def save_series(self, space_id: int, series: Series) -> None:
        await self.session.execute(
            update(EventSeriesRow)
            .where(EventSeriesRow.space_id == space_id, EventSeriesRow.id == series.id)
            .values(
                **detail_columns(series.details),
                starts_at=series.starts_at,
                sequence=series.sequence,
                cancelled_at=series.cancelled_at,
            )
            .execution_options(synchronize_session=False)
        )

    async def occurrence(self, space_id: int, number: int) -> Occurrence | None:
        return await self._one(EventOccurrenceRow.number == number, space_id)

    async def occurrence_by_id(self, space_id: int, occurrence_id: int) -> Occurrence | None:
        return await self._one(EventOccurrenceRow.id == occurrence_id, space_id)

    async def _one(self, condition: Any, space_id: int) -> Occurrence | None:
        row = await self.session.scalar(
            select(EventOccurrenceRow)
            .where(EventOccurrenceRow.space_id == space_id, condition)
            .execution_options(populate_existing=True)
        )
        return occurrence_from(row) if row else None

    async def occurrences_of(self, space_id: int, series_id: int) -> list[Occurrence]:
        rows = await self.session.scalars(
            select(EventOccurrenceRow)
            .where(
                EventOccurrenceRow.space_id == space_id, EventOccurrenceRow.series_id == series_id
            )
            .order_by(EventOccurrenceRow.position)
            .execution_options(populate_existing=True)
        )
        return [occurrence_from(row) for row in rows]

    async def save_occurrences(self, space_id: int, occurrences: list[Occurrence]) -> None:
        for occurrence in occurrences:
            await self.session.execute(
                update(EventOccurrenceRow)
                .where(
                    EventOccurrenceRow.space_id == space_id,
                    EventOccurrenceRow.id == occurrence.id,
                )
                .values(occurrence_columns(occurrence))
                .execution_options(synchronize_session=False)
            )

    async def upcoming(self, space_id: int, now: datetime, limit: int) -> list[Occurrence]:
        rows = await self.session.scalars(
            select(EventOccurrenceRow)
            .where(
                EventOccurrenceRow.space_id == space_id,
                EventOccurrenceRow.ends_at > now,
                EventOccurrenceRow.cancelled_at.is_(None),
            )
            .order_by(EventOccurrenceRow.starts_at, EventOccurrenceRow.number)
            .limit(limit)
        )
        return [occurrence_from(row) for row in rows]

    async def lock(self, space_id: int, occurrence_id: int) -> tuple[Occurrence, int] | None:
        # A write first: on SQLite it takes the database's write lock, on PostgreSQL the row's,
        # so what this transaction counts next no other RSVP can change before it commits.
        # One statement: the row comes back with the UPDATE.
        bump = (
            update(EventOccurrenceRow)
            .where(EventOccurrenceRow.space_id == space_id, EventOccurrenceRow.id == occurrence_id)
            .values(rsvp_seq=EventOccurrenceRow.rsvp_seq + 1)
            .returning(EventOccurrenceRow)
        )
        row = await self.session.scalar(
            select(EventOccurrenceRow)
            .from_statement(bump)
            .execution_options(populate_existing=True)
        )
        return (occurrence_from(row), row.rsvp_seq) if row is not None else None

    async def rsvp(self, space_id: int, occurrence_id: int, member_id: int) -> Rsvp | None:
        row = await self.session.scalar(
            select(EventRsvpRow)
            .where(
                EventRsvpRow.space_id == space_id,
                EventRsvpRow.occurrence_id == occurrence_id,
                EventRsvpRow.member_id == member_id,
            )
            .execution_options(populate_existing=True)
        )
        return rsvp_from(row) if row else None

    async def set_rsvp(
        self,
        space_id: int,
        occurrence_id: int,
        member_id: int,
        answer: Answer,
        seq: int,
        at: datetime,
    ) -> None:
        insert = _insert(self.session)
        # inserted from the occurrence's own row: an id from another space inserts nothing
        here = select(
            EventOccurrenceRow.id,
            literal(member_id),
            EventOccurrenceRow.space_id,
            literal(answer.value),
            literal(seq),
            literal(at, UTCDateTime()),
        ).where(EventOccurrenceRow.space_id == space_id, EventOccurrenceRow.id == occurrence_id)
        statement = insert(EventRsvpRow).from_select(
            ["occurrence_id", "member_id", "space_id", "answer", "seq", "answered_at"], here
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["occurrence_id", "member_id"],
                set_={"answer": answer.value, "seq": seq, "answered_at": at},
                where=EventRsvpRow.space_id == space_id,
            )
        )

    async def rsvps(
        self, space_id: int, occurrence_id: int, answers: tuple[Answer, ...]
    ) -> list[Rsvp]:
        rows = await self.session.scalars(
            select(EventRsvpRow)
            .where(
                EventRsvpRow.space_id == space_id,
                EventRsvpRow.occurrence_id == occurrence_id,
                EventRsvpRow.answer.in_([a.value for a in answers]),
            )
            .order_by(EventRsvpRow.seq, EventRsvpRow.member_id)
            .execution_options(populate_existing=True)
        )
        return [rsvp_from(row) for row in rows]

    async def counts(
        self, space_id: int, occurrence_ids: list[int]
    ) -> dict[int, dict[Answer, int]]:
        found: dict[int, dict[Answer, int]] = {i: {} for i in occurrence_ids}
        for start in range(0, len(occurrence_ids), CHUNK):
            rows = await self.session.execute(
                select(EventRsvpRow.occurrence_id, EventRsvpRow.answer, func.count())
                .where(
                    EventRsvpRow.space_id == space_id,
                    EventRsvpRow.occurrence_id.in_(occurrence_ids[start : start + CHUNK]),
                )
                .group_by(EventRsvpRow.occurrence_id, EventRsvpRow.answer)
            )
            for occurrence_id, answer, count in rows:
                found[occurrence_id][Answer(answer)] = int(count)
        return found

    async def answers_of(
        self, space_id: int, member_id: int, occurrence_ids: list[int]
    ) -> dict[int, Answer]:
        rows = await self.session.execute(
            select(EventRsvpRow.occurrence_id, EventRsvpRow.answer).where(
                EventRsvpRow.space_id == space_id,
                EventRsvpRow.member_id == member_id,
                EventRsvpRow.occurrence_id.in_(occurrence_ids),
            )
        )
        return {occurrence_id: Answer(answer) for occurrence_id, answer in rows}

    def _unplanned(self) -> Any:
        return (
            EventOccurrenceRow.reminders_planned_at.is_(None),
            EventOccurrenceRow.cancelled_at.is_(None),
        )

    async def spaces_to_plan(self) -> list[int]:
        rows = await self.session.scalars(
            select(EventOccurrenceRow.space_id).where(*self._unplanned()).distinct()
        )
        return list(rows)

    async def to_plan(self, space_id: int, before: datetime) -> list[Occurrence]:
        rows = await self.session.scalars(
            select(EventOccurrenceRow)
            .where(
                *self._unplanned(),
                EventOccurrenceRow.space_id == space_id,
                EventOccurrenceRow.starts_at < before,
            )
            .order_by(EventOccurrenceRow.starts_at)
        )
        return [occurrence_from(row) for row in rows]

    async def next_to_plan(self, space_id: int) -> datetime | None:
        return await self.session.scalar(
            select(func.min(EventOccurrenceRow.starts_at)).where(
                *self._unplanned(), EventOccurrenceRow.space_id == space_id
            )
        )

    async def in_calendar(self, space_id: int, since: datetime) -> list[Series]:
        live = (
            select(EventOccurrenceRow.series_id)
            .where(EventOccurrenceRow.space_id == space_id, EventOccurrenceRow.ends_at > since)
            .distinct()
        )
        rows = await self.session.scalars(
            select(EventSeriesRow)
            .where(EventSeriesRow.space_id == space_id, EventSeriesRow.id.in_(live))
            .order_by(EventSeriesRow.starts_at, EventSeriesRow.id)
        )
        return [series_from(row) for row in rows]

    async def feed_token(self, space_id: int) -> str | None:
        return await self.session.scalar(
            select(EventSpaceRow.feed_token).where(EventSpaceRow.space_id == space_id)
        )

    async def set_feed_token(self, space_id: int, token: str, at: datetime) -> None:
        insert = _insert(self.session)
        statement = insert(EventSpaceRow).values(
            space_id=space_id, next_number=1, feed_token=token, feed_since=at
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["space_id"], set_={"feed_token": token, "feed_since": at}
            )
        )

    async def space_for_token(self, token: str) -> Space | None:
        row = (
            await self.session.execute(
                select(SpaceRow)
                .join(EventSpaceRow, EventSpaceRow.space_id == SpaceRow.id)
                .where(EventSpaceRow.feed_token == token)
            )
        ).scalar_one_or_none()
        if row is None:
            return None
        return Space(row.id, SpaceKey(row.platform, row.external_id), row.name)


REPOSITORIES = {EVENTS.name: SqlEvents}
