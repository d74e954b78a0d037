"""Due work: feature jobs that plan deliveries from domain state, then the dispatcher.

The same `run_due` serves the running bot (ticked by APScheduler) and the console (after every
instruction, and at each step of `advance`). Jobs are idempotent; the outbox dedupes.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.clock import Clock
from bot.context import JobContext
from bot.delivery import Dispatcher
from bot.errors import StoreUnavailable
from bot.ports import Store
from bot.router import Router

log = logging.getLogger(__name__)


class Runtime:
    def __init__(self, router: Router, store: Store, clock: Clock, dispatcher: Dispatcher) -> None:
        self.router = router
        self.store = store
        self.clock = clock
        self.dispatcher = dispatcher
        self._next_run: dict[str, datetime] = {}
        self._ran_at: dict[str, datetime] = {}
        self._kicked: asyncio.Task[int] | None = None
        self._kicked_again = False

    async def run_due(self, *, every_job: bool = False) -> int:
        """Run every job whose time has come (with `every_job`, all of them: they are safe to
        run again), then send what is due. Returns how many deliveries were sent."""
        now = self.clock.now()
        for job in self.router.jobs:
            next_run = self._next_run.get(job.name)
            if not every_job and next_run is not None and next_run > now:
                continue
            self._next_run[job.name] = now + job.every
            self._ran_at[job.name] = now
            try:
                await job.run(JobContext(self.store, self.router, now))
            except StoreUnavailable:
                # The database is away: this job is still due, and the rest can't run either;
                # the caller (the ticker) says so once and the next tick tries again.
                if next_run is None:
                    del self._next_run[job.name]
                else:
                    self._next_run[job.name] = next_run
                raise
            except Exception:
                log.exception("job %s failed; it runs again at %s", job.name, now + job.every)
        return await self.dispatcher.run_due()

    async def next_job_at(self) -> datetime | None:
        """When a job next has work: its own answer where it can tell (`Job.next_due`), else
        its next tick. The console's `advance` steps from one such moment to the next, so a
        quiet year costs a handful of steps, not one per tick."""
        now = self.clock.now()
        moments: list[datetime] = []
        for job in self.router.jobs:
            if job.next_due is not None:
                due = await job.next_due(JobContext(self.store, self.router, now))
                if due is not None and due <= now and self._ran_at.get(job.name) == now:
                    due = now + job.every  # it ran now and still waits: its next tick, then
                if due is not None:
                    moments.append(max(due, now))
            else:
                moments.append(self._next_run.get(job.name, now))
        return min(moments, default=None)

    def reset_schedule(self) -> None:
        """Forget when jobs last ran (the console's clock was set to another moment)."""
        self._next_run.clear()
        self._ran_at.clear()

    def stop_sending(self) -> None:
        """The process is stopping: sends end with those in flight (`Dispatcher.stop`)."""
        self.dispatcher.stop()

    def kick(self) -> None:
        """Send newly planned deliveries soon, without waiting for the next tick.

        A kick during a send run makes that run go round once more: its claim may have
        missed a row committed after it.
        """
        if self._kicked is None or self._kicked.done():
            self._kicked = asyncio.get_running_loop().create_task(self._send_until_quiet())
        else:
            self._kicked_again = True

    async def _send_until_quiet(self) -> int:
        sent = 0
        while True:
            self._kicked_again = False
            sent += await self.dispatcher.run_due()
            if not self._kicked_again:
                return sent

    async def kicked(self) -> int:
        """Wait for the send run started by `kick` (tests and benchmarks)."""
        return await self._kicked if self._kicked is not None else 0
