"""Deliveries to a platform's own event list (`EventListing`): only a platform with the
`NativeEvents` capability gets them; one without says so instead of posting anything."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.delivery import Dispatcher
from bot.domain import SpaceKey
from bot.messages import EventListing, Listing, Message
from bot.ports import NewDelivery
from storage.models import OutboxRow
from storage.store import SqlStore
from tests.fakes import RecordingPlatform

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPACE = SpaceKey("console", "T-LIST")


class ListingPlatform(RecordingPlatform):
    """A platform that lists events itself, recording each call."""

    def __init__(self) -> None:
        super().__init__(name="console")
        self.listed: list[tuple[Listing, str | None]] = []

    async def publish_event(self, space: SpaceKey, listing: Listing, ref: str | None) -> str:
        self.listed.append((listing, ref))
        return ref or f"listing-{len(self.listed)}"


def listing(version: int, *, cancelled: bool = False) -> NewDelivery:
    event = Listing(
        "Forum",
        NOW + timedelta(days=1),
        NOW + timedelta(days=1, hours=1),
        "Online",
        cancelled=cancelled,
    )
    return NewDelivery(
        dedupe_key=f"event:1:listing:{version}",
        purpose="event-listing",
        target=EventListing(),
        message=Message("Forum", listing=event),
        due_at=NOW,
        replaces=f"event:1:listing:{version - 1}" if version else None,
    )


async def plan(store: SqlStore, delivery: NewDelivery) -> None:
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        await tx.outbox.enqueue(space.id, delivery)


async def test_a_listing_is_created_then_updated_in_place_then_cancelled(store: SqlStore) -> None:
    platform = ListingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, ManualClock(NOW))
    await plan(store, listing(0))
    await dispatcher.run_due()
    await plan(store, listing(1, cancelled=True))
    await dispatcher.run_due()
    assert [(item.cancelled, ref) for item, ref in platform.listed] == [
        (False, None),
        (True, "listing-1"),
    ]
    assert platform.sent == []  # nothing was posted anywhere


async def test_a_platform_without_native_events_refuses_a_listing(store: SqlStore) -> None:
    dispatcher = Dispatcher(store, {"console": RecordingPlatform()}, ManualClock(NOW))
    await plan(store, listing(0))
    await dispatcher.run_due()
    async with store.sessions() as session:
        status, error = (
            await session.execute(select(OutboxRow.status, OutboxRow.last_error))
        ).one()
    assert (status, error) == ("failed", "console has no native event listings")
