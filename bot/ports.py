"""Ports: the small protocols through which the core reaches the outside world.

The chat platform (proactive sends) and the store (repositories inside one transaction);
the outbox as the dispatcher sees it is in `bot.outbox`. Storage and adapters implement them.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Protocol, TypeVar, runtime_checkable

from bot.domain import DirectoryHit, DirectoryQuery, Member, Profile, Space, SpaceKey
from bot.messages import Listing, Message, Target
from bot.outbox import DeliveryQueue, SharedLimits

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

    async def person(self, space: SpaceKey, user_id: str) -> str | None:
        """The display name of someone the platform knows in this space, who may never have
        used Rounds; None when there is nobody by that id. When the platform can't be asked
        right now, the id itself (the mention is taken on trust)."""
        ...


@runtime_checkable
class NativeEvents(Protocol):
    """An optional capability of a chat platform: its own list of community events (Discord's
    Scheduled Events). Slack and the console lack it; the card in the events channel is the
    event there. Deliveries to `EventListing` reach it through the outbox."""

    async def publish_event(self, space: SpaceKey, listing: Listing, ref: str | None) -> str:
        """Create the listing (`ref` None) or update the one `ref` names, cancelling it when
        `listing.cancelled`; returns its reference. Raises `DeliveryError` (`gone=True` when
        `ref` no longer exists) or `RateLimited`."""
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
    """Dedupe key of the version before this one. Its post (or the last post of an earlier
    version) is edited, a new post if none went out; older versions not sent yet are cancelled,
    never sent after this one."""
    quiet: bool = False
    """Wait out the recipients' quiet hours at send time (nudges, reminders, hellos)."""
    thread_of: str | None = None
    """Dedupe key of an earlier channel post this one replies under, in its thread. The
    dispatcher finds that post when it sends (it waits while the post is still to go out; a
    post that never went out leaves this one at the channel's top level)."""


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

    async def set_platform_admin(self, space_id: int, member_id: int, is_admin: bool) -> None:
        """Whether the platform says the member is an admin, as of their latest input."""
        ...

    async def managers(self, space_id: int) -> list[Member]:
        """Managers added in Rounds and platform admins seen as such (alerts go to them)."""
        ...

    async def count(self, space_id: int) -> int: ...

    async def by_ids(self, space_id: int, member_ids: list[int]) -> dict[int, Member]: ...

    async def names(self, space_id: int, member_ids: list[int]) -> dict[int, str]:
        """Each member's display name (their user id when they have none), without loading
        whole members: for long lists such as the dashboard's tables."""
        ...

    async def by_user_ids(self, space_id: int, user_ids: list[str]) -> dict[str, Member]: ...

    async def erase(self, space_id: int, member_id: int, at: datetime) -> None:
        """Delete the member (their profile, and every row that cascades from them) and keep
        only a salted hash of their platform user id, so they are not re-imported by accident.
        Programmes' own data is erased first, by their `MemberData` hooks."""
        ...

    async def erased(self, space_id: int, user_ids: list[str]) -> set[str]:
        """Which of these platform user ids belong to people erased here (imports and
        mentions skip them: only the person coming back themselves starts afresh)."""
        ...

    async def returned(self, space_id: int, user_id: str) -> None:
        """An erased person came back themselves: they are a member again, and not erased."""
        ...


class DirectoryRepo(Protocol):
    async def find(self, space_id: int, query: DirectoryQuery) -> list[DirectoryHit]:
        """Ranked: more exact field matches first, then more free-text words matched."""
        ...


class SettingsRepo(Protocol):
    async def all(self, space_id: int) -> dict[str, str]: ...

    async def put(self, space_id: int, key: str, value: str) -> None: ...


class OutboxRepo(Protocol):
    async def enqueue(self, space_id: int, delivery: NewDelivery) -> bool:
        """Plan a delivery; False when one with the same dedupe key already exists.

        A delivery that `replaces` another cancels the older versions still pending.
        """
        ...

    async def enqueue_many(self, space_id: int, deliveries: Sequence[NewDelivery]) -> int:
        """Plan many deliveries in a few statements (a round's DMs); returns how many were new."""
        ...

    async def cancel(self, space_id: int, dedupe_key: str) -> bool:
        """Cancel a delivery that has not gone out yet; False when there was none pending."""
        ...

    async def spaces(self) -> list[int]:
        """Every space whose outbox may hold rows (for housekeeping)."""
        ...

    async def purge_finished(self, space_id: int, before: datetime) -> int:
        """Delete the space's deliveries that finished (sent, expired, failed, cancelled)
        before `before`; returns how many."""
        ...

    async def oldest_finished(self, space_id: int) -> datetime | None:
        """When the space's longest-finished delivery finished (housekeeping's next purge)."""
        ...

    async def addressed_to(self, space_id: int, user_id: str) -> list[OutboxEntry]:
        """Deliveries still in the outbox for this member (a DM, or a group message with them)."""
        ...

    async def forget(self, space_id: int, user_id: str, names: Sequence[str], at: datetime) -> int:
        """Erase a member from the outbox: deliveries still to go that are addressed to them or
        name them (their user id, or one of `names` as a word) are cancelled and lose their
        message; finished ones addressed to them are deleted. Returns how many rows changed."""
        ...


@dataclass(frozen=True)
class OutboxEntry:
    """A delivery as a member's data export shows it (the message only while it waits)."""

    purpose: str
    status: str
    due_at: datetime
    sent_at: datetime | None
    text: str | None


@dataclass(frozen=True)
class AuditEntry:
    """One configuration or moderation change: who (a member id; None for Rounds itself or a
    former member), what (`action`, and `detail` in message markup, where `SUBJECT` stands for
    the member it was about), when."""

    id: int
    at: datetime
    action: str
    detail: str
    actor_id: int | None
    subject_id: int | None
    by_member: bool = True
    """False when Rounds did it by itself (an automatic pause); then no actor is named."""


SUBJECT = "<subject>"
"""Where an audit entry's detail names its subject (`literal` escapes `<`, so no member text
can produce it)."""


class AuditRepo(Protocol):
    async def record(
        self,
        space_id: int,
        at: datetime,
        action: str,
        detail: str,
        *,
        actor_id: int | None,
        subject_id: int | None = None,
    ) -> None:
        """Record a change; `actor_id` None records one Rounds made by itself."""
        ...

    async def recent(self, space_id: int, limit: int) -> list[AuditEntry]:
        """The latest entries, newest first."""
        ...

    async def about(self, space_id: int, member_id: int) -> list[AuditEntry]:
        """Entries a member made or that were about them, oldest first (their data export)."""
        ...

    async def forget(self, space_id: int, member_id: int) -> None:
        """Keep the entries, but name the member in none of them (they show as a former member)."""
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

    @property
    def audit(self) -> AuditRepo: ...

    def repo(self, key: RepoKey[R]) -> R:
        """The repository a programme declared under `key`, inside this transaction."""
        ...


class Store(Protocol):
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...

    @property
    def deliveries(self) -> DeliveryQueue: ...

    @property
    def limits(self) -> SharedLimits:
        """The rate budgets every process on this database shares."""
        ...
