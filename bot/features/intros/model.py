"""Introductions' domain types and the repository they are kept in.

What this programme stores about a member: whether and where their introduction card was
posted (channel, version, time) and when their one reminder was planned. The card's text is
rebuilt from the profile each time; it is not stored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import Member
from bot.ports import RepoKey


@dataclass(frozen=True)
class IntroCard:
    version: int
    posted_at: datetime | None
    reminder_planned_at: datetime | None
    channel_id: str | None = None
    """Where the latest version was posted (None before the first post)."""


class IntroRepo(Protocol):
    async def card(self, space_id: int, member_id: int) -> IntroCard | None: ...

    async def erase_member(self, space_id: int, member_id: int) -> IntroCard | None:
        """Forget the member's card and reminder; returns the card as it was (to edit its post)."""
        ...

    async def without_intro(
        self, space_id: int, joined_after: datetime, joined_before: datetime
    ) -> int:
        """How many members who joined in that window never posted a card."""
        ...

    async def record_post(
        self, space_id: int, member_id: int, version: int, channel_id: str, at: datetime
    ) -> None: ...

    async def mark_reminder(self, space_id: int, member_id: int, at: datetime) -> None: ...

    async def needing_reminder(
        self, joined_before: datetime, joined_after: datetime, limit: int, *, setting: str
    ) -> list[Member]:
        """Members (of every space where `setting` is set) who joined in that window, never
        posted a card and were never reminded. A job's scan, so it spans spaces."""
        ...


INTROS = RepoKey[IntroRepo]("intros")
