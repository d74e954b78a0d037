"""Versions of one message (ARCHITECTURE.md §4): a newer version supersedes every pending older
one, no older version goes out after a newer one, and an edit finds the post to edit."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.clock import ManualClock
from bot.delivery import LEASE, Dispatcher
from bot.errors import DeliveryError
from bot.messages import ChannelPost, Message
from bot.ports import NewDelivery
from storage.store import SqlStore
from tests.fakes import RecordingPlatform
from tests.test_delivery import plan, statuses
from tests.test_delivery_processes import HeldPlatform

CARDS = ChannelPost("C-INTROS")


def card(version: int, clock: ManualClock, due_in: timedelta = timedelta()) -> NewDelivery:
    return NewDelivery(
        f"card:{version}",
        "intro",
        CARDS,
        Message(f"v{version}"),
        clock.now() + due_in,
        replaces=f"card:{version - 1}" if version > 1 else None,
    )


def posts(platform: RecordingPlatform) -> list[str]:
    return [s.message.text for s in platform.sent]


async def test_a_replacement_planned_before_its_original_went_out_is_the_only_post(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, card(1, clock), card(2, clock))
    platform = RecordingPlatform()
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert posts(platform) == ["v2"] and platform.edits == []
    assert await statuses(store) == {"card:1": ("cancelled", 0), "card:2": ("sent", 1)}


async def test_a_newer_version_cancels_every_older_version_still_pending(
    store: SqlStore, clock: ManualClock
) -> None:
    later = timedelta(hours=1)
    await plan(store, clock, card(1, clock, later), card(2, clock, later), card(3, clock))
    platform = RecordingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    await dispatcher.run_due()
    clock.advance(timedelta(hours=2))
    await dispatcher.run_due()
    assert posts(platform) == ["v3"]
    assert {key: status for key, (status, _) in (await statuses(store)).items()} == {
        "card:1": "cancelled",
        "card:2": "cancelled",
        "card:3": "sent",
    }


async def test_a_replacement_edits_the_chains_last_post_when_the_version_between_never_went_out(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    await plan(store, clock, card(1, clock))
    await dispatcher.run_due()
    await plan(store, clock, card(2, clock, timedelta(hours=1)), card(3, clock))
    await dispatcher.run_due()
    assert posts(platform) == ["v1"]
    assert platform.edits == [("ref-1", Message("v3"))]


async def test_an_older_version_that_fails_after_a_newer_one_was_planned_is_never_retried(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = HeldPlatform(DeliveryError("timeout", permanent=False))
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    await plan(store, clock, card(1, clock))
    first_run = asyncio.create_task(dispatcher.run_due())
    await platform.entered.wait()  # v1 is being sent
    await plan(store, clock, card(2, clock, timedelta(minutes=10)))
    platform.release.set()  # … and fails for now
    await first_run
    clock.advance(timedelta(hours=1))
    await dispatcher.run_due()
    assert posts(platform) == ["v2"] and platform.edits == []
    assert (await statuses(store))["card:1"][0] == "cancelled"


async def test_a_replacement_waits_while_the_version_before_it_is_being_sent_elsewhere(
    store: SqlStore, clock: ManualClock, database_url: str
) -> None:
    await plan(store, clock, card(1, clock))
    other_store = SqlStore.from_url(database_url)
    first_platform, second_platform = HeldPlatform(), RecordingPlatform()
    first = Dispatcher(store, {"console": first_platform}, clock)
    second = Dispatcher(other_store, {"console": second_platform}, clock)
    try:
        first_run = asyncio.create_task(first.run_due())
        await first_platform.entered.wait()  # one process is posting v1
        await plan(store, clock, card(2, clock))
        assert await second.run_due() == 0  # another process must not post v2 beside it
        first_platform.release.set()
        await first_run
        await second.run_due()
    finally:
        await other_store.close()
    assert posts(first_platform) + posts(second_platform) == ["v1"]
    assert first_platform.edits + second_platform.edits == [("ref-1", Message("v2"))]


async def test_an_old_version_a_crashed_worker_held_is_not_sent_beside_a_newer_one(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, card(1, clock))
    await store.deliveries.claim_due(clock.now(), "crashed", 10, clock.now() + LEASE)
    await plan(store, clock, card(2, clock))  # planned while v1 is held
    clock.advance(LEASE + timedelta(minutes=1))  # both are due in the same batch
    platform = RecordingPlatform()
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert len(platform.sent) + len(platform.edits) == 1
    assert posts(platform) == ["v2"]
