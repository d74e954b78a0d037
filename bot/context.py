"""What a handler sees: the member, their roles, one transaction, and ways to answer.

`reply` and `open_form` answer the command in hand; `deliver` plans proactive output (DMs,
channel posts) through the outbox, committed with everything else the handler wrote.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import Member, Role, Space, SpaceKey
from bot.messages import Form, Message, Outcome
from bot.ports import NewDelivery, Store, Tx
from bot.router import Router
from bot.web import PublicAddress


@dataclass(frozen=True)
class Actor:
    """Who did something, as the adapter saw it."""

    space: SpaceKey
    user_id: str
    display_name: str = ""
    is_platform_admin: bool = False
    channel_id: str | None = None
    space_name: str = ""


def channel_key(programme: str) -> str:
    return f"channel.{programme}"


@dataclass
class Context:
    tx: Tx
    space: Space
    member: Member
    actor: Actor
    roles: frozenset[Role]
    now: datetime
    router: Router
    outcome: Outcome = field(default_factory=Outcome)
    planned: int = 0
    native_events: bool = False
    """The space's platform lists community events itself (`NativeEvents`: Discord)."""
    address: PublicAddress = field(default_factory=PublicAddress)
    """Where Rounds' HTTP server is reachable, for links (the calendar feed)."""
    _settings: dict[str, str] | None = None

    @property
    def is_manager(self) -> bool:
        return Role.MANAGER in self.roles

    def reply(self, message: Message | str, *, private: bool = True) -> None:
        self.outcome.reply(message, private=private)

    def open_form(self, form: Form) -> None:
        self.outcome.form = form

    def update(self, message: Message) -> None:
        """Replace the message whose button was pressed (e.g. to show "RSVP: going ✓")."""
        self.outcome.updated = message

    async def deliver(self, delivery: NewDelivery) -> bool:
        planned = await self.tx.outbox.enqueue(self.space.id, delivery)
        self.planned += planned
        return planned

    async def settings(self) -> Mapping[str, str]:
        if self._settings is None:
            self._settings = self.router.effective(await self.tx.settings.all(self.space.id))
        return self._settings

    async def setting(self, key: str) -> str:
        return (await self.settings()).get(key, "")

    async def channel(self, programme: str) -> str | None:
        return (await self.settings()).get(channel_key(programme)) or None


@dataclass
class JobContext:
    """What a scheduled job sees: the store (it opens its own transactions) and the time."""

    store: Store
    router: Router
    now: datetime
    planned: int = 0
