"""Community events' tables and repository: each space's numbering and feed token, series,
occurrences and RSVPs. Every query is filtered by space (the feed token aside: it names one)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from bot.domain import Space, SpaceKey
from bot.features.events.model import (
    EVENTS,
    Answer,
    Details,
    EventKind,
    NewOccurrence,
    Occurrence,
    Repeat,
    Rsvp,
    Series,
)
from storage.models import Base, Id, SpaceRow
from storage.repos import _insert

CHUNK = 500  # rows per statement


class EventSpaceRow(Base):
    """Per space: the next event number, and the secret of its calendar feed."""

    __tablename__ = "event_spaces"

    space_id: Mapped[int] = mapped_column(
        ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True
    )
    next_number: Mapped[int] = mapped_column(Integer, default=1)
    feed_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    feed_since: Mapped[datetime | None]


class EventDetailsColumns:
    """What an event is (declared by a series, shown by each occurrence)."""

    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(Text, default="")
    link: Mapped[str] = mapped_column(String(500), default="")
    duration_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int | None] = mapped_column(Integer)
    host_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))


class EventSeriesRow(EventDetailsColumns, Base):
    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    zone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime]
    repeat: Mapped[str | None] = mapped_column(String(10))
    until: Mapped[date | None] = mapped_column(Date)
    creator_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="SET NULL"))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    cancelled_at: Mapped[datetime | None]


class EventOccurrenceRow(EventDetailsColumns, Base):
    __tablename__ = "event_occurrences"
    __table_args__ = (
        UniqueConstraint("space_id", "number"),
        Index("ix_event_occurrences_space_start", "space_id", "starts_at"),
        Index("ix_event_occurrences_plan", "reminders_planned_at", "starts_at"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    series_id: Mapped[int] = mapped_column(
        ForeignKey("event_series.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    slot_at: Mapped[datetime]
    zone: Mapped[str] = mapped_column(String(64))
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    cancelled_at: Mapped[datetime | None]
    cancel_reason: Mapped[str] = mapped_column(String(300), default="")
    channel_id: Mapped[str | None] = mapped_column(String(64))
    card_version: Mapped[int] = mapped_column(Integer, default=0)
    announce_at: Mapped[datetime]
    schedule: Mapped[int] = mapped_column(Integer, default=1)
    scheduled_at: Mapped[datetime]
    reminders_planned_at: Mapped[datetime | None]
    reminder_offsets: Mapped[str] = mapped_column(String(40), default="")
    rsvp_seq: Mapped[int] = mapped_column(Integer, default=0)
    followups: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class EventRsvpRow(Base):
    __tablename__ = "event_rsvps"
    __table_args__ = (Index("ix_event_rsvps_answers", "occurrence_id", "answer", "seq"),)

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("event_occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    answer: Mapped[str] = mapped_column(String(10))
    seq: Mapped[int] = mapped_column(Integer)
    answered_at: Mapped[datetime]


def _details(row: EventDetailsColumns) -> Details:
    return Details(
        title=row.title,
        kind=EventKind(row.kind),
        duration=timedelta(minutes=row.duration_minutes),
        description=row.description,
        link=row.link,
        capacity=row.capacity,
        host_id=row.host_id,
    )


def _detail_columns(details: Details) -> dict[str, Any]:
    return {
        "title": details.title,
        "kind": details.kind.value,
        "duration_minutes": int(details.duration.total_seconds() // 60),
        "description": details.description,
        "link": details.link,
        "capacity": details.capacity,
        "host_id": details.host_id,
    }


def _series(row: EventSeriesRow) -> Series:
    return Series(
        id=row.id,
        zone=row.zone,
        starts_at=row.starts_at,
        repeat=Repeat(row.repeat) if row.repeat else None,
        until=row.until,
        details=_details(row),
        creator_id=row.creator_id,
        sequence=row.sequence,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
    )


def _occurrence(row: EventOccurrenceRow) -> Occurrence:
    return Occurrence(
        id=row.id,
        series_id=row.series_id,
        number=row.number,
        position=row.position,
        starts_at=row.starts_at,
        slot_at=row.slot_at,
        zone=row.zone,
        details=_details(row),
        sequence=row.sequence,
        edited=row.edited,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
        channel_id=row.channel_id,
        card_version=row.card_version,
        announce_at=row.announce_at,
        schedule=row.schedule,
        scheduled_at=row.scheduled_at,
        reminders_planned_at=row.reminders_planned_at,
        reminder_offsets=tuple(int(m) for m in row.reminder_offsets.split(",") if m),
        followups=row.followups,
    )


def _occurrence_columns(occurrence: Occurrence) -> dict[str, Any]:
    """The columns a change to an occurrence may touch (never its number or series)."""
    return {
        **_detail_columns(occurrence.details),
        "starts_at": occurrence.starts_at,
        "ends_at": occurrence.ends_at,
        "slot_at": occurrence.slot_at,
        "sequence": occurrence.sequence,
        "edited": occurrence.edited,
        "cancelled_at": occurrence.cancelled_at,
        "cancel_reason": occurrence.cancel_reason,
        "channel_id": occurrence.channel_id,
        "card_version": occurrence.card_version,
        "schedule": occurrence.schedule,
        "scheduled_at": occurrence.scheduled_at,
        "reminders_planned_at": occurrence.reminders_planned_at,
        "reminder_offsets": ",".join(str(m) for m in occurrence.reminder_offsets),
        "followups": occurrence.followups,
    }


class SqlEvents:
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
            **_detail_columns(details),
        )
        self.session.add(row)
        await self.session.flush()
        return _series(row)

    async def add_occurrences(
        self, space_id: int, series: Series, new: list[NewOccurrence], at: datetime
    ) -> list[Occurrence]:
        insert = _insert(self.session)
        columns = _detail_columns(series.details)
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
        return _series(row) if row else None

    async def save_series(self, space_id: int, series: Series) -> None:
        await self.session.execute(
            update(EventSeriesRow)
            .where(EventSeriesRow.space_id == space_id, EventSeriesRow.id == series.id)
            .values(
                **_detail_columns(series.details),
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
        return _occurrence(row) if row else None

    async def occurrences_of(self, space_id: int, series_id: int) -> list[Occurrence]:
        rows = await self.session.scalars(
            select(EventOccurrenceRow)
            .where(
                EventOccurrenceRow.space_id == space_id, EventOccurrenceRow.series_id == series_id
            )
            .order_by(EventOccurrenceRow.position)
            .execution_options(populate_existing=True)
        )
        return [_occurrence(row) for row in rows]

    async def save_occurrences(self, space_id: int, occurrences: list[Occurrence]) -> None:
        for occurrence in occurrences:
            await self.session.execute(
                update(EventOccurrenceRow)
                .where(
                    EventOccurrenceRow.space_id == space_id,
                    EventOccurrenceRow.id == occurrence.id,
                )
                .values(_occurrence_columns(occurrence))
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
        return [_occurrence(row) for row in rows]

    async def lock(self, space_id: int, occurrence_id: int) -> int | None:
        # A write first: on SQLite it takes the database's write lock, on PostgreSQL the row's,
        # so what this transaction counts next no other RSVP can change before it commits.
        return await self.session.scalar(
            update(EventOccurrenceRow)
            .where(EventOccurrenceRow.space_id == space_id, EventOccurrenceRow.id == occurrence_id)
            .values(rsvp_seq=EventOccurrenceRow.rsvp_seq + 1)
            .returning(EventOccurrenceRow.rsvp_seq)
        )

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
        return _rsvp(row) if row else None

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
        values = {"answer": answer.value, "seq": seq, "answered_at": at}
        statement = insert(EventRsvpRow).values(
            occurrence_id=occurrence_id, member_id=member_id, space_id=space_id, **values
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["occurrence_id", "member_id"],
                set_=values,
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
        return [_rsvp(row) for row in rows]

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
        return [_occurrence(row) for row in rows]

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
        return [_series(row) for row in rows]

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


def _rsvp(row: EventRsvpRow) -> Rsvp:
    return Rsvp(row.member_id, Answer(row.answer), row.seq, row.answered_at)


REPOSITORIES = {EVENTS.name: SqlEvents}
