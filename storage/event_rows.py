"""Community events' tables, and the mapping of their rows to domain objects and back:
each space's numbering and feed token, series, occurrences and RSVPs (`storage/events.py`
holds the repository)."""

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
)
from sqlalchemy.orm import Mapped, mapped_column

from bot.features.events.model import (
    Answer,
    Details,
    EventKind,
    Occurrence,
    Repeat,
    Rsvp,
    Series,
)
from storage.models import Base, Id

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
    host_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )


class EventSeriesRow(EventDetailsColumns, Base):
    __tablename__ = "event_series"

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    zone: Mapped[str] = mapped_column(String(64))
    starts_at: Mapped[datetime]
    repeat: Mapped[str | None] = mapped_column(String(10))
    until: Mapped[date | None] = mapped_column(Date)
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), index=True
    )
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
    __table_args__ = (
        Index("ix_event_rsvps_answers", "occurrence_id", "answer", "seq"),
        Index("ix_event_rsvps_week", "space_id", "answered_at"),  # the managers' chart
    )

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


def details_from(row: EventDetailsColumns) -> Details:
    return Details(
        title=row.title,
        kind=EventKind(row.kind),
        duration=timedelta(minutes=row.duration_minutes),
        description=row.description,
        link=row.link,
        capacity=row.capacity,
        host_id=row.host_id,
    )


def detail_columns(details: Details) -> dict[str, Any]:
    return {
        "title": details.title,
        "kind": details.kind.value,
        "duration_minutes": int(details.duration.total_seconds() // 60),
        "description": details.description,
        "link": details.link,
        "capacity": details.capacity,
        "host_id": details.host_id,
    }


def series_from(row: EventSeriesRow) -> Series:
    return Series(
        id=row.id,
        zone=row.zone,
        starts_at=row.starts_at,
        repeat=Repeat(row.repeat) if row.repeat else None,
        until=row.until,
        details=details_from(row),
        creator_id=row.creator_id,
        sequence=row.sequence,
        created_at=row.created_at,
        cancelled_at=row.cancelled_at,
    )


def occurrence_from(row: EventOccurrenceRow) -> Occurrence:
    return Occurrence(
        id=row.id,
        series_id=row.series_id,
        number=row.number,
        position=row.position,
        starts_at=row.starts_at,
        slot_at=row.slot_at,
        zone=row.zone,
        details=details_from(row),
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


def occurrence_columns(occurrence: Occurrence) -> dict[str, Any]:
    """The columns a change to an occurrence may touch (never its number or series)."""
    return {
        **detail_columns(occurrence.details),
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


def rsvp_from(row: EventRsvpRow) -> Rsvp:
    return Rsvp(row.member_id, Answer(row.answer), row.seq, row.answered_at)
