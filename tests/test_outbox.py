"""The outbox table itself: claims that never exceed their limit on PostgreSQL, bulk planning,
message bodies dropped once a delivery is finished, and finished rows purged after
`outbox.keep` (ARCHITECTURE.md §4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from bot.clock import ManualClock
from bot.context import JobContext
from bot.delivery import LEASE, Dispatcher
from bot.errors import DeliveryError
from bot.features.catalog import build_router
from bot.features.housekeeping import purge_outbox
from bot.messages import DirectMessage, Message
from bot.ports import NewDelivery
from storage.db import make_engine
from storage.models import OutboxRow
from storage.store import SqlStore
from tests.fakes import RecordingPlatform
from tests.test_delivery import dm, plan, space, statuses


async def stored(store: SqlStore, key: str) -> OutboxRow:
    async with store.sessions() as session:
        return (
            await session.execute(select(OutboxRow).where(OutboxRow.dedupe_key == key))
        ).scalar_one()


async def test_a_claim_never_takes_more_than_its_limit_on_postgresql(
    store: SqlStore, clock: ManualClock, database_url: str
) -> None:
    if store.engine.dialect.name != "postgresql":
        pytest.skip("a PostgreSQL planner behaviour")
    await plan(store, clock, *(dm(f"d{i}", clock, user=f"u{i}") for i in range(200)))
    async with store.engine.begin() as connection:
        await connection.execute(text("CREATE INDEX outbox_due_id ON outbox (due_at, id)"))
        await connection.execute(text("ANALYZE outbox"))
    # a plan that re-runs the candidate query for every outbox row, each run skipping the rows
    # the previous runs locked, as PostgreSQL may choose by itself
    rescanning = {
        setting: "off"
        for setting in ("enable_hashjoin", "enable_mergejoin", "enable_hashagg", "enable_sort")
    } | {"enable_material": "off"}
    other = SqlStore(make_engine(database_url, connect_args={"server_settings": rescanning}))
    try:
        claimed = await other.deliveries.claim_due(clock.now(), "w", 10, clock.now() + LEASE)
    finally:
        await other.close()
    assert len(claimed) == 10
    assert sum(status == "claimed" for status, _ in (await statuses(store)).values()) == 10


async def test_plans_in_bulk_count_only_new_deliveries(store: SqlStore, clock: ManualClock) -> None:
    found = await space(store)
    await plan(store, clock, *(dm(f"d{i}", clock, user=f"u{i}") for i in range(0, 1200, 10)))
    many = [dm(f"d{i}", clock, user=f"u{i}") for i in range(1200)]
    async with store.transaction() as tx:
        assert await tx.outbox.enqueue_many(found.id, many + many[:5]) == 1080
    async with store.transaction() as tx:
        assert await tx.outbox.enqueue_many(found.id, many) == 0
    platform = RecordingPlatform()
    assert await Dispatcher(store, {"console": platform}, clock, batch=500).run_due() == 1200
    assert len({s.message.text for s in platform.sent}) == 1200


async def test_plans_in_bulk_keep_every_field_and_supersede_older_versions(
    store: SqlStore, clock: ManualClock
) -> None:
    found = await space(store)
    await plan(store, clock, dm("v1", clock, due_in=timedelta(hours=1)))
    newer = NewDelivery(
        "v2",
        "nudge",
        DirectMessage("alice"),
        Message("v2", fields=(("When", "today"),)),
        clock.now(),
        clock.now() + timedelta(days=1),
        "intros",
        replaces="v1",
        quiet=True,
    )
    async with store.transaction() as tx:
        assert await tx.outbox.enqueue_many(found.id, [newer]) == 1
    [claimed] = await store.deliveries.claim_due(clock.now(), "w", 10, clock.now() + LEASE)
    assert (claimed.message, claimed.expires_at, claimed.fallback_channel, claimed.quiet) == (
        newer.message,
        newer.expires_at,
        "intros",
        True,
    )
    assert (await statuses(store))["v1"] == ("cancelled", 0)


@pytest.mark.parametrize(
    ("outcome", "status"),
    [
        (None, "sent"),
        (DeliveryError("channel_not_found", permanent=True), "failed"),
        ("expire", "expired"),
        ("cancel", "cancelled"),
    ],
)
async def test_a_finished_delivery_keeps_its_key_status_and_reference_but_not_its_message(
    store: SqlStore, clock: ManualClock, outcome: object, status: str
) -> None:
    found = await space(store)
    expires = timedelta(minutes=1) if outcome == "expire" else None
    await plan(store, clock, dm("secret", clock, expires_in=expires))
    platform = RecordingPlatform()
    if isinstance(outcome, Exception):
        platform.failures.append(outcome)
    if outcome == "expire":
        clock.advance(timedelta(minutes=2))
    if outcome == "cancel":
        async with store.transaction() as tx:
            assert await tx.outbox.cancel(found.id, "secret")
    await Dispatcher(store, {"console": platform}, clock).run_due()
    row = await stored(store, "secret")
    assert (row.status, row.payload) == (status, None)
    assert row.finished_at is not None
    assert (row.sent_ref == "ref-1") is (status == "sent")
    assert await plan(store, clock, dm("secret", clock)) == [False]  # the key still dedupes


async def test_a_delivery_waiting_for_a_retry_keeps_its_message(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform(failures=[DeliveryError("timeout", permanent=False)])
    await plan(store, clock, dm("later", clock))
    await Dispatcher(store, {"console": platform}, clock).run_due()
    row = await stored(store, "later")
    assert row.status == "pending" and row.payload is not None and row.finished_at is None


async def purge(store: SqlStore, clock: ManualClock) -> None:
    await purge_outbox(JobContext(store, build_router(), clock.now()))


async def test_finished_deliveries_are_purged_after_thirty_days_by_default(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, dm("old", clock), dm("waiting", clock, due_in=timedelta(days=60)))
    await Dispatcher(store, {"console": RecordingPlatform()}, clock).run_due()
    clock.advance(timedelta(days=29))
    await purge(store, clock)
    assert await plan(store, clock, dm("old", clock)) == [False]
    clock.advance(timedelta(days=2))
    await purge(store, clock)
    assert set(await statuses(store)) == {"waiting"}  # pending rows are never purged


async def test_managers_choose_how_long_finished_deliveries_are_kept(
    store: SqlStore, clock: ManualClock
) -> None:
    found = await space(store)
    async with store.transaction() as tx:
        await tx.settings.put(found.id, "outbox.keep", "7d")
    await plan(store, clock, dm("old", clock))
    await Dispatcher(store, {"console": RecordingPlatform()}, clock).run_due()
    clock.advance(timedelta(days=8))
    await purge(store, clock)
    assert await plan(store, clock, dm("old", clock)) == [True]  # its key is free again
