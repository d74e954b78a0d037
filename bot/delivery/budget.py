"""A platform's rate budget: how fast Rounds may call it, and until when not at all (a 429).
One per platform for the life of the process, so a pause holds across batches, kicks and ticks.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime


@dataclass
class RateBudget:
    """A token bucket (`per_second`, `burst`; no pacing when `per_second` is None) plus a pause.

    Pacing runs on monotonic real time. A pause ends at a moment of the core's clock, so it
    agrees with due times (and with tests and the console, whose clocks are manual). Kept to
    three calls (`acquire`, `pause_until`, `resumes_at`) so that an adaptive budget, or one
    shared between processes through the database, can take its place.
    """

    per_second: float | None = None
    burst: int = 10
    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep
    _tokens: float = field(init=False)
    _stamp: float = field(init=False)
    _paused_until: datetime | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)
        self._stamp = self.monotonic()

    async def acquire(self) -> None:
        """Wait (in real time) until one more request fits in the budget."""
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

    def pause_until(self, moment: datetime) -> None:
        """No request to this platform before `moment` (a later pause wins over an earlier)."""
        if self._paused_until is None or moment > self._paused_until:
            self._paused_until = moment

    def resumes_at(self, now: datetime) -> datetime | None:
        """When the current pause ends, or None when requests may go out at `now`."""
        if self._paused_until is not None and self._paused_until > now:
            return self._paused_until
        return None
