"""Failed dashboard sign-ins are counted in the database, so every process serving the
dashboard (several behind one load balancer) sees one count per address: ten failures, then
one more try each minute."""

from __future__ import annotations

from bot.clock import ManualClock
from bot.features.catalog import build_router
from bot.features.dashboard.service import SIGN_IN_TRIES, BoardService
from storage.store import SqlStore


class Wall:
    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_failures_counted_by_one_process_hold_back_the_address_on_another(
    store: SqlStore, clock: ManualClock
) -> None:
    wall = Wall()
    router = build_router()
    first = BoardService(store, router, clock, wall)
    second = BoardService(SqlStore(store.engine), router, clock, wall)  # another process
    for attempt in range(SIGN_IN_TRIES):
        assert await second.sign_in_wait("203.0.113.7") == 0, attempt
        await (first if attempt % 2 else second).sign_in_failed("203.0.113.7")
        wall.now += 0.5
    assert await first.sign_in_wait("203.0.113.7") == 55  # a try frees up a minute after the first
    assert await second.sign_in_wait("203.0.113.7") == 55
    assert await second.sign_in_wait("198.51.100.2") == 0  # another address is not held
    wall.now += 55
    assert await second.sign_in_wait("203.0.113.7") == 0
    await first.sign_in_failed("203.0.113.7")  # that try failed too: another minute
    assert await second.sign_in_wait("203.0.113.7") == 60


async def test_an_address_idle_for_the_window_is_forgotten(
    store: SqlStore, clock: ManualClock
) -> None:
    wall = Wall()
    service = BoardService(store, build_router(), clock, wall)
    await service.sign_in_failed("203.0.113.7")
    wall.now += 3600
    await service.sign_in_failed("198.51.100.2")  # each failure forgets idle addresses
    assert await store.limits.next_free("dashboard", "203.0.113.7") is None
    assert await store.limits.next_free("dashboard", "198.51.100.2") is not None
