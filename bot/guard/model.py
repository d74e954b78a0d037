"""What the guard stores: only that a member chose "Post anyway", never the text.

Stored about a member: when they posted a flagged text anyway, for which feature, and the
kinds of identifier that were found (for export and erasure, with the member).
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


GUARD = RepoKey[GuardRepo]("guard")
