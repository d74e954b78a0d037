"""Ports: the small protocols through which the core reaches the outside world.

The chat platform (proactive sends), the store (repositories inside one transaction) and the
delivery queue (the outbox as the dispatcher sees it). Storage and adapters implement them.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from bot.domain import DirectoryHit, DirectoryQuery, Member, Profile, Space, SpaceKey
from bot.messages import Message, Target

R = TypeVar("R")


class ChatPlatform(Protocol):
    """Proactive output on one platform. Replies to a command are the adapter's own business."""

    name: str
    group_dms: bool
    """Whether `send` accepts a `GroupMessage` (else the dispatcher DMs each member)."""

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        """Send and return the platform's reference for the new post.

        The reference is whatever `edit` needs to find the post again (e.g. "channel:ts").
        Raises `DeliveryError` for refusals and `RateLimited` for 429s.
        """
        ...

    async def edit(self, space: SpaceKey, ref: str, message: Message) -> None:
        """Replace the content of a post this platform sent earlier (same errors as `send`;
        `DeliveryError(gone=True)` when that post no longer exists)."""
        ...


@dataclass(frozen=True)
class NewDelivery:
    """One proactive message to plan. The dedupe key makes planning it twice harmless."""

    dedupe_key: str
    purpose: str
    target: Target
    message: Message
    due_at: datetime
    expires_at: datetime | None = None
    fallback_channel: str | None = None
    replaces: str | None = None
    """Dedupe key of an earlier delivery whose post this one edits (a new post if none was sent)."""


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


class SpaceRepo(Protocol):
    async def get_or_create(self, key: SpaceKey, name: str = "") -> Space: ...


class MemberRepo(Protocol):
    async def get(self, space_id: int, user_id: str) -> Member | None: ...

    async def add(
        self,
        space_id: int,
        user_id: str,
        display_name: str,
        joined_at: datetime,
        *,
        is_manager: bool = False,
    ) -> Member: ...

    async def rename(self, space_id: int, member_id: int, display_name: str) -> None: ...

    async def save_profile(self, space_id: int, member_id: int, profile: Profile) -> None: ...

    async def mark_welcomed(self, space_id: int, member_id: int, at: datetime) -> None: ...

    async def set_manager(self, space_id: int, member_id: int, is_manager: bool) -> None: ...

    async def managers(self, space_id: int) -> list[Member]: ...

    async def count(self, space_id: int) -> int: ...

    async def by_ids(self, space_id: int, member_ids: list[int]) -> dict[int, Member]: ...

    async def by_user_ids(self, space_id: int, user_ids: list[str]) -> dict[str, Member]: ...


class DirectoryRepo(Protocol):
    async def find(self, space_id: int, query: DirectoryQuery) -> list[DirectoryHit]:
        """Ranked: more exact field matches first, then more free-text words matched."""
        ...


class SettingsRepo(Protocol):
    async def all(self, space_id: int) -> dict[str, str]: ...

    async def put(self, space_id: int, key: str, value: str) -> None: ...


class OutboxRepo(Protocol):
    async def enqueue(self, space_id: int, delivery: NewDelivery) -> bool:
        """Plan a delivery; False when one with the same dedupe key already exists."""
        ...

    async def enqueue_many(self, space_id: int, deliveries: Sequence[NewDelivery]) -> int:
        """Plan many deliveries in bulk; returns how many were new (the rest already existed)."""
        ...

    async def cancel(self, space_id: int, dedupe_key: str) -> bool:
        """Cancel a delivery that has not gone out yet; False when there was none pending."""
        ...


class InboundRepo(Protocol):
    async def first_time(self, space_id: int, key: str, at: datetime) -> bool:
        """Remember a platform's event id; False when it was seen before (a retry)."""
        ...

    async def oldest(self) -> datetime | None:
        """When the oldest remembered event id was seen."""
        ...

    async def forget_before(self, moment: datetime) -> int:
        """Drop event ids seen before `moment` (platforms retry for minutes, not days)."""
        ...


@dataclass(frozen=True)
class RepoKey(Generic[R]):
    """Names a programme's repository. A programme declares one in its `model.py`; storage
    registers the implementation under the same name; `tx.repo(KEY)` returns it, typed."""

    name: str


class Tx(Protocol):
    """The repositories of one database transaction: all of it commits, or none of it.

    The shared ones are properties; each programme's own is reached with `repo(KEY)`.
    """

    @property
    def spaces(self) -> SpaceRepo: ...

    @property
    def members(self) -> MemberRepo: ...

    @property
    def settings(self) -> SettingsRepo: ...

    @property
    def outbox(self) -> OutboxRepo: ...

    @property
    def inbound(self) -> InboundRepo: ...

    @property
    def directory(self) -> DirectoryRepo: ...

    def repo(self, key: RepoKey[R]) -> R:
        """The repository a programme declared under `key`, inside this transaction."""
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


DeliveryResult = Sent | Retry | Failed | Expired


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
        """Atomically claim due rows (pending, or claimed with an expired lease), only of
        spaces on `platforms` when given: a process sends only what it can send."""
        ...

    async def record(self, results: list[DeliveryResult], at: datetime, *, worker: str) -> None:
        """Write what happened to rows `worker` claimed and still holds, in one transaction."""
        ...

    async def next_due_at(self) -> datetime | None:
        """The earliest due time of any pending delivery (the console's `advance` steps to it)."""
        ...

    async def sent_ref(self, space_id: int, dedupe_key: str) -> str | None:
        """The platform reference of a delivery that was sent, for edits."""
        ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...

    @property
    def deliveries(self) -> DeliveryQueue: ...
