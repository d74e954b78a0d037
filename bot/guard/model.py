"""What the guard stores: only that a member chose "Post anyway", never the text.

Stored about a member: when they posted a flagged text anyway, for which feature, and the
kinds of identifier that were found (for export and erasure, with the member). Warnings are
counted per day and feature, naming nobody (for the managers' digest).
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.guard.rules import Kind
from bot.ports import RepoKey


class GuardRepo(Protocol):
    async def record_override(
        self, space_id: int, member_id: int, purpose: str, kinds: frozenset[Kind], at: datetime
    ) -> None: ...

    async def overrides_since(self, space_id: int, since: datetime) -> dict[str, int]:
        """How many texts were posted anyway since `since`, by purpose."""
        ...

    async def record_warning(self, space_id: int, purpose: str, at: datetime) -> None:
        """Count one warning (a held text) for the day of `at`; who and what are not kept."""
        ...

    async def warnings_since(self, space_id: int, since: datetime) -> int:
        """How many warnings were given on the days from `since`'s day on."""
        ...

    async def member_overrides(
        self, space_id: int, member_id: int
    ) -> list[tuple[str, frozenset[Kind], datetime]]:
        """The member's "Post anyway" choices: feature, kinds found, when (their export)."""
        ...

    async def erase_member(self, space_id: int, member_id: int) -> None: ...


GUARD = RepoKey[GuardRepo]("guard")
