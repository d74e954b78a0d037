"""A platform's rate budget: how fast Rounds may call it, per scope, and until when not at all.

One per platform for the life of the process, so a pause holds across batches, kicks and ticks.
Two levels:
- per delivery (`acquire`): a token bucket for platforms whose adapter paces nothing itself
  (the console, test platforms);
- per request (`request`), called by an adapter before each call it makes, naming the scopes
  the call counts against: the whole platform (`PLATFORM`), a method or route, a channel. A
  scope may have a documented `Rate`; Rounds paces it a little under that rate, slows it after
  a 429 and recovers. A scope is paused by a 429's `Retry-After` (`limited`) or by headers that
  say its window is used up (`learn`): no request to it before the pause ends.

With `shared` (the database, `SharedLimits`), every process on one database paces the shared
rates together and sees each other's pauses. Pacing runs on wall-clock time (processes share
it); a pause ends at a moment of the core's clock, so it agrees with due times (and with tests
and the console, whose clocks are manual).
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.errors import RateLimited, StoreBusy
from bot.outbox import SharedLimits

log = logging.getLogger(__name__)

PLATFORM = ""
"""The scope that stands for the whole platform (Discord's global limit, a 429 with no scope)."""
MARGIN = 0.97
"""Paced rates run this far under what the platform documents (clocks and networks jitter)."""
SLOWER = 0.8
"""A 429 on a paced scope multiplies its pace by this (down to `SLOWEST`)."""
SLOWEST = 0.25
RECOVER = 0.01
"""Each request that goes out gives a slowed scope back this much of its documented pace."""
RESERVE_SECONDS = 0.1
"""A process takes this much of a shared scope's schedule at once (fewer database writes)."""


def _utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Rate:
    """A documented pace. `shared`: paced together by every process on the database (a
    workspace- or bot-wide limit); else by each process alone (a channel's)."""

    per_second: float
    shared: bool = True


@dataclass(frozen=True)
class Scope:
    """What one request counts against: a name (`chat.postMessage`, `POST
    /channels/{channel}/messages:123`) and its documented pace, if any."""

    name: str
    rate: Rate | None = None


@dataclass
class _Slots:
    """Slots of a shared schedule this process reserved and has not used yet."""

    start: float
    interval: float
    left: int


@dataclass
class RateBudget:
    """A platform's budget (see the module docstring). The per-delivery token bucket is
    `per_second` and `burst` (no pacing when `per_second` is None); request scopes carry
    their own rates."""

    per_second: float | None = None
    burst: int = 10
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    platform: str = ""
    shared: SharedLimits | None = None
    clock: Callable[[], datetime] = _utcnow
    wall: Callable[[], float] = time.time
    max_wait: float = 1.0
    """A request waits out a pause this short; a longer one raises `RateLimited`."""
    refresh_every: float = 0.25
    """Seconds between reads of the other processes' pauses."""
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)
    _pauses: dict[str, datetime] = field(init=False, default_factory=dict)
    _others: dict[str, datetime] = field(init=False, default_factory=dict)
    _read_at: float = field(init=False, default=-math.inf)
    _next: dict[str, float] = field(init=False, default_factory=dict)
    _slots: dict[str, _Slots] = field(init=False, default_factory=dict)
    _pace: dict[str, float] = field(init=False, default_factory=dict)
    _warned: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)
        self._stamp = self.monotonic()

    # -- per delivery ------------------------------------------------------------------------
    async def acquire(self) -> None:
        """Wait (in real time) until one more delivery fits in the budget."""
        if self.per_second is None:
            return
        while True:
            now = self.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.per_second)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                return
            await self.sleep((1 - self._tokens) / self.per_second)

    # -- pauses ------------------------------------------------------------------------------
    def pause_until(self, moment: datetime, scope: str = PLATFORM) -> None:
        """No request to `scope` in this process before `moment` (a later pause wins)."""
        current = self._pauses.get(scope)
        if current is None or moment > current:
            self._pauses[scope] = moment

    async def pause(self, moment: datetime, scope: str = PLATFORM) -> None:
        """No request to `scope` before `moment`, in every process sharing the budget."""
        self.pause_until(moment, scope)
        if self.shared is not None:
            try:
                await self.shared.pause(self.platform, scope, moment)
            except StoreBusy as error:
                self._shared_failed(error)

    def resumes_at(self, now: datetime, scope: str = PLATFORM) -> datetime | None:
        """When the pause of `scope` (or of the whole platform) ends, or None when requests
        may go out at `now`. Other processes' pauses count as last read."""
        names = {PLATFORM, scope}
        found = [
            moment
            for pauses in (self._pauses, self._others)
            for name, moment in pauses.items()
            if name in names and moment > now
        ]
        return max(found, default=None)

    async def limited(self, scope: str, retry_after: float) -> datetime:
        """A 429 on `scope`: pause it for `retry_after` seconds, and pace it slower for a
        while. Returns when the pause ends."""
        moment = self.clock() + timedelta(seconds=retry_after)
        self._pace[scope] = max(SLOWEST, self._pace.get(scope, 1.0) * SLOWER)
        await self.pause(moment, scope)
        log.info(
            "%s: %s paused for %.1fs", self.platform or "platform", scope or "all", retry_after
        )
        return moment

    async def learn(self, scope: str, *, remaining: int, resets_after: float) -> None:
        """What a response's rate-limit headers said of `scope`'s window: when it is used up,
        nothing more goes to the scope until it resets."""
        if remaining <= 0 and resets_after > 0:
            await self.pause(self.clock() + timedelta(seconds=resets_after), scope)

    # -- per request -------------------------------------------------------------------------
    async def request(self, *scopes: Scope) -> None:
        """Wait until a request counting against `scopes` may go out. Waits out a short pause;
        raises `RateLimited` (with the scope) for a longer one, and no request is made."""
        await self._read_others()
        names = [PLATFORM, *(scope.name for scope in scopes)]
        for attempt in range(2):
            now = self.clock()
            paused = [(moment, name) for name in names if (moment := self._paused(name, now))]
            if not paused:
                break
            until, name = max(paused)
            wait = (until - now).total_seconds()
            if attempt or wait > self.max_wait:
                raise RateLimited(wait, name)
            await self.sleep(wait)
        for scope in scopes:
            if scope.rate is not None:
                await self._paced(scope.name, scope.rate)

    def _paused(self, name: str, now: datetime) -> datetime | None:
        found = [
            moment
            for pauses in (self._pauses, self._others)
            if (moment := pauses.get(name)) is not None and moment > now
        ]
        return max(found, default=None)

    async def _paced(self, name: str, rate: Rate) -> None:
        pace = self._pace.get(name, 1.0)
        interval = 1.0 / (rate.per_second * MARGIN * pace)
        if pace < 1.0:
            self._pace[name] = min(1.0, pace + RECOVER)
        now = self.wall()
        if self.shared is not None and rate.shared:
            start = await self._shared_slot(name, interval, now)
        else:
            start = max(self._next.get(name, 0.0), now)
            self._next[name] = start + interval
        if start > now:
            await self.sleep(start - now)
        if not (self.shared is not None and rate.shared):
            # woken late (a busy loop): the next request keeps its distance from this one
            self._next[name] = max(self._next[name], self.wall() + interval)

    async def _shared_slot(self, name: str, interval: float, now: float) -> float:
        slots = self._slots.get(name)
        if slots is not None and (
            slots.left <= 0 or slots.interval != interval or slots.start < now - interval
        ):
            slots = None  # used up, paced differently now, or gone stale while idle
        if slots is None:
            count = max(1, int(RESERVE_SECONDS / interval))
            assert self.shared is not None
            try:
                start = await self.shared.reserve(
                    self.platform, name, interval=interval, count=count, now=now
                )
            except StoreBusy as error:
                self._shared_failed(error)
                start = max(self._next.get(name, 0.0), now)
                self._next[name] = start + interval
                return start
            self._warned = False
            slots = self._slots[name] = _Slots(start, interval, count)
        start = slots.start
        slots.start += interval
        slots.left -= 1
        return start

    async def _read_others(self) -> None:
        if self.shared is None or self.monotonic() - self._read_at < self.refresh_every:
            return
        self._read_at = self.monotonic()
        try:
            self._others = await self.shared.pauses(self.platform, self.clock())
            self._warned = False
        except StoreBusy as error:
            self._shared_failed(error)

    def _shared_failed(self, error: StoreBusy) -> None:
        if not self._warned:
            log.warning(
                "%s: the shared rate budget is out of reach (%s); pacing this process alone",
                self.platform,
                error,
            )
            self._warned = True
