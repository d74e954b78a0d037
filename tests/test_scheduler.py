"""The ticking clock: APScheduler runs due work at start and every interval, and stopping
lets a tick under way finish the send in flight (a tick cut off inside a database call would
hang the exit), not a whole fan-out. A run that finds the database away is tried again within
seconds, not a tick later; one that leaves a delivery due goes again at once."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from bot.clock import ManualClock
from bot.context import JobContext
from bot.delivery import Dispatcher
from bot.errors import StoreUnavailable
from bot.router import Job, Router
from bot.runtime import Runtime
from bot.scheduler import Ticker
from storage.store import SqlStore
from tests.fakes import RecordingPlatform
from tests.test_delivery import dm, plan, statuses
from tests.test_delivery_budget import plan_on
from tests.test_delivery_processes import HeldPlatform


class SlowRuntime:
    """Stands in for `Runtime`: its due work waits until the test lets it finish."""

    def __init__(self) -> None:
        self.started = asyncio.Event()
        self.release = asyncio.Event()
        self.finished = 0

    async def run_due(self) -> int:
        self.started.set()
        await self.release.wait()
        self.finished += 1
        return 0

    async def kicked(self) -> int:
        return 0

    def stop_sending(self) -> None:
        pass


async def test_the_first_tick_runs_at_start() -> None:
    runtime = SlowRuntime()
    runtime.release.set()
    ticker = Ticker(runtime, every_seconds=3600)  # type: ignore[arg-type]
    ticker.start()
    await asyncio.wait_for(runtime.started.wait(), 5)
    await ticker.stop()
    assert runtime.finished == 1


async def test_stopping_lets_a_tick_under_way_finish() -> None:
    runtime = SlowRuntime()
    ticker = Ticker(runtime, every_seconds=3600)  # type: ignore[arg-type]
    ticker.start()
    await asyncio.wait_for(runtime.started.wait(), 5)
    stopping = asyncio.create_task(ticker.stop())
    await asyncio.sleep(0)  # the scheduler shuts down and cancels its job meanwhile
    assert not stopping.done()
    runtime.release.set()
    await asyncio.wait_for(stopping, 5)
    assert runtime.finished == 1


async def test_stopping_during_a_fan_out_waits_for_the_send_in_flight_only(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, *(dm(f"d{i}", clock, user=f"u{i}") for i in range(3)))
    held = HeldPlatform()
    runtime = Runtime(Router(), store, clock, Dispatcher(store, {"console": held}, clock))
    ticker = Ticker(runtime, every_seconds=3600)
    ticker.start()
    await asyncio.wait_for(held.entered.wait(), 5)
    stopping = asyncio.create_task(ticker.stop())
    await asyncio.sleep(0)
    held.release.set()
    await asyncio.wait_for(stopping, 5)
    assert await statuses(store) == {"d0": ("sent", 1), "d1": ("pending", 0), "d2": ("pending", 0)}


async def test_a_run_that_found_the_database_away_is_tried_again_within_seconds(
    store: SqlStore, clock: ManualClock
) -> None:
    tries: list[int] = []
    back = asyncio.Event()

    async def plans(_: JobContext) -> None:
        tries.append(len(tries))
        if len(tries) <= 2:  # PostgreSQL is stopped, then it is back
            raise StoreUnavailable("ConnectionRefusedError")
        back.set()

    router = Router()
    router.job(Job("plans", timedelta(hours=1), plans))
    runtime = Runtime(router, store, clock, Dispatcher(store, {}, clock))
    ticker = Ticker(runtime, every_seconds=3600, away_retry_seconds=0.01)
    ticker.start()
    await asyncio.wait_for(back.wait(), 5)  # not the next tick, an hour later
    await ticker.stop()
    assert len(tries) == 3


async def test_a_run_that_sent_something_and_left_a_delivery_due_goes_again_at_once(
    store: SqlStore, clock: ManualClock
) -> None:
    """As when a delivery falls due just as a run ends; here, one for a platform this
    process does not serve: the run after finds nothing to send and waits for the tick."""
    runs: list[int] = []
    again = asyncio.Event()

    async def counts(_: JobContext) -> None:
        runs.append(len(runs))
        if len(runs) == 2:
            again.set()

    router = Router()
    router.job(Job("counts", timedelta(0), counts))  # runs in every run
    await plan(store, clock, dm("here", clock))
    await plan_on(store, "elsewhere", dm("there", clock))
    platform = RecordingPlatform()
    runtime = Runtime(router, store, clock, Dispatcher(store, {"console": platform}, clock))
    ticker = Ticker(runtime, every_seconds=3600)
    ticker.start()
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(again.wait(), 5)  # not an hour later
    await ticker.stop()
    assert len(runs) == 2
    assert [s.message.text for s in platform.sent] == ["hello here"]
