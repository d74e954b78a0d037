"""Networking rounds' domain types and the repository they are kept in.

What this programme stores about a member: whether they take part (active, snoozed, paused,
left) and since when, how many rounds in a row they ignored, whom they asked never to be
paired with, and the groups they were in with their "Did you meet?" answers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import Member
from bot.ports import RepoKey


class NetworkStatus(enum.StrEnum):
    ACTIVE = "active"
    SNOOZED = "snoozed"
    PAUSED = "paused"  # snoozed automatically after ignoring three rounds; rejoin to resume
    LEFT = "left"


@dataclass(frozen=True)
class Participant:
    member_id: int
    status: NetworkStatus
    snoozed_until: datetime | None
    ignored_streak: int
    told_alone_after: int | None = None
    """The round number after which they were told they are the only one (0: before any)."""


@dataclass(frozen=True)
class RoundInfo:
    id: int
    number: int
    starts_at: datetime
    ends_at: datetime
    planned: bool = True
    """Every message of the round is in the outbox (False while planning is under way, or
    when a process stopped part-way: the round job finishes it)."""


@dataclass(frozen=True)
class PairInfo:
    id: int
    round_id: int
    member_ids: tuple[int, ...]
    answers: dict[int, str | None]


class NetworkRepo(Protocol):
    """Every method works inside one space: ids from another space find nothing."""

    async def participant(self, space_id: int, member_id: int) -> Participant | None: ...

    async def set_status(
        self,
        space_id: int,
        member_id: int,
        status: NetworkStatus,
        at: datetime,
        snoozed_until: datetime | None = None,
    ) -> None: ...

    async def set_statuses(
        self, space_id: int, member_ids: list[int], status: NetworkStatus, at: datetime
    ) -> None: ...

    async def set_streaks(self, space_id: int, streaks: dict[int, int]) -> None: ...

    async def mark_told_alone(self, space_id: int, member_id: int, after_round: int) -> None: ...

    async def participants(self, space_id: int) -> dict[int, Participant]: ...

    async def reactivate(self, space_id: int, now: datetime) -> None:
        """Snoozed members whose snooze has ended become active again."""
        ...

    async def exclude(self, space_id: int, member_id: int, excluded_id: int) -> bool: ...

    async def exclusions(self, space_id: int) -> set[tuple[int, int]]: ...

    async def spaces_with_participants(self) -> list[int]:
        """The round job's scan: every space with someone active or snoozed."""
        ...

    async def eligible(self, space_id: int, now: datetime) -> list[Member]:
        """Active members, and snoozed ones whose snooze has ended."""
        ...

    async def counts(self, space_id: int) -> dict[NetworkStatus, int]: ...

    async def with_status(self, space_id: int, status: NetworkStatus) -> list[Participant]:
        """Participants with this status (the dashboard's paused members)."""
        ...

    async def history(self, space_id: int) -> set[frozenset[int]]:
        """Every pair of members who were ever in a pairing together."""
        ...

    async def start_round(
        self, space_id: int, number: int, starts_at: datetime, ends_at: datetime, at: datetime
    ) -> RoundInfo | None:
        """Record a round; None when it was already started (pairing happens once)."""
        ...

    async def mark_planned(self, space_id: int, round_id: int, at: datetime) -> None: ...

    async def add_pairs(
        self, space_id: int, round_id: int, groups: list[tuple[int, ...]]
    ) -> list[int]:
        """Store a round's groups in bulk; returns their pair ids, in order."""
        ...

    async def latest_round(self, space_id: int) -> RoundInfo | None: ...

    async def round_pairs(self, space_id: int, round_id: int) -> list[PairInfo]: ...

    async def pair(self, space_id: int, pair_id: int) -> PairInfo | None: ...

    async def current_pair(
        self, space_id: int, member_id: int
    ) -> tuple[RoundInfo, PairInfo] | None: ...

    async def answer(
        self, space_id: int, pair_id: int, member_id: int, answer: str, at: datetime
    ) -> None: ...

    async def recent_rounds(self, space_id: int, limit: int) -> list[RoundInfo]:
        """The latest rounds, newest first."""
        ...

    async def round_answers(self, space_id: int, round_id: int) -> dict[str | None, int]:
        """How many paired members gave each answer (None: no answer yet), counted in SQL."""
        ...

    async def member_pairs(self, space_id: int, member_id: int) -> list[tuple[RoundInfo, PairInfo]]:
        """Every pairing the member was in, oldest first (their data export)."""
        ...

    async def excluded_by(self, space_id: int, member_id: int) -> list[int]:
        """Whom the member asked never to be paired with."""
        ...

    async def erase_member(self, space_id: int, member_id: int) -> None:
        """Forget the member: participation, exclusions either way, places in pairings."""
        ...


NETWORK = RepoKey[NetworkRepo]("network")
