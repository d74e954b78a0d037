"""Rate limits as the fake platforms enforce them, when asked: token buckets and fixed windows
on the fake's own monotonic clock, the 429s they announced, and what arrived too early.

A fake keeps one `Enforcer`. Each request names the scopes it counts against; the enforcer
either admits it (taking a token from every scope) or refuses it with the seconds to wait, and
remembers that moment: a request that reaches a scope before its announced moment is counted
in `early` (and refused again), so a benchmark can prove Rounds never sent one.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from bot.clock import ManualClock
from bot.delivery import RateBudget


@dataclass
class Bucket:
    """`rate` tokens a second, holding at most `capacity` (a token bucket)."""

    rate: float
    capacity: float
    tokens: float = -1.0
    stamp: float = 0.0

    def wait(self, now: float) -> float:
        """Seconds until one token is there (0: now)."""
        if self.tokens < 0:
            self.tokens, self.stamp = self.capacity, now
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        self.tokens -= 1


@dataclass
class Window:
    """At most `limit` requests per `seconds`, counted from the first request of a window
    (Discord's buckets); `remaining` and `resets_after` are what its headers say."""

    limit: int
    seconds: float
    used: int = 0
    started: float | None = None

    def _roll(self, now: float) -> None:
        if self.started is None or now >= self.started + self.seconds:
            self.started, self.used = now, 0

    def wait(self, now: float) -> float:
        self._roll(now)
        assert self.started is not None
        return 0.0 if self.used < self.limit else self.started + self.seconds - now

    def take(self) -> None:
        self.used += 1

    def remaining(self) -> int:
        return max(self.limit - self.used, 0)

    def resets_after(self, now: float) -> float:
        return 0.0 if self.started is None else max(self.started + self.seconds - now, 0.0)


Limit = Bucket | Window


@dataclass
class Refusal:
    scope: str
    retry_after: float


@dataclass
class Early:
    """A request that reached `scope` before the moment a 429 had announced."""

    scope: str
    what: str
    too_soon: float


@dataclass
class Enforcer:
    clock: Callable[[], float] = time.monotonic
    told: Callable[[float], float] = float
    """The wait a 429 tells the client, from the true wait (Slack: whole seconds)."""
    limits: dict[str, Limit] = field(default_factory=dict)
    announced: dict[str, float] = field(default_factory=dict)
    """Scope -> the moment before which a 429 told the client not to come back."""
    early: list[Early] = field(default_factory=list)
    refused: int = 0
    admitted: list[float] = field(default_factory=list)
    """When each admitted request arrived (for achieved rates)."""

    def limit(self, scope: str, make: Callable[[], Limit]) -> Limit:
        found = self.limits.get(scope)
        if found is None:
            found = self.limits[scope] = make()
        return found

    def admit(self, what: str, scopes: Sequence[tuple[str, Limit]]) -> Refusal | None:
        """Admit a request counting against `scopes`, or refuse it (the first scope that has
        no room, with the seconds until it has)."""
        now = self.clock()
        for scope, _ in scopes:
            until = self.announced.get(scope)
            if until is not None and now < until:
                self.early.append(Early(scope, what, until - now))
                self.refused += 1
                return Refusal(scope, until - now)
        for scope, limit in scopes:
            wait = limit.wait(now)
            if wait > 0:
                told = self.told(wait)
                self.announced[scope] = now + told
                self.refused += 1
                return Refusal(scope, told)
        for _, limit in scopes:
            limit.take()
        self.admitted.append(now)
        return None


def whole_seconds(seconds: float) -> int:
    """A `Retry-After` header in whole seconds, never shorter than the wait."""
    return max(1, math.ceil(seconds))


@dataclass
class VirtualTime:
    """One time for a fake platform's limits, a rate budget's pacing and the core's clock. It
    moves only when the budget sleeps or the test advances it, so a test of rate limits takes
    no real time and proves the same thing every run."""

    clock: ManualClock
    now: float = 1_000_000.0

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.advance(seconds)

    def advance(self, seconds: float) -> None:
        if seconds > 0:
            self.now += seconds
            self.clock.advance(timedelta(seconds=seconds))

    def drive(self, budget: RateBudget, enforcer: Enforcer) -> None:
        """Run `budget`'s pacing and `enforcer`'s limits on this time."""
        budget.wall = budget.monotonic = self.monotonic
        budget.sleep = self.sleep
        enforcer.clock = self.monotonic
