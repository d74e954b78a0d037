"""The dispatcher: sends due outbox rows as ARCHITECTURE.md §4 asks, recording each result as
soon as it is known, with no network call inside a database transaction. Each platform is sent
to on its own (one waiting on its rate budget never holds another up); a result the database
could not take is kept and written when it can; claims of a process that is gone (same host,
no such process any more) are released at once instead of waiting out their lease."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Mapping, Sequence
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.delivery.budget import RateBudget
from bot.delivery.quiet import load_audience
from bot.delivery.sending import Sender
from bot.errors import StoreBusy
from bot.outbox import Delivery, DeliveryResult, Retry, Sent
from bot.ports import ChatPlatform, Store

log = logging.getLogger(__name__)

LEASE = timedelta(minutes=5)
BATCH_SECONDS = LEASE.total_seconds() / 2
"""After this long, a batch gives its unsent rows back rather than start another send."""
RELEASE_EVERY = 5.0
"""Seconds between looks for claims held by processes of this host that are gone."""
LOOK_AGAIN = 0.25
"""Seconds a platform waits, at least, before it claims again while another is sending (a
due delivery it could not claim, held back behind an earlier version in flight)."""


def default_worker() -> str:
    """`host:pid:random`: unique per process, so a claim says which process holds it."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{secrets.token_hex(4)}"


def gone(worker: str, mine: str) -> bool:
    """Whether `worker` was a process of this host (by `mine`'s name) that no longer runs.

    A worker of another host, or one that may still run (or whose pid another process took
    since), is not gone: its claims wait out their lease.
    """
    host, _, rest = worker.partition(":")
    pid, _, _ = rest.partition(":")
    my_host, _, my_rest = mine.partition(":")
    if host != my_host or not pid.isdigit() or pid == my_rest.partition(":")[0]:
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:  # it exists, under another user
        return False
    return False


