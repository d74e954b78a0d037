"""Mentorship's domain types and the repository they are kept in.

What this programme stores about a member: as a mentor, their capacity, leadership areas,
pauses and whether they left; as a mentee, their requests (goals typed, outside-institution
wish) and the mentors suggested with scores and reasons; for each pairing, its dates, cadence,
check-in schedule and the one line of feedback each side gave; and the check-ins they logged,
with the notes they wrote.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.ports import RepoKey

DEFAULT_CAPACITY = 2
"""Mentees a mentor takes until they say otherwise (`mentor=yes` in a profile is enough)."""


class RequestStatus(enum.StrEnum):
    OPEN = "open"  # suggestions are shown; the mentee picks one
    ASKING = "asking"  # a mentor is deciding
    UNMATCHED = "unmatched"  # with the managers: no mentor fits, or every choice said no
    MATCHED = "matched"
    CLOSED = "closed"  # the mentee left


WAITING = (RequestStatus.OPEN, RequestStatus.ASKING, RequestStatus.UNMATCHED)


class PairStatus(enum.StrEnum):
    PROPOSED = "proposed"  # the mentor has the Accept / Decline DM
    ACTIVE = "active"
    PAUSED = "paused"  # a manager paused it: no nudges until either logs a check-in
    ENDED = "ended"
    DECLINED = "declined"
    LAPSED = "lapsed"  # the mentor let the answer window pass


COMMITTED = (PairStatus.PROPOSED, PairStatus.ACTIVE, PairStatus.PAUSED)
"""What counts against a mentor's capacity."""
CURRENT = (PairStatus.ACTIVE, PairStatus.PAUSED)


class Step(enum.IntEnum):
    """Where an active pair is on the check-in ladder."""

    WAITING = 0  # the check-in is not due yet (`next_at` is when it is)
    NUDGED = 1  # the first nudge went out; the second follows at `next_at`
    NUDGED_AGAIN = 2  # the second nudge went out; managers hear at `next_at`
    ESCALATED = 3  # managers have the card; nothing more until someone acts
    SNOOZED = 4  # the mentor asked for the nudge again at `next_at` (the mentee isn't re-asked)


class Outcome(enum.StrEnum):
    """What became of one suggested mentor."""

    ASKED = "asked"
    DECLINED = "declined"
    LAPSED = "lapsed"
    UNAVAILABLE = "unavailable"  # paused, full or gone by the time they were next


@dataclass(frozen=True)
class Mentor:
    """A mentor's own settings; a `mentor=yes` profile without a row has the defaults."""

    member_id: int
    capacity: int = DEFAULT_CAPACITY
    areas: tuple[str, ...] = ()
    """Leadership areas they offered; empty means their profile's interests and goals."""
    paused_at: datetime | None = None
    paused_until: datetime | None = None
    left_at: datetime | None = None

    def paused(self, now: datetime) -> bool:
        if self.paused_at is None:
            return False
        return self.paused_until is None or self.paused_until > now


@dataclass(frozen=True)
class Request:
    id: int
    mentee_id: int
    goals: str
    outside: bool
    status: RequestStatus
    version: int
    """Bumped whenever suggestions are made afresh, so buttons of older ones stop working."""
    created_at: datetime


@dataclass(frozen=True)
class Suggestion:
    rank: int
    mentor_id: int
    score: int
    reason: str
    outcome: Outcome | None = None


@dataclass(frozen=True)
class Pair:
    id: int
    mentor_id: int
    mentee_id: int
    request_id: int | None
    status: PairStatus
    by_hand: bool
    proposed_at: datetime
    respond_by: datetime | None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    every: timedelta | None = None
    """Its own cadence (`/rounds mentor cadence`); None follows `mentorship.every`."""
    due_at: datetime | None = None
    step: Step = Step.WAITING
    next_at: datetime | None = None
    mentor_feedback: str | None = None
    mentee_feedback: str | None = None

    def other(self, member_id: int) -> int:
        return self.mentee_id if member_id == self.mentor_id else self.mentor_id

    def has(self, member_id: int) -> bool:
        return member_id in (self.mentor_id, self.mentee_id)


@dataclass(frozen=True)
class Ladder:
    """A pair's place on the check-in ladder, written as one."""

    due_at: datetime
    step: Step
    next_at: datetime | None


@dataclass(frozen=True)
class Checkin:
    id: int
    pair_id: int
    member_id: int
    """Who logged it (their note is theirs alone)."""
    met_at: datetime
    note: str | None


