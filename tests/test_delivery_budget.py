"""Rate budgets (ARCHITECTURE.md §4): the budget an adapter adds paces the sends of a served
bot, and a 429's `Retry-After` keeps the whole platform quiet until it has passed."""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.delivery import Dispatcher, RateBudget
from bot.delivery.budget import PLATFORM
from bot.domain import SpaceKey
from bot.errors import RateLimited
from bot.messages import ChannelPost, Message, Target
from bot.ports import NewDelivery
from bot.router import Router
from bot.runtime import Runtime
from storage.outbox import SqlDeliveryQueue
from storage.store import SqlStore
from tests.fakes import FakeTimer, RecordingPlatform
from tests.test_delivery import dm, plan, space, statuses


class TimedPlatform(RecordingPlatform):
    """Records the budget's time at each send."""

    def __init__(self, timer: FakeTimer) -> None:
        super().__init__()
        self.timer = timer
        self.sent_at: list[float] = []

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        self.sent_at.append(self.timer.now)
        return await super().send(space, target, message)


async def test_a_served_bot_paces_sends_with_the_budget_its_adapter_added(
    store: SqlStore, clock: ManualClock
) -> None:
    core = build_core(store, clock, router=Router(), send_when_planned=False)
    timer = FakeTimer()
    platform = TimedPlatform(timer)
    # what an adapter's service does when `serve()` builds it, after the core exists
    core.add_platform(
        platform, RateBudget(2, burst=1, monotonic=timer.monotonic, sleep=timer.sleep)
    )
    await plan(store, clock, *(dm(f"d{i}", clock, user=f"u{i}") for i in range(3)))
    assert await core.runtime.run_due() == 3
    assert platform.sent_at == [0.0, 0.5, 1.0]


async def test_a_429_keeps_the_platform_quiet_across_runs_and_kicks_until_it_has_passed(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform(failures=[RateLimited(30)])
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    runtime = Runtime(Router(), store, clock, dispatcher)
    await plan(store, clock, dm("first", clock))
    assert await runtime.run_due() == 0
    clock.advance(timedelta(seconds=10))
    await plan(store, clock, dm("planned-during-the-pause", clock, user="bob"))
    runtime.kick()
    assert await runtime.kicked() == 0
    clock.advance(timedelta(seconds=19))
    assert await runtime.run_due() == 0  # the next tick, still inside the pause
    assert platform.attempts == 1
    clock.advance(timedelta(seconds=2))
    assert await runtime.run_due() == 2
    assert platform.attempts == 3
    assert await statuses(store) == {"first": ("sent", 1), "planned-during-the-pause": ("sent", 1)}


async def test_a_429_on_the_fallback_post_after_a_refused_dm_is_retried_after_retry_after(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform(closed_dms={"alice"}, failures=[RateLimited(20)])
    found = await space(store)
    async with store.transaction() as tx:
        await tx.settings.put(found.id, "channel.intros", "C-INTROS")
    await plan(store, clock, dm("hello", clock, fallback="intros"))
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    assert await dispatcher.run_due() == 0
    assert await statuses(store) == {"hello": ("pending", 0)}
    clock.advance(timedelta(seconds=21))
    assert await dispatcher.run_due() == 1
    [sent] = platform.sent
    assert sent.target == ChannelPost("C-INTROS")
    assert sent.message.text.endswith("hello hello")
    assert await statuses(store) == {"hello": ("sent", 1)}


class WatchedBudget(RateBudget):
    """Tells when the dispatcher has seen the platform paused."""

    def __init__(self) -> None:
        super().__init__()
        self.seen_paused = asyncio.Event()

    def resumes_at(self, now: datetime, scope: str = PLATFORM) -> datetime | None:
        moment = super().resumes_at(now, scope)
        if moment is not None:
            self.seen_paused.set()
        return moment


class SlowPlatform(RecordingPlatform):
    """Each send takes a second of the clock (a paced fan-out); the first waits for `after`."""

    def __init__(self, clock: ManualClock, after: asyncio.Event | None = None) -> None:
        super().__init__(name="slow")
        self.clock = clock
        self.after = after

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        if self.after is not None and not self.sent:
            with contextlib.suppress(TimeoutError):  # it may never come
                await asyncio.wait_for(self.after.wait(), 5)
        self.clock.advance(timedelta(seconds=1))
        return await super().send(space, target, message)


async def plan_on(store: SqlStore, platform: str, *deliveries: NewDelivery) -> None:
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(SpaceKey(platform, "T1"))
        await tx.outbox.enqueue_many(found.id, list(deliveries))


async def test_a_platform_paused_for_moments_sends_again_while_another_is_still_sending(
    store: SqlStore, clock: ManualClock
) -> None:
    quick = RecordingPlatform(name="quick", failures=[RateLimited(3)])
    budget = WatchedBudget()
    slow = SlowPlatform(clock, after=budget.seen_paused)  # still sending when the pause ends
    platforms = {"slow": slow, "quick": quick}
    dispatcher = Dispatcher(store, platforms, clock, budgets={"quick": budget})
    await plan_on(store, "slow", *(dm(f"slow-{i}", clock, user=f"u{i}") for i in range(10)))
    await plan_on(store, "quick", dm("quick", clock))

    assert await dispatcher.run_due() == 11  # not left until the slow platform's run ends
    assert [s.message.text for s in quick.sent] == ["hello quick"]
    assert len(slow.sent) == 10


class WatchedQueue(SqlDeliveryQueue):
    """Tells when the dispatcher has asked when a platform's next delivery falls due."""

    def __init__(self, store: SqlStore, platform: str) -> None:
        super().__init__(store.sessions)
        self.platform = platform
        self.asked = asyncio.Event()

    async def next_due_at(self, *, platforms: list[str] | None = None) -> datetime | None:
        due = await super().next_due_at(platforms=platforms)
        if platforms == [self.platform]:
            self.asked.set()
        return due


async def test_a_delivery_falling_due_while_another_platform_is_sending_goes_out_in_that_run(
    store: SqlStore, clock: ManualClock
) -> None:
    store.deliveries = queue = WatchedQueue(store, "quick")
    quick = RecordingPlatform(name="quick")
    slow = SlowPlatform(clock, after=queue.asked)  # still sending when "quick" falls due
    dispatcher = Dispatcher(store, {"slow": slow, "quick": quick}, clock)
    await plan_on(store, "slow", *(dm(f"slow-{i}", clock, user=f"u{i}") for i in range(10)))
    await plan_on(store, "quick", dm("quick", clock, due_in=timedelta(seconds=3)))

    assert await dispatcher.run_due() == 11  # not left until the next run
    assert [s.message.text for s in quick.sent] == ["hello quick"]


def test_a_pause_ends_at_its_moment_and_a_later_pause_wins(clock: ManualClock) -> None:
    budget = RateBudget()
    budget.pause_until(clock.now() + timedelta(seconds=30))
    budget.pause_until(clock.now() + timedelta(seconds=10))
    assert budget.resumes_at(clock.now()) == clock.now() + timedelta(seconds=30)
    assert budget.resumes_at(clock.now() + timedelta(seconds=30)) is None