class Dispatcher:
    """Claims due rows under this process's worker identity (several dispatchers or processes
    send each row once), then sends them one by one (`Sender`: expiry, quiet hours, retries
    with backoff, a 429's pause, the fallback for a refused DM, edits of earlier versions) and
    records each result as it comes."""

    def __init__(
        self,
        store: Store,
        platforms: Mapping[str, ChatPlatform],
        clock: Clock,
        *,
        worker: str | None = None,
        batch: int = 100,
        budgets: dict[str, RateBudget] | None = None,
    ) -> None:
        self.store = store
        self.platforms = platforms
        self.clock = clock
        self.worker = worker or default_worker()
        self.batch = batch
        # kept, not copied: the composition root adds platforms and budgets after building us
        self.budgets = budgets if budgets is not None else {}
        self._lock = asyncio.Lock()
        self._unrecorded: list[DeliveryResult] = []
        """Results the database could not take (it was unreachable): written first next run."""
        self._released_at = -RELEASE_EVERY
        self._not_ready: dict[str, datetime] = {}
        """Platforms still connecting, and when to try them again. Not the budget's pause:
        the connection's own calls must go meanwhile."""
        self._sending: set[str] = set()
        """Platforms of the run under way that are claiming and sending (not waiting out a
        pause)."""
        self._moved = asyncio.Event()
        """Set (and replaced) when a send is recorded or a platform's run ends."""
        self._stopping = False
        self.sender = Sender(store, platforms, clock, self.budget, self._not_ready, LEASE)

    def resumes_at(self, platform: str, now: datetime) -> datetime | None:
        """When sends to `platform` may go on (its budget's pause, or its connection still
        being made), or None when they may go at `now`."""
        moments = [self.budget(platform).resumes_at(now), self._not_ready.get(platform)]
        return max((m for m in moments if m is not None and m > now), default=None)

    def budget(self, platform: str) -> RateBudget:
        """The platform's budget; an unpaced one when none was configured (it still pauses)."""
        budget = self.budgets.get(platform)
        if budget is None:
            budget = self.budgets[platform] = RateBudget()
        return budget

    def stop(self) -> None:
        """The process is stopping: no send starts after those in flight, and the rest of
        each claim is given back (due now, no attempt counted) for another process or the
        next start. A fan-out is not work in hand: at Slack's pace it would hold a stop for
        minutes, past a supervisor's patience (which then kills the process anyway)."""
        self._stopping = True
        self._moved_on()

    async def run_due(self) -> int:
        """Send everything due now, each platform on its own; returns how many deliveries
        were sent."""
        async with self._lock:
            await self._record_kept()
            await self._release_gone()
            names = list(self.platforms)
            self._sending.update(names)
            runs = [self._run_platform(name) for name in names]
            results = await asyncio.gather(*runs, return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException):
                raise result
        return sum(r for r in results if isinstance(r, int))

    async def _run_platform(self, name: str) -> int:
        sent = 0
        try:
            while not self._stopping:
                now = self.clock.now()
                resumes = self.resumes_at(name, now)
                if resumes is not None:
                    if not await self._wait_out(name, resumes):
                        return sent
                    continue
                claimed = await self.store.deliveries.claim_due(
                    now, self.worker, self.batch, now + LEASE, platforms=[name]
                )
                if claimed:
                    sent += await self._send_batch(claimed)
                    continue
                due = None
                if self._sending - {name}:  # the run goes on: is something due soon?
                    due = await self.store.deliveries.next_due_at(platforms=[name])
                if due is None or not await self._wait_out(name, due):
                    return sent
            return sent
        finally:
            self._sending.discard(name)
            self._moved_on()

    async def _wait_out(self, name: str, moment: datetime) -> bool:
        """Wait until `moment` (when a platform's pause ends, or its next delivery falls due)
        while another platform of this run is still sending: the run lasts that long anyway,
        and a platform that stopped here would wait for the next run, after the others'
        fan-outs (at Slack's pace, 10,000 DMs take over half an hour). False when no other
        platform is sending: the run ends, and the ticker comes back at that moment."""
        self._sending.discard(name)
        try:
            if not self._sending:
                return False
            moved = self._moved  # another platform's send may move a manual clock past it
            seconds = (moment - self.clock.now()).total_seconds()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(moved.wait(), max(seconds, LOOK_AGAIN))
            return True
        finally:
            self._sending.add(name)

    def _moved_on(self) -> None:
        self._moved.set()
        self._moved = asyncio.Event()

    async def _record_kept(self) -> None:
        """Write the results an unreachable database could not take earlier (a send that went
        out is recorded, not sent again)."""
        if self._unrecorded:
            kept, self._unrecorded = self._unrecorded, []
            try:
                await self.store.deliveries.record(kept, self.clock.now(), worker=self.worker)
            except BaseException:
                self._unrecorded = kept + self._unrecorded
                raise
            log.info("recorded %d result(s) kept while the database was away", len(kept))

    async def _release_gone(self) -> None:
        if time.monotonic() - self._released_at < RELEASE_EVERY:
            return
        self._released_at = time.monotonic()
        now = self.clock.now()
        for worker in await self.store.deliveries.holders(now):
            if gone(worker, self.worker):
                count = await self.store.deliveries.release(worker, now)
                log.warning("released %d delivery claim(s) of %s, which is gone", count, worker)

    async def _send_batch(self, claimed: list[Delivery]) -> int:
        given_back: list[DeliveryResult] = []
        started = time.monotonic()
        sent = 0
        done: set[int] = set()
        try:
            audience = await load_audience(self.store, claimed)
            async with self.store.deliveries.recording(self.worker) as record:
                for delivery in claimed:
                    now = self.clock.now()
                    resumes = self.resumes_at(delivery.space.key.platform, now)
                    if resumes is not None:
                        given_back.append(
                            Retry(delivery.id, resumes, "waiting on rate limit", False)
                        )
                        done.add(delivery.id)
                        continue
                    if self._stopping or time.monotonic() - started > BATCH_SECONDS:
                        # stopping, or slow sends (the rest goes back well before the lease
                        # ends): give the rest of the claim back
                        given_back.append(Retry(delivery.id, now, "released unsent", False))
                        done.add(delivery.id)
                        continue
                    result = await self.sender.send(delivery, now, audience)
                    done.add(delivery.id)
                    sent += isinstance(result, Sent)
                    await self._record(record(result, self.clock.now()), result)
                    self._moved_on()
            if given_back:
                await self.store.deliveries.record(given_back, self.clock.now(), worker=self.worker)
        except StoreBusy:
            # The database went away mid-batch: keep what is known (and give back what was
            # not tried) until it can be written, so nothing is sent twice or left claimed.
            now = self.clock.now()
            untried = [
                Retry(d.id, now, "database unreachable", False) for d in claimed if d.id not in done
            ]
            self._keep([*given_back, *untried])
            raise
        return sent

    async def _record(self, write: Awaitable[None], result: DeliveryResult) -> None:
        try:
            await write
        except StoreBusy:
            self._keep([result])
            raise

    def _keep(self, results: Sequence[DeliveryResult]) -> None:
        self._unrecorded.extend(results)