@dataclass(frozen=True)
class MatchQuery:
    """What the database needs to rank mentors for one request. The points come from the
    scoring rules in `_scoring`, so the ranking and the explanation cannot disagree."""

    mentee_id: int
    now: datetime
    specialty: str | None  # lowercased
    specialty_points: int
    stage_points: dict[str, int]
    """Points by the mentor's career stage (already relative to the mentee's)."""
    areas: tuple[str, ...]
    """Lowercased areas that would match the goals; a mentor's shared ones are counted."""
    area_points: tuple[int, ...]
    """Points by the number of shared areas (the last entry for that many or more)."""
    zone_points: tuple[tuple[int, tuple[str, ...]], ...]
    """(points, time zones) groups for the time-zone overlap."""
    spare_points: tuple[int, ...]
    """Points by spare places (the last entry for that many or more); 0 places excluded."""
    institution: str | None = None
    """Lowercased; mentors there are left out (the mentee asked for `outside=yes`)."""
    request_id: int | None = None
    """Mentors this request was put to are left out, as are the mentee's current mentors."""
    specialty_only: bool = False
    """Only mentors of the mentee's specialty (the first, cheap pass of a ranking)."""
    sharing: int = 0
    """Only mentors sharing at least this many of the areas (a first pass of a ranking)."""
    floor: int | None = None
    """Only mentors whose points without the areas reach this (the last pass of a ranking)."""
    limit: int = 10


@dataclass(frozen=True)
class Candidate:
    """A mentor the database ranked for a request, with what the explanation needs."""

    member_id: int
    spare: int
    areas: tuple[str, ...] | None
    """The areas they offered; None when their profile's interests and goals stand in."""
    ranked_by: int = 0
    """The points the database ranked them by (without the areas when the query had none)."""


@dataclass(frozen=True)
class Standing:
    """Where the programme stands now, counted in SQL (the weekly digest's figures)."""

    pairs: dict[PairStatus, int]
    on_track: int
    overdue: int
    silent: int
    mentors: int
    mentors_full: int
    requests: dict[RequestStatus, int]


@dataclass(frozen=True)
class Numbers:
    """The managers' report, counted in one place."""

    pairs: dict[PairStatus, int]
    on_track: int
    overdue: int
    silent: int
    mentors: int
    mentors_full: int
    requests: dict[RequestStatus, int]
    average_days: float | None
    feedback: int


@dataclass(frozen=True)
class MemberMentorship:
    """Everything mentorship stores about one member (their data export)."""

    requests: list[tuple[Request, list[Suggestion]]]
    """Their requests for a mentor, oldest first, each with the mentors suggested."""
    pairs: list[Pair]
    """Every pair they were in (as mentor or mentee), oldest first."""
    checkins: list[Checkin]
    """The check-ins of those pairs, oldest first (a partner's notes are the partner's)."""
    suggested: int
    """How often they were suggested to a mentee as a mentor."""


