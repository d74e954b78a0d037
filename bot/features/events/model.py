"""Community events' domain types and the repository they are kept in.

What this programme stores about a member: the events they created or host, and their answer
to each occurrence (going, maybe, can't go, or their place on the waitlist) with when they gave
it. A series is one row with its recurrence; each occurrence has its own number, RSVPs and
reminders, and a one-off event is a series of one.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from bot.domain import Space
from bot.ports import RepoKey


class EventKind(enum.StrEnum):
    WORKSHOP = "workshop"
    FORUM = "forum"
    WEBINAR = "webinar"
    MEETUP = "meetup"


class Repeat(enum.StrEnum):
    WEEKLY = "weekly"
    BIWEEKLY = "biweekly"
    MONTHLY = "monthly"


class Answer(enum.StrEnum):
    GOING = "going"
    MAYBE = "maybe"
    NO = "no"
    WAITLIST = "waitlist"
    """Answered Going when every seat was taken; promoted in order when one frees up."""


REMINDED = (Answer.GOING, Answer.MAYBE)
TOLD_OF_CHANGES = (Answer.GOING, Answer.MAYBE, Answer.WAITLIST)


@dataclass(frozen=True)
class Details:
    """What an event is, as a series declares it and each occurrence shows it."""

    title: str
    kind: EventKind
    duration: timedelta
    description: str = ""
    link: str = ""
    capacity: int | None = None
    host_id: int | None = None


@dataclass(frozen=True)
class Series:
    id: int
    zone: str
    starts_at: datetime
    """The first occurrence's place in the rule (the calendar's DTSTART)."""
    repeat: Repeat | None
    until: date | None
    details: Details
    creator_id: int | None
    sequence: int
    """Bumped by every change, so calendar clients take the newer version (SEQUENCE)."""
    created_at: datetime
    cancelled_at: datetime | None = None


@dataclass(frozen=True)
class Occurrence:
    id: int
    series_id: int
    number: int
    """The short id members type: `/rounds event 12`. Unique in the community."""
    position: int
    starts_at: datetime
    slot_at: datetime
    """Where the series' rule puts it (the calendar's RECURRENCE-ID); moved when edited."""
    zone: str
    details: Details
    sequence: int = 0
    edited: bool = False
    """Changed on its own, apart from its series (an exception in the calendar)."""
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    channel_id: str | None = None
    """Where its card is posted (the events channel when it was first announced)."""
    card_version: int = 0
    announce_at: datetime | None = None
    """When its card goes up: at once, or for a series when the occurrence before it starts."""
    schedule: int = 1
    """Bumped when its time changes: reminders are planned anew under new keys."""
    scheduled_at: datetime | None = None
    """When its time was set; reminders whose moment was already past then are skipped."""
    reminders_planned_at: datetime | None = None
    reminder_offsets: tuple[int, ...] = ()
    """The offsets (minutes before the start) its reminders were planned with."""
    followups: int = 0

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + self.details.duration

    @property
    def cancelled(self) -> bool:
        return self.cancelled_at is not None


@dataclass(frozen=True)
class NewOccurrence:
    number: int
    position: int
    starts_at: datetime
    announce_at: datetime


@dataclass(frozen=True)
class Rsvp:
    member_id: int
    answer: Answer
    seq: int
    """Order of answering (the waitlist is served in this order)."""
    answered_at: datetime


@dataclass(frozen=True)
class MemberEvents:
    """Everything events store about one member (their data export)."""

    rsvps: list[tuple[Occurrence, Rsvp]]
    """Their answers, by the occurrence's start."""
    created: list[Series]
    """The events (series) they created."""
    hosting: list[Occurrence]
    """The occurrences they are named host of."""


class EventsRepo(Protocol):
    """Every method works inside one space: numbers and ids from another space find nothing.
    The one exception is `space_for_token`, which finds the space a calendar feed belongs to."""

    async def next_numbers(self, space_id: int, count: int) -> list[int]:
        """Reserve `count` consecutive event numbers (concurrent creators never share one)."""
        ...

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
    ) -> Series: ...

    async def add_occurrences(
        self, space_id: int, series: Series, new: list[NewOccurrence], at: datetime
    ) -> list[Occurrence]: ...

    async def series(self, space_id: int, series_id: int) -> Series | None: ...

    async def save_series(self, space_id: int, series: Series) -> None: ...

    async def occurrence(self, space_id: int, number: int) -> Occurrence | None: ...

    async def occurrence_by_id(self, space_id: int, occurrence_id: int) -> Occurrence | None: ...

    async def occurrences_of(self, space_id: int, series_id: int) -> list[Occurrence]: ...

    async def save_occurrences(self, space_id: int, occurrences: list[Occurrence]) -> None: ...

    async def upcoming(self, space_id: int, now: datetime, limit: int) -> list[Occurrence]:
        """Occurrences not cancelled that have not ended, soonest first."""
        ...

    async def lock(self, space_id: int, occurrence_id: int) -> tuple[Occurrence, int] | None:
        """Take the occurrence's write lock for this transaction (RSVPs to one occurrence go
        one at a time, so the last seat goes once); returns it as it is now, and the next
        answer's place in line."""
        ...

    async def rsvp(self, space_id: int, occurrence_id: int, member_id: int) -> Rsvp | None: ...

    async def set_rsvp(
        self,
        space_id: int,
        occurrence_id: int,
        member_id: int,
        answer: Answer,
        seq: int,
        at: datetime,
    ) -> None: ...

    async def rsvps(
        self, space_id: int, occurrence_id: int, answers: tuple[Answer, ...]
    ) -> list[Rsvp]:
        """The answers given, in the order they were given."""
        ...

    async def counts(
        self, space_id: int, occurrence_ids: list[int]
    ) -> dict[int, dict[Answer, int]]:
        """How many gave each answer, per occurrence."""
        ...

    async def answers_of(
        self, space_id: int, member_id: int, occurrence_ids: list[int]
    ) -> dict[int, Answer]: ...

    async def spaces_to_plan(self) -> list[int]:
        """Spaces with occurrences whose reminders are not planned yet (the reminder job)."""
        ...

    async def to_plan(self, space_id: int, before: datetime) -> list[Occurrence]:
        """Occurrences not cancelled, reminders not planned, starting before `before`."""
        ...

    async def next_to_plan(self, space_id: int) -> datetime | None:
        """The start of the earliest occurrence whose reminders are not planned yet."""
        ...

    async def in_calendar(self, space_id: int, since: datetime) -> list[Series]:
        """Series with an occurrence that ends after `since` (the calendar feed)."""
        ...

    async def feed_token(self, space_id: int) -> str | None: ...

    async def set_feed_token(self, space_id: int, token: str, at: datetime) -> None: ...

    async def space_for_token(self, token: str) -> Space | None: ...

    # -- members' data rights and the managers' digest ---------------------------------------
    async def export_member(self, space_id: int, member_id: int) -> MemberEvents: ...

    async def erase_member(self, space_id: int, member_id: int) -> None:
        """Delete the member's RSVPs; the events they created or host stay, naming nobody."""
        ...

    async def rsvps_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        """Answers other than "can't go" given in each week (edges as in
        `bot.digest.WeeklyCount`; a changed answer counts in the week of its change)."""
        ...

    async def board_past(self, space_id: int, now: datetime, limit: int) -> list[Occurrence]:
        """The latest occurrences that have ended (cancelled ones too), newest first."""
        ...


EVENTS = RepoKey[EventsRepo]("events")
