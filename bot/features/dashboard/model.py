"""The dashboard's domain: one-time sign-in links and sessions, each for one manager in one
community, kept only as hashes of their random tokens; and the members' totals it shows.

What it stores about a member: which manager a link or session was for (by member id, with
when it was made, used, ended). Both go with the member when they are erased (the rows
cascade), and both expire within hours; nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.ports import RepoKey


@dataclass(frozen=True)
class Grant:
    """Who a link or a session is for."""

    space_id: int
    member_id: int
    platform_admin: bool
    """Issued to a manager by the platform's admin status, not by Rounds' own manager list."""
    expires_at: datetime


@dataclass(frozen=True)
class MemberTotals:
    total: int
    joined_since: int
    with_profile: int


class DashboardRepo(Protocol):
    """Links and sessions are found by their token's hash (the token names its community);
    everything else works inside one space."""

    async def add_link(self, token_hash: str, grant: Grant, at: datetime) -> None: ...

    async def link(self, token_hash: str, now: datetime) -> Grant | None:
        """The grant of a link that is still unused and unexpired."""
        ...

    async def use_link(self, token_hash: str, now: datetime) -> Grant | None:
        """Spend a link atomically: its grant the first time, None ever after (or expired)."""
        ...

    async def add_session(self, token_hash: str, grant: Grant, at: datetime) -> None: ...

    async def session(self, space_id: int, token_hash: str, now: datetime) -> Grant | None:
        """A live session of this community (not ended, not expired)."""
        ...

    async def end_session(self, space_id: int, token_hash: str, at: datetime) -> None: ...

    async def end_sessions(self, space_id: int, member_id: int, at: datetime) -> int:
        """End every live session of this manager here; how many there were."""
        ...

    async def purge(self, before: datetime) -> int:
        """Delete links and sessions that expired before `before`."""
        ...

    async def member_totals(self, space_id: int, since: datetime) -> MemberTotals: ...


DASHBOARD = RepoKey[DashboardRepo]("dashboard")
