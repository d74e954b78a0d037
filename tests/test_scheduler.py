"""The ticking clock: APScheduler runs due work at start and every interval, and stopping
lets a tick under way finish the send in flight (a tick cut off inside a database call would
hang the exit), not a whole fan-out. What falls due before the next tick goes out when it does,
and a run that finds the database away is tried again within seconds, not a tick later."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from bot.clock import ManualClock
from bot.context import JobContext
from bot.delivery import Dispatcher
from bot.domain import SpaceKey
from bot.errors import StoreUnavailable
from bot.messages import Message, Target
from bot.router import Job, Router
from bot.runtime import Runtime
from bot.scheduler import Ticker
from storage.store import SqlStore
from tests.fakes import RecordingPlatform
from tests.test_delivery import dm, plan, statuses
from tests.test_delivery_budget import SlowPlatform, plan_on
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


class NotifyingPlatform(RecordingPlatform):
    """Says when it has sent something."""

    def __init__(self, name: str) -> None:
        super().__init__(name=name)
        self.sent_one = asyncio.Event()

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        ref = await super().send(space, target, message)
        self.sent_one.set()
        return ref


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


async def test_a_delivery_due_while_another_platform_was_sending_goes_out_before_the_next_tick(
    store: SqlStore, clock: ManualClock
) -> None:
    slow = SlowPlatform(clock)
    quick = NotifyingPlatform("quick")
    dispatcher = Dispatcher(store, {"slow": slow, "quick": quick}, clock)
    await plan_on(store, "slow", dm("slow", clock))
    await plan_on(store, "quick", dm("quick", clock, due_in=timedelta(milliseconds=500)))
    ticker = Ticker(Runtime(Router(), store, clock, dispatcher), every_seconds=3600)
    ticker.start()  # the first run: "quick" has nothing due yet; "slow" takes a second
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(quick.sent_one.wait(), 5)
    await ticker.stop()
    assert [s.message.text for s in quick.sent] == ["hello quick"]  # not an hour later
