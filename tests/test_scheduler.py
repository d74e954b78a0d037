"""The ticking clock: APScheduler runs due work at start and every interval, and stopping
lets a tick under way finish (a tick cut off inside a database call would hang the exit)."""

from __future__ import annotations

import asyncio

from bot.scheduler import Ticker


class SlowRuntime:
    """Stands in for `Runtime`: its due work waits until the test lets it finish."""

    def __init__(self) -> None:
        self.dispatcher = self  # told to stop sending after the send in flight
        self.stopped_sending = False
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

    def stop(self) -> None:
        self.stopped_sending = True


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
    assert runtime.stopped_sending