class MentorshipRepo(Protocol):
    """Every method works inside one space: ids from another space find nothing."""

    # -- mentors -----------------------------------------------------------------------------
    async def mentor(self, space_id: int, member_id: int) -> Mentor | None: ...

    async def save_mentor(
        self,
        space_id: int,
        member_id: int,
        at: datetime,
        *,
        capacity: int | None = None,
        areas: tuple[str, ...] | None = None,
    ) -> Mentor:
        """Create or change a mentor's row (None keeps a value); a mentor who had left is back."""
        ...

    async def pause_mentor(
        self, space_id: int, member_id: int, at: datetime, until: datetime | None
    ) -> None: ...

    async def resume_mentor(self, space_id: int, member_id: int) -> None: ...

    async def mentor_left(self, space_id: int, member_id: int, at: datetime) -> None: ...

    async def commitments(self, space_id: int, member_id: int) -> int:
        """Pairs counting against a mentor's capacity (proposed, active, paused)."""
        ...

    async def find_mentors(self, space_id: int, query: MatchQuery) -> list[Candidate]:
        """Mentors with room, not paused, not left, ranked best first by the query's points."""
        ...

    # -- requests ----------------------------------------------------------------------------
    async def add_request(
        self, space_id: int, mentee_id: int, goals: str, outside: bool, at: datetime
    ) -> Request: ...

    async def request(self, space_id: int, request_id: int) -> Request | None: ...

    async def waiting_request(self, space_id: int, mentee_id: int) -> Request | None:
        """The mentee's request still looking for a mentor, if any."""
        ...

    async def update_request(
        self,
        space_id: int,
        request_id: int,
        *,
        status: RequestStatus | None = None,
        goals: str | None = None,
        outside: bool | None = None,
    ) -> None: ...

    async def suggest(
        self, space_id: int, request_id: int, suggestions: list[Suggestion]
    ) -> Request:
        """Replace a request's suggestions (a new version) and reopen it."""
        ...

    async def suggestions(self, space_id: int, request_id: int) -> list[Suggestion]: ...

    async def mark_suggestion(
        self, space_id: int, request_id: int, mentor_id: int, outcome: Outcome
    ) -> None: ...

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
    ) -> Pair: ...

    async def pair(self, space_id: int, pair_id: int) -> Pair | None: ...

    async def pairs_of(
        self, space_id: int, member_id: int, statuses: tuple[PairStatus, ...]
    ) -> list[Pair]:
        """The member's pairs (as mentor or mentee) in those statuses, newest first."""
        ...

    async def pair_between(
        self, space_id: int, a: int, b: int, statuses: tuple[PairStatus, ...]
    ) -> Pair | None:
        """The newest pair of these two members (either way round) in those statuses."""
        ...

    async def activate(self, space_id: int, pair_id: int, at: datetime, ladder: Ladder) -> bool:
        """A proposal accepted; False when it was no longer a proposal."""
        ...

    async def close(self, space_id: int, pair_id: int, status: PairStatus, at: datetime) -> bool:
        """Decline or lapse a proposal, or end a pair; False when it was no longer one (so
        an Accept and a lapse racing each other leave one outcome)."""
        ...

    async def set_status(self, space_id: int, pair_id: int, status: PairStatus) -> None: ...

    async def schedule(
        self, space_id: int, pair_id: int, ladder: Ladder, *, expect: Ladder | None = None
    ) -> bool:
        """Move a pair on its ladder. With `expect`, only if it is still there (so two
        processes never take the same step); False when it was not."""
        ...

    async def set_every(self, space_id: int, pair_id: int, every: timedelta) -> None: ...

    async def feedback(self, space_id: int, pair_id: int, member_id: int, text: str) -> None: ...

    async def lapsed(self, space_id: int, now: datetime, limit: int) -> list[Pair]:
        """Proposals whose answer window has passed."""
        ...

    async def due(self, space_id: int, now: datetime, limit: int) -> list[Pair]:
        """Active pairs whose next ladder step is due, leaving out paused mentors' pairs."""
        ...

    async def next_due_at(self) -> datetime | None:
        """When the check-in job next has work in any space (None: nothing planned)."""
        ...

    async def spaces_with_due_work(self, now: datetime) -> list[int]:
        """The check-in job's scan: spaces with a lapsed proposal or a due ladder step."""
        ...

    # -- check-ins ---------------------------------------------------------------------------
    async def add_checkin(
        self, space_id: int, pair_id: int, member_id: int, met_at: datetime, note: str | None
    ) -> Checkin | None:
        """Log a check-in; None (nothing written) when the pair is not in this space."""
        ...

    async def checkins(self, space_id: int, member_id: int) -> list[tuple[Checkin, Pair]]:
        """Check-ins of every pair the member was in, newest first."""
        ...

    async def last_checkin(self, space_id: int, pair_id: int) -> Checkin | None: ...

    async def numbers(self, space_id: int, now: datetime) -> Numbers: ...

    async def standing(self, space_id: int) -> Standing:
        """The report's counts without the averages over every check-in (cheap)."""
        ...

    # -- members' data rights and the managers' digest ---------------------------------------
    async def export_member(self, space_id: int, member_id: int) -> MemberMentorship: ...

    async def erase_member(self, space_id: int, member_id: int) -> None:
        """Delete the member's mentor row and areas, their requests and every suggestion of
        them, and each pair they were in with its check-ins (end the pairs first, so mentors'
        places are counted right)."""
        ...

    async def checkins_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        """Check-ins logged in each week (edges as in `bot.digest.WeeklyCount`)."""
        ...

    # -- the managers' dashboard ---------------------------------------------------------------
    async def board_pairs(self, space_id: int) -> list[tuple[Pair, datetime | None]]:
        """Current pairs (active, paused), each with its latest check-in (None: none yet)."""
        ...

    async def board_requests(self, space_id: int) -> list[Request]:
        """Requests still waiting for a mentor, oldest first."""
        ...

    async def board_full_mentors(self, space_id: int) -> list[tuple[int, int, int]]:
        """Mentors at capacity: (member id, commitments, capacity)."""
        ...


MENTORSHIP = RepoKey[MentorshipRepo]("mentorship")
