"""Several processes and crashes (ARCHITECTURE.md §4): each process has its own worker
identity, a slow process cannot overwrite a claim another took over, and a crash mid-batch
repeats at most the send that was in flight."""

from __future__ import annotations

import asyncio
import os
import socket
from datetime import timedelta

import pytest

from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.delivery import LEASE, Dispatcher
from bot.domain import SpaceKey
from bot.errors import DeliveryError
from bot.messages import Message, Target
from storage.store import SqlStore
from tests.fakes import RecordingPlatform
from tests.test_delivery import dm, plan, statuses


class HeldPlatform(RecordingPlatform):
    """Holds its first send until released; then it fails with `error`, or sends."""

    def __init__(self, error: Exception | None = None) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self.error = error

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        if not self.entered.is_set():
            self.entered.set()
            await self.release.wait()
            if self.error is not None:
                raise self.error
        return await super().send(space, target, message)


class Crash(BaseException):
    """The process dying in the middle of a send: nothing in the dispatcher handles it."""


class CrashingPlatform(RecordingPlatform):
    def __init__(self, crash_on: int) -> None:
        super().__init__()
        self.crash_on = crash_on

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        if self.attempts + 1 == self.crash_on:
            raise Crash()
        return await super().send(space, target, message)


def test_each_dispatcher_names_itself_by_host_process_and_a_random_part(
    store: SqlStore, clock: ManualClock
) -> None:
    first = Dispatcher(store, {}, clock).worker
    second = build_core(store, clock).dispatcher.worker
    assert first != second
    for worker in (first, second):
        host, pid, random = worker.split(":")
        assert (host, pid) == (socket.gethostname()[:32], str(os.getpid()))
        assert len(random) == 8
        assert len(worker) <= 64  # fits the outbox's claimed_by column


async def test_a_slow_process_cannot_overwrite_a_claim_another_process_took_over(
    store: SqlStore, clock: ManualClock, database_url: str
) -> None:
    await plan(store, clock, dm("hello", clock))
    other_store = SqlStore.from_url(database_url)
    slow_platform = HeldPlatform(DeliveryError("timeout", permanent=False))
    fast_platform = HeldPlatform()
    slow = Dispatcher(store, {"console": slow_platform}, clock)  # default identities, as in
    fast = Dispatcher(other_store, {"console": fast_platform}, clock)  # two processes
    try:
        slow_run = asyncio.create_task(slow.run_due())
        await slow_platform.entered.wait()
        clock.advance(LEASE + timedelta(minutes=1))  # the slow send outlives its lease
        fast_run = asyncio.create_task(fast.run_due())
        await fast_platform.entered.wait()  # the second process took the row over
        slow_platform.release.set()
        assert await slow_run == 0  # its timeout is not written over the other's claim
        fast_platform.release.set()
        assert await fast_run == 1
        clock.advance(timedelta(hours=1))
        assert await fast.run_due() + await slow.run_due() == 0
    finally:
        await other_store.close()
    assert [s.message.text for s in fast_platform.sent] == ["hello hello"]
    assert slow_platform.sent == []
    assert await statuses(store) == {"hello": ("sent", 2)}


async def test_a_crash_mid_batch_repeats_at_most_the_send_in_flight(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, *(dm(f"d{i}", clock, user=f"u{i}") for i in range(5)))
    crashing = CrashingPlatform(crash_on=3)
    with pytest.raises(Crash):
        await Dispatcher(store, {"console": crashing}, clock).run_due()
    clock.advance(LEASE + timedelta(minutes=1))  # the crashed process's claim runs out
    survivor = RecordingPlatform()
    assert await Dispatcher(store, {"console": survivor}, clock).run_due() == 3
    assert [s.message.text for s in crashing.sent] == ["hello d0", "hello d1"]
    assert [s.message.text for s in survivor.sent] == ["hello d2", "hello d3", "hello d4"]


async def test_a_stop_mid_fan_out_ends_with_the_send_in_flight_and_gives_the_rest_back(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, *(dm(f"d{i}", clock, user=f"u{i}") for i in range(5)))
    held = HeldPlatform()
    dispatcher = Dispatcher(store, {"console": held}, clock)
    running = asyncio.create_task(dispatcher.run_due())
    await held.entered.wait()
    dispatcher.stop()  # SIGTERM while "d0" is being sent
    held.release.set()
    assert await running == 1
    assert await statuses(store) == {"d0": ("sent", 1)} | {
        f"d{i}": ("pending", 0) for i in (1, 2, 3, 4)
    }
    next_start = RecordingPlatform()  # at once: nothing waits out a lease
    assert await Dispatcher(store, {"console": next_start}, clock).run_due() == 4
    assert [s.message.text for s in next_start.sent] == [f"hello d{i}" for i in (1, 2, 3, 4)]
