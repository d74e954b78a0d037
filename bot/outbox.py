"""The outbox as dispatchers see it (ARCHITECTURE.md §4): a claimed delivery, how a send
ended, the queue they claim from and record into, and the rate limits every process on one
database shares. Storage implements them (`storage/outbox.py`, `storage/limits.py`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain import Space
from bot.messages import Message, Target


@dataclass(frozen=True)
class Delivery:
    """An outbox row claimed by a dispatcher."""

    id: int
    space: Space
    dedupe_key: str
    purpose: str
    target: Target
    message: Message
    due_at: datetime
    expires_at: datetime | None
    attempts: int
    fallback_channel: str | None
    replaces: str | None = None
    quiet: bool = False
    thread_of: str | None = None


class SharedLimits(Protocol):
    """Pauses and paced schedules per platform and scope, shared by all processes on one
    database. Each call is one short transaction."""

    async def reserve(
        self, platform: str, scope: str, *, interval: float, count: int, now: float
    ) -> float:
        """Take the next `count` slots, `interval` seconds apart, of the scope's schedule;
        the moment (epoch seconds, never before `now`) the first one starts."""
        ...

    async def pause(self, platform: str, scope: str, until: datetime) -> None:
        """No request to the scope before `until` (a later pause wins)."""
        ...

    async def pauses(self, platform: str, now: datetime) -> dict[str, datetime]:
        """The scopes of `platform` paused beyond `now`, and until when."""
        ...

    async def next_free(self, platform: str, scope: str) -> float | None:
        """Where the scope's paced schedule stands: the moment (epoch seconds) its next slot
        starts, or None for a scope with no schedule yet."""
        ...

    async def forget(self, platform: str, idle_before: float) -> None:
        """Forget the schedules of `platform` with no slot taken after `idle_before` (epoch
        seconds) and no pause running."""
        ...


@dataclass(frozen=True)
class Sent:
    delivery_id: int
    ref: str
    note: str = ""


@dataclass(frozen=True)
class Retry:
    delivery_id: int
    due_at: datetime
    error: str
    count_attempt: bool = True
    target: Target | None = None
    """A narrower target for the retry (the members a group message has not reached yet)."""


@dataclass(frozen=True)
class Failed:
    delivery_id: int
    error: str


@dataclass(frozen=True)
class Expired:
    delivery_id: int
    reason: str = ""


DeliveryResult = Sent | Retry | Failed | Expired
RecordResult = Callable[[DeliveryResult, datetime], Awaitable[None]]
"""Writes one result (as `DeliveryQueue.record` does) and commits it before returning."""


class DeliveryQueue(Protocol):
    """The outbox as dispatchers see it. Each call is its own short transaction."""

    async def claim_due(
        self,
        now: datetime,
        worker: str,
        limit: int,
        lease_until: datetime,
        *,
        platforms: list[str] | None = None,
    ) -> list[Delivery]:
        """Atomically claim at most `limit` due rows (pending, or claimed with an expired
        lease), only of spaces on `platforms` when given: a process sends only what it can send.

        A row that a newer version replaces is cancelled instead of claimed; a replacement waits
        while the version before it is being sent elsewhere (so it can find that post).
        """
        ...

    async def record(self, results: Sequence[DeliveryResult], at: datetime, *, worker: str) -> None:
        """Write what happened to rows `worker` claimed and still holds, in one transaction.

        A finished row (sent, expired, failed) keeps its key, status and platform reference but
        loses its message body. A row to retry that a newer version replaces is cancelled.
        """
        ...

    def recording(self, worker: str) -> AbstractAsyncContextManager[RecordResult]:
        """Record results one at a time, each committed as soon as it is known, cheaply: for
        a batch's sends, so a crash repeats at most the send in flight."""
        ...

    async def next_due_at(self, *, platforms: list[str] | None = None) -> datetime | None:
        """The earliest due time of any pending delivery (the console's `advance` steps to it),
        or of those for `platforms` only."""
        ...

    async def holders(self, now: datetime) -> list[str]:
        """The workers holding claims whose lease has not run out."""
        ...

    async def release(self, worker: str, now: datetime) -> int:
        """Give back every claim `worker` holds (its process is gone), to be sent by whoever
        claims them next; returns how many."""
        ...

    async def sent_ref(self, space_id: int, dedupe_key: str) -> str | None:
        """The platform reference of the post this version of a message, or the nearest earlier
        version that was sent, produced (what a replacement edits)."""
        ...

    async def post_of(self, space_id: int, dedupe_key: str) -> tuple[str | None, bool]:
        """The post a message went out as, for a reply in its thread: its reference (this
        version's, an earlier one's, or a newer one's when this was superseded before it went
        out), and whether it may still go out (True: wait for it)."""
        ...
