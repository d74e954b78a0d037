"""The insight feature's domain: when each space's weekly digest was planned, and the core's
own weekly count (new members) for the chart.

What it stores about a member: nothing. Digests and charts are counts; the audit log and the
erasure registry it shows are core tables (`bot/ports.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.ports import RepoKey


class InsightRepo(Protocol):
    async def last_digest(self, space_id: int) -> datetime | None:
        """The scheduled moment of the latest digest planned (or skipped) for the space."""
        ...

    async def started_at(self, space_id: int) -> datetime | None:
        """When the space's first member joined (None: no members): digests start after it."""
        ...

    async def mark_digest(
        self, space_id: int, scheduled_at: datetime, at: datetime, *, sent: bool
    ) -> bool:
        """Record the digest of `scheduled_at` (sent, or skipped: nothing to say) once; False
        when it was recorded already (by another process): the record is the lock that makes
        a digest go out once."""
        ...

    async def new_members_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        """Members who joined in each week (edges as in `bot.digest.WeeklyCount`)."""
        ...


INSIGHT = RepoKey[InsightRepo]("insight")
