"""Fakes for the core's ports that record what was said (no mocks)."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.domain import SpaceKey
from bot.errors import DeliveryError, RateLimited
from bot.messages import DirectMessage, Message, Target


@dataclass
class Sent:
    space: SpaceKey
    target: Target
    message: Message


@dataclass
class RecordingPlatform:
    """A chat platform that records every send; refusals and 429s can be queued up front."""

    name: str = "console"
    group_dms: bool = False
    sent: list[Sent] = field(default_factory=list)
    edits: list[tuple[str, Message]] = field(default_factory=list)
    failures: list[Exception] = field(default_factory=list)
    closed_dms: set[str] = field(default_factory=set)
    people: dict[str, str] = field(default_factory=dict)
    """Who the platform knows (user id → name) beyond the members Rounds has met."""
    attempts: int = 0

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        self.attempts += 1
        if isinstance(target, DirectMessage) and target.user_id in self.closed_dms:
            raise DeliveryError("dms closed", permanent=True, dm_refused=True)
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append(Sent(space, target, message))
        return f"ref-{len(self.sent)}"

    async def edit(self, space: SpaceKey, ref: str, message: Message) -> None:
        self.attempts += 1
        if self.failures:
            raise self.failures.pop(0)
        self.edits.append((ref, message))

    async def person(self, space: SpaceKey, user_id: str) -> str | None:
        return self.people.get(user_id)

    def texts_to(self, user_id: str) -> list[str]:
        return [
            s.message.text
            for s in self.sent
            if isinstance(s.target, DirectMessage) and s.target.user_id == user_id
        ]


def rate_limited(seconds: float) -> RateLimited:
    return RateLimited(seconds)


@dataclass
class FakeTimer:
    """Monotonic time for a rate budget: it moves only when the budget sleeps."""

    now: float = 0.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
