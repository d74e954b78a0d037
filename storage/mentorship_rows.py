"""Mentorship's tables: mentors and their areas, requests with their suggestions, pairs (from
proposal to end) and check-ins; each row maps to the programme's domain type here."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from bot.features.mentorship.model import (
    Checkin,
    Mentor,
    Outcome,
    Pair,
    PairStatus,
    Request,
    RequestStatus,
    Step,
    Suggestion,
)
from storage.models import Base, Id

ENDED = (PairStatus.ENDED, PairStatus.DECLINED, PairStatus.LAPSED)


class MentorRow(Base):
    __tablename__ = "mentorship_mentors"

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    capacity: Mapped[int] = mapped_column(Integer)
    commitments: Mapped[int] = mapped_column(Integer, default=0)
    """Pairs counting against the capacity (proposed, active, paused), kept with every change
    of a pair's status, so ranking never counts pairs."""
    own_areas: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None]
    paused_until: Mapped[datetime | None]
    left_at: Mapped[datetime | None]
    changed_at: Mapped[datetime]


class MentorAreaRow(Base):
    """One row per area a mentor offered, lowercased, so matching uses an index."""

    __tablename__ = "mentorship_areas"
    # with the member: who shares an area is read from the index alone (migration 0013)
    __table_args__ = (Index("ix_mentorship_areas_lookup", "space_id", "area", "member_id"),)

    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="CASCADE"), primary_key=True
    )
    area: Mapped[str] = mapped_column(String(40), primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    label: Mapped[str] = mapped_column(String(40))
    """The area as the mentor typed it."""


class RequestRow(Base):
    __tablename__ = "mentorship_requests"
    __table_args__ = (
        Index("ix_mentorship_requests_mentee", "space_id", "mentee_id", "status"),
        Index("ix_mentorship_requests_status", "space_id", "status"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    goals: Mapped[str] = mapped_column(String(300))
    outside: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(10))
    version: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]
    changed_at: Mapped[datetime]


class SuggestionRow(Base):
    __tablename__ = "mentorship_suggestions"

    request_id: Mapped[int] = mapped_column(
        ForeignKey("mentorship_requests.id", ondelete="CASCADE"), primary_key=True
    )
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(500))
    outcome: Mapped[str | None] = mapped_column(String(12))


class PairRow(Base):
    __tablename__ = "mentorship_pairs"
    __table_args__ = (
        Index("ix_mentorship_pairs_mentor", "space_id", "mentor_id", "status"),
        Index("ix_mentorship_pairs_mentee", "space_id", "mentee_id", "status"),
        Index("ix_mentorship_pairs_next", "status", "next_at"),
        Index("ix_mentorship_pairs_answer", "status", "respond_by"),
    )

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"))
    request_id: Mapped[int | None] = mapped_column(
        ForeignKey("mentorship_requests.id", ondelete="SET NULL"), index=True
    )
    mentor_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    mentee_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(10))
    by_hand: Mapped[bool] = mapped_column(Boolean, default=False)
    proposed_at: Mapped[datetime]
    respond_by: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]
    every_days: Mapped[int | None] = mapped_column(Integer)
    due_at: Mapped[datetime | None]
    step: Mapped[int] = mapped_column(Integer, default=0)
    next_at: Mapped[datetime | None]
    mentor_feedback: Mapped[str | None] = mapped_column(String(300))
    mentee_feedback: Mapped[str | None] = mapped_column(String(300))


class CheckinRow(Base):
    __tablename__ = "mentorship_checkins"
    __table_args__ = (Index("ix_mentorship_checkins_week", "space_id", "met_at"),)  # the chart

    id: Mapped[int] = mapped_column(Id, primary_key=True, autoincrement=True)
    space_id: Mapped[int] = mapped_column(ForeignKey("spaces.id", ondelete="CASCADE"), index=True)
    pair_id: Mapped[int] = mapped_column(
        ForeignKey("mentorship_pairs.id", ondelete="CASCADE"), index=True
    )
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    met_at: Mapped[datetime]
    note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime]


def mentor_of(row: MentorRow, areas: tuple[str, ...]) -> Mentor:
    return Mentor(row.member_id, row.capacity, areas, row.paused_at, row.paused_until, row.left_at)


def request_of(row: RequestRow) -> Request:
    return Request(
        row.id,
        row.mentee_id,
        row.goals,
        row.outside,
        RequestStatus(row.status),
        row.version,
        row.created_at,
    )


def pair_of(row: PairRow) -> Pair:
    return Pair(
        id=row.id,
        mentor_id=row.mentor_id,
        mentee_id=row.mentee_id,
        request_id=row.request_id,
        status=PairStatus(row.status),
        by_hand=row.by_hand,
        proposed_at=row.proposed_at,
        respond_by=row.respond_by,
        started_at=row.started_at,
        ended_at=row.ended_at,
        every=timedelta(days=row.every_days) if row.every_days else None,
        due_at=row.due_at,
        step=Step(row.step),
        next_at=row.next_at,
        mentor_feedback=row.mentor_feedback,
        mentee_feedback=row.mentee_feedback,
    )


def checkin_of(row: CheckinRow) -> Checkin:
    return Checkin(row.id, row.pair_id, row.member_id, row.met_at, row.note)


def suggestion_of(row: SuggestionRow) -> Suggestion:
    outcome = Outcome(row.outcome) if row.outcome else None
    return Suggestion(row.rank, row.mentor_id, row.score, row.reason, outcome)


def statuses(values: tuple[PairStatus, ...] | tuple[RequestStatus, ...]) -> list[str]:
    return [v.value for v in values]
