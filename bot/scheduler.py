"""The ticking clock of the running bot: one APScheduler interval job, in memory only.

Domain state decides what is due (ARCHITECTURE.md §4); APScheduler only wakes us up. Its first
run happens at start, so work that fell due while the bot was down goes out straight away.
When a delivery falls due before the next tick (one a rate limit or a short backoff put off by
seconds), a run is made at that moment too, so a fan-out never idles until the next tick; while
the database is out of reach, a run is tried every few seconds until it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.errors import StoreUnavailable
from bot.runtime import Runtime

log = logging.getLogger(__name__)

AWAY_RETRY_SECONDS = 2.0
"""After a run found the database out of reach, the next one comes this soon rather than a
whole tick later: what fell due during an outage goes out as soon as it is over."""


class Ticker:
    def __init__(
        self,
        runtime: Runtime,
        *,
        every_seconds: float = 20.0,
        away_retry_seconds: float = AWAY_RETRY_SECONDS,
    ) -> None:
        self.runtime = runtime
        self.every_seconds = every_seconds
        self.away_retry_seconds = away_retry_seconds
        self._scheduler: AsyncIOScheduler | None = None
        self._running: asyncio.Task[None] | None = None
        self._soon: asyncio.TimerHandle | None = None
        self._away = False
        """The last run found the database out of reach."""

    def start(self) -> None:
        scheduler = AsyncIOScheduler(timezone=UTC)
        scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.every_seconds,
            id="tick",
            next_run_time=datetime.now(UTC),
            max_instances=1,
            coalesce=True,
        )
        scheduler.start()
        self._scheduler = scheduler

    async def _tick(self) -> None:
        # Shielded: shutting the scheduler down cancels its jobs, and a tick cut off inside a
        # database call would leave a connection half-closed and the process unable to exit.
        # That cancellation is the stop itself (`stop` waits for the tick), not a failure for
        # APScheduler to log with a traceback.
        self._running = asyncio.ensure_future(self._run())
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.shield(self._running)

    async def _run(self) -> None:
        try:
            sent = await self.runtime.run_due()
            if self._away:
                self._away = False
                log.info("tick: the database is back")
            await self._follow_up(went_on=sent > 0)
        except StoreUnavailable:
            if not self._away:  # said once per outage, not at every try
                self._away = True
                log.warning(
                    "tick: the database is out of reach; trying again every %g s",
                    self.away_retry_seconds,
                )
            self._run_in(self.away_retry_seconds)
        except Exception:
            log.exception("tick failed; the next tick tries again")

    async def _follow_up(self, *, went_on: bool) -> None:
        """Run again when the next delivery falls due, or when a platform's pause ends while
        deliveries wait on it, if that is before the next tick; at once when a delivery fell
        due while the run that sent something was under way (its platform had finished its
        part while another platform was still sending)."""
        dispatcher = self.runtime.dispatcher
        due = await dispatcher.store.deliveries.next_due_at()
        if due is None or self._scheduler is None:
            return
        now = self.runtime.clock.now()
        if due <= now:  # due already yet not sent
            pauses = [
                moment
                for name in dispatcher.platforms
                if (moment := dispatcher.resumes_at(name, now)) is not None
            ]
            if pauses:  # a platform is paused (rate limit, connecting)
                due = min(pauses)
            elif went_on:
                self._run_in(0)
                return
            else:  # nothing this process can send (another platform's, another's claim)
                return
        delay = (due - now).total_seconds()
        if not 0 < delay < self.every_seconds:
            return  # the tick comes first
        self._run_in(delay)

    def _run_in(self, delay: float) -> None:
        if self._scheduler is None:
            return  # stopping
        if self._soon is not None:
            self._soon.cancel()
        self._soon = asyncio.get_running_loop().call_later(delay, self._again)

    def _again(self) -> None:
        self._soon = None
        if self._scheduler is None or (self._running is not None and not self._running.done()):
            return  # stopping, or a run is under way (it looks again when it ends)
        self._running = asyncio.ensure_future(self._run())

    async def stop(self) -> None:
        """Stop ticking, letting a tick under way finish the sends in flight (a fan-out's
        other deliveries are given back, for the next start or another process)."""
        if self._soon is not None:
            self._soon.cancel()
            self._soon = None
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        self.runtime.stop_sending()
        if self._running is not None and not self._running.done():
            await self._running
        with contextlib.suppress(Exception):  # a send run's failures are already logged
            await self.runtime.kicked()
