"""The outbox and dispatcher (ARCHITECTURE.md §4) on a real database: once-only sends under
racing dispatchers, catch-up after downtime, expiry, 429s, refusals and the DM fallback."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import select

from bot.clock import ManualClock
from bot.delivery import Dispatcher
from bot.domain import Space, SpaceKey
from bot.errors import DeliveryError, RateLimited
from bot.messages import ChannelPost, DirectMessage, Message, Target
from bot.ports import NewDelivery
from bot.router import Router
from bot.runtime import Runtime
from storage.models import OutboxRow
from storage.store import SqlStore
from tests.fakes import RecordingPlatform

KEY = SpaceKey("console", "T1")


async def space(store: SqlStore) -> Space:
    async with store.transaction() as tx:
        return await tx.spaces.get_or_create(KEY)


async def plan(store: SqlStore, clock: ManualClock, *deliveries: NewDelivery) -> list[bool]:
    found = await space(store)
    async with store.transaction() as tx:
        return [await tx.outbox.enqueue(found.id, d) for d in deliveries]


def dm(
    key: str,
    clock: ManualClock,
    *,
    user: str = "alice",
    due_in: timedelta = timedelta(),
    expires_in: timedelta | None = None,
    fallback: str | None = None,
) -> NewDelivery:
    return NewDelivery(
        dedupe_key=key,
        purpose="test",
        target=DirectMessage(user),
        message=Message(f"hello {key}"),
        due_at=clock.now() + due_in,
        expires_at=clock.now() + expires_in if expires_in is not None else None,
        fallback_channel=fallback,
    )


async def statuses(store: SqlStore) -> dict[str, tuple[str, int]]:
    async with store.sessions() as session:
        rows = await session.execute(
            select(OutboxRow.dedupe_key, OutboxRow.status, OutboxRow.attempts)
        )
        return {key: (status, attempts) for key, status, attempts in rows}


async def test_a_dedupe_key_plans_one_delivery(store: SqlStore, clock: ManualClock) -> None:
    assert await plan(store, clock, dm("a", clock), dm("a", clock)) == [True, False]


async def test_due_deliveries_are_sent_and_marked(store: SqlStore, clock: ManualClock) -> None:
    platform = RecordingPlatform()
    await plan(store, clock, dm("now", clock), dm("later", clock, due_in=timedelta(hours=1)))
    sent = await Dispatcher(store, {"console": platform}, clock).run_due()
    assert sent == 1
    assert platform.texts_to("alice") == ["hello now"]
    assert await statuses(store) == {"now": ("sent", 1), "later": ("pending", 0)}


async def test_each_delivery_is_sent_once_with_two_dispatchers_racing(
    store: SqlStore, clock: ManualClock, database_url: str
) -> None:
    await plan(store, clock, *(dm(f"d{i}", clock, user=f"u{i}") for i in range(300)))
    other_store = SqlStore.from_url(database_url)
    platform = RecordingPlatform()

    async def slow_send(space: SpaceKey, target: object, message: Message) -> str:
        await asyncio.sleep(0)  # let the other dispatcher run between sends
        return await RecordingPlatform.send(platform, space, target, message)  # type: ignore[arg-type]

    platform.send = slow_send  # type: ignore[method-assign]
    first = Dispatcher(store, {"console": platform}, clock, worker="a", batch=25)
    second = Dispatcher(other_store, {"console": platform}, clock, worker="b", batch=25)
    try:
        counts = await asyncio.gather(first.run_due(), second.run_due())
    finally:
        await other_store.close()
    texts = [s.message.text for s in platform.sent]
    assert len(texts) == 300
    assert len(set(texts)) == 300
    assert sum(counts) == 300
    assert all(status == ("sent", 1) for status in (await statuses(store)).values())


async def test_overdue_deliveries_go_out_after_downtime(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, dm("missed", clock, due_in=timedelta(hours=1)))
    clock.advance(timedelta(hours=6))  # the bot was down when it fell due
    platform = RecordingPlatform()
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert platform.texts_to("alice") == ["hello missed"]


async def test_deliveries_past_their_expiry_are_marked_expired(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(
        store,
        clock,
        dm("reminder", clock, due_in=timedelta(hours=1), expires_in=timedelta(hours=2)),
    )
    clock.advance(timedelta(hours=3))
    platform = RecordingPlatform()
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert platform.sent == []
    assert (await statuses(store))["reminder"][0] == "expired"


async def test_a_429_is_honoured_with_retry_after(store: SqlStore, clock: ManualClock) -> None:
    platform = RecordingPlatform(failures=[RateLimited(30)])
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    await plan(store, clock, dm("first", clock), dm("second", clock))
    assert await dispatcher.run_due() == 0
    assert await statuses(store) == {"first": ("pending", 0), "second": ("pending", 0)}
    clock.advance(timedelta(seconds=29))
    assert await dispatcher.run_due() == 0
    clock.advance(timedelta(seconds=2))
    assert await dispatcher.run_due() == 2
    assert platform.texts_to("alice") == ["hello first", "hello second"]
    assert platform.attempts == 3


async def test_a_permanent_refusal_is_not_retried(store: SqlStore, clock: ManualClock) -> None:
    platform = RecordingPlatform(failures=[DeliveryError("channel_not_found", permanent=True)])
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    await plan(store, clock, dm("doomed", clock))
    await dispatcher.run_due()
    for _ in range(5):
        clock.advance(timedelta(hours=2))
        await dispatcher.run_due()
    assert platform.attempts == 1
    assert await statuses(store) == {"doomed": ("failed", 1)}


async def test_a_transient_failure_is_retried_with_backoff(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform(failures=[DeliveryError("timeout", permanent=False)])
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    await plan(store, clock, dm("flaky", clock))
    assert await dispatcher.run_due() == 0
    clock.advance(timedelta(seconds=10))
    assert await dispatcher.run_due() == 0
    clock.advance(timedelta(seconds=25))
    assert await dispatcher.run_due() == 1
    assert await statuses(store) == {"flaky": ("sent", 2)}


async def test_an_unexpected_exception_is_retried_and_eventually_given_up(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform(failures=[RuntimeError("boom")] * 10)
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    await plan(store, clock, dm("broken", clock))
    for _ in range(10):
        await dispatcher.run_due()
        clock.advance(timedelta(hours=1))
    status, attempts = (await statuses(store))["broken"]
    assert (status, attempts) == ("failed", 6)


async def test_a_refused_dm_falls_back_to_the_programme_channel(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform(closed_dms={"alice"})
    found = await space(store)
    async with store.transaction() as tx:
        await tx.settings.put(found.id, "channel.intros", "C-INTROS")
    await plan(store, clock, dm("hello", clock, fallback="intros"))
    await Dispatcher(store, {"console": platform}, clock).run_due()
    [sent] = platform.sent
    assert sent.target == ChannelPost("C-INTROS")
    assert sent.message.text.startswith("<@alice> I couldn't send you a direct message")
    async with store.sessions() as session:
        row = (await session.execute(select(OutboxRow))).scalar_one()
    assert row.status == "sent"
    assert row.last_error == "fallback to channel C-INTROS: dms closed"


async def test_a_refused_dm_without_a_fallback_channel_fails_with_the_reason(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform(closed_dms={"alice"})
    await plan(store, clock, dm("hello", clock, fallback="intros"))
    await Dispatcher(store, {"console": platform}, clock).run_due()
    async with store.sessions() as session:
        row = (await session.execute(select(OutboxRow))).scalar_one()
    assert (row.status, row.last_error) == ("failed", "dms closed; no intros channel")


async def test_a_crashed_workers_claims_come_back_after_the_lease(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, dm("orphan", clock))
    claimed = await store.deliveries.claim_due(
        clock.now(), "crashed", 10, clock.now() + timedelta(minutes=5)
    )
    assert [d.dedupe_key for d in claimed] == ["orphan"]
    platform = RecordingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock, worker="survivor")
    assert await dispatcher.run_due() == 0
    clock.advance(timedelta(minutes=6))
    assert await dispatcher.run_due() == 1


async def test_more_than_one_batch_is_sent_in_one_run(store: SqlStore, clock: ManualClock) -> None:
    await plan(store, clock, *(dm(f"d{i}", clock) for i in range(250)))
    platform = RecordingPlatform()
    assert await Dispatcher(store, {"console": platform}, clock, batch=100).run_due() == 250


async def test_messages_keep_fields_buttons_and_attachments_through_the_outbox(
    store: SqlStore, clock: ManualClock
) -> None:
    from bot.messages import Attachment, Button, ButtonStyle

    message = Message(
        "**Grand rounds**",
        fields=(("When", "<t:1773165600:F>"),),
        buttons=(Button("Going", "events.rsvp", "12:yes", ButtonStyle.PRIMARY),),
        attachment=Attachment("event-12.ics", b"BEGIN:VCALENDAR\r\n", "text/calendar"),
    )
    await plan(
        store, clock, NewDelivery("rich", "test", ChannelPost("C1", "99"), message, clock.now())
    )
    platform = RecordingPlatform()
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert platform.sent[0].message == message
    assert platform.sent[0].target == ChannelPost("C1", "99")


async def test_a_replacing_delivery_edits_the_earlier_post(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    card = ChannelPost("C-INTROS")
    await plan(store, clock, NewDelivery("card:1", "intro", card, Message("v1"), clock.now()))
    await dispatcher.run_due()
    await plan(
        store,
        clock,
        NewDelivery("card:2", "intro", card, Message("v2"), clock.now(), replaces="card:1"),
    )
    await dispatcher.run_due()
    assert [s.message.text for s in platform.sent] == ["v1"]
    assert platform.edits == [("ref-1", Message("v2"))]
    assert await store.deliveries.sent_ref((await space(store)).id, "card:2") == "ref-1"


async def test_a_replacement_whose_earlier_post_is_gone_is_a_new_post(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    card = ChannelPost("C-INTROS")
    await plan(store, clock, NewDelivery("card:1", "intro", card, Message("v1"), clock.now()))
    await dispatcher.run_due()
    platform.failures.append(DeliveryError("unknown message", permanent=True))  # deleted
    await plan(
        store,
        clock,
        NewDelivery("card:2", "intro", card, Message("v2"), clock.now(), replaces="card:1"),
    )
    await dispatcher.run_due()
    assert [s.message.text for s in platform.sent] == ["v1", "v2"]
    assert await store.deliveries.sent_ref((await space(store)).id, "card:2") == "ref-2"


async def test_a_replacement_retries_an_edit_that_failed_for_now(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    card = ChannelPost("C-INTROS")
    await plan(store, clock, NewDelivery("card:1", "intro", card, Message("v1"), clock.now()))
    await dispatcher.run_due()
    platform.failures.append(DeliveryError("server error", permanent=False))
    await plan(
        store,
        clock,
        NewDelivery("card:2", "intro", card, Message("v2"), clock.now(), replaces="card:1"),
    )
    await dispatcher.run_due()
    assert [s.message.text for s in platform.sent] == ["v1"]
    assert (await statuses(store))["card:2"] == ("pending", 1)


async def test_a_replacement_of_a_post_never_sent_is_a_new_post(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    await plan(
        store,
        clock,
        NewDelivery("card:2", "intro", ChannelPost("C1"), Message("v2"), clock.now(), replaces="x"),
    )
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert [s.message.text for s in platform.sent] == ["v2"] and platform.edits == []


async def test_a_group_message_becomes_a_dm_each_without_group_dms(
    store: SqlStore, clock: ManualClock
) -> None:
    from bot.messages import GroupMessage

    platform = RecordingPlatform(closed_dms={"carol"})
    group = GroupMessage(("alice", "bob", "carol"))
    await plan(store, clock, NewDelivery("pair", "network", group, Message("meet"), clock.now()))
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert [s.target for s in platform.sent] == [DirectMessage("alice"), DirectMessage("bob")]
    async with store.sessions() as session:
        row = (await session.execute(select(OutboxRow))).scalar_one()
    assert (row.status, row.last_error) == ("sent", "carol: dms closed")


async def test_a_group_message_is_one_send_where_the_platform_has_group_dms(
    store: SqlStore, clock: ManualClock
) -> None:
    from bot.messages import GroupMessage

    platform = RecordingPlatform(group_dms=True)
    group = GroupMessage(("alice", "bob"))
    await plan(store, clock, NewDelivery("pair", "network", group, Message("meet"), clock.now()))
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert [s.target for s in platform.sent] == [group]


async def test_inbound_event_ids_are_remembered_per_space(
    store: SqlStore, clock: ManualClock
) -> None:
    from bot.engine import Rounds
    from bot.features.catalog import build_router

    rounds = Rounds(build_router(), store, clock)
    assert await rounds.first_time(KEY, "Ev1") is True
    assert await rounds.first_time(KEY, "Ev1") is False
    assert await rounds.first_time(SpaceKey("console", "T2"), "Ev1") is True


class GatedPlatform(RecordingPlatform):
    """Holds the first send until released, so a second delivery is planned mid-run."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        if not self.entered.is_set():
            self.entered.set()
            await self.release.wait()
        return await super().send(space, target, message)


async def test_a_delivery_planned_during_a_send_run_goes_out_without_waiting_for_a_tick(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = GatedPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    runtime = Runtime(Router(), store, clock, dispatcher)
    await plan(store, clock, dm("first", clock))
    runtime.kick()
    await platform.entered.wait()  # the run has claimed "first" and is sending it
    await plan(store, clock, dm("second", clock, user="bob"))
    runtime.kick()  # while that run is busy
    platform.release.set()
    assert await runtime.kicked() == 2
    assert await statuses(store) == {"first": ("sent", 1), "second": ("sent", 1)}


async def test_a_refused_group_message_becomes_a_dm_each(
    store: SqlStore, clock: ManualClock
) -> None:
    from bot.messages import GroupMessage

    platform = RecordingPlatform(
        group_dms=True, failures=[DeliveryError("mpim refused", permanent=True)]
    )
    group = GroupMessage(("alice", "bob"))
    await plan(store, clock, NewDelivery("pair", "network", group, Message("meet"), clock.now()))
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert [s.target for s in platform.sent] == [DirectMessage("alice"), DirectMessage("bob")]


async def test_a_group_message_cut_short_is_retried_only_for_members_not_reached(
    store: SqlStore, clock: ManualClock
) -> None:
    from bot.messages import GroupMessage

    platform = RecordingPlatform()
    original = platform.send
    calls = 0

    async def second_send_times_out(space: SpaceKey, target: object, message: Message) -> str:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise DeliveryError("timeout", permanent=False)
        return await original(space, target, message)  # type: ignore[arg-type]

    platform.send = second_send_times_out  # type: ignore[method-assign]
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    group = GroupMessage(("alice", "bob", "carol"))
    await plan(store, clock, NewDelivery("trio", "network", group, Message("meet"), clock.now()))
    assert await dispatcher.run_due() == 0
    clock.advance(timedelta(minutes=5))
    assert await dispatcher.run_due() == 1
    assert [s.target for s in platform.sent] == [
        DirectMessage("alice"),
        DirectMessage("bob"),
        DirectMessage("carol"),
    ]


async def test_a_dispatcher_claims_only_deliveries_for_its_platforms(
    store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, dm("console-one", clock))
    async with store.transaction() as tx:
        other = await tx.spaces.get_or_create(SpaceKey("discord", "G1"))
        await tx.outbox.enqueue(other.id, dm("discord-one", clock))
    platform = RecordingPlatform()
    assert await Dispatcher(store, {"console": platform}, clock).run_due() == 1
    assert (await statuses(store))["discord-one"] == ("pending", 0)


async def test_event_ids_are_forgotten_after_a_day(store: SqlStore, clock: ManualClock) -> None:
    from bot.context import JobContext
    from bot.engine import Rounds
    from bot.features.catalog import build_router
    from bot.features.housekeeping import forget_old_events

    rounds = Rounds(build_router(), store, clock)
    assert await rounds.first_time(KEY, "Ev-old") is True
    clock.advance(timedelta(days=2))
    assert await rounds.first_time(KEY, "Ev-new") is True
    await forget_old_events(JobContext(store, build_router(), clock.now()))
    assert await rounds.first_time(KEY, "Ev-old") is True  # forgotten, so new again
    assert await rounds.first_time(KEY, "Ev-new") is False


async def test_a_worker_whose_claim_was_taken_over_cannot_overwrite_the_result(
    store: SqlStore, clock: ManualClock
) -> None:
    from bot.outbox import Retry, Sent

    await plan(store, clock, dm("slow", clock))
    lease = clock.now() + timedelta(minutes=5)
    [first] = await store.deliveries.claim_due(clock.now(), "slow-worker", 10, lease)
    clock.advance(timedelta(minutes=6))  # the lease ran out; another worker takes the row
    [second] = await store.deliveries.claim_due(
        clock.now(), "fast-worker", 10, clock.now() + timedelta(minutes=5)
    )
    await store.deliveries.record([Sent(second.id, "ref-fast")], clock.now(), worker="fast-worker")
    await store.deliveries.record(
        [Retry(first.id, clock.now(), "timeout")], clock.now(), worker="slow-worker"
    )
    async with store.sessions() as session:
        row = (await session.execute(select(OutboxRow))).scalar_one()
    assert (row.status, row.sent_ref, row.claimed_by) == ("sent", "ref-fast", "fast-worker")


# -- replies in the thread of an earlier post --------------------------------------------------
def reply(key: str, parent: str, clock: ManualClock, due: timedelta = timedelta()) -> NewDelivery:
    return NewDelivery(
        key, "qa-answer", ChannelPost("C-QA"), Message(key), clock.now() + due, thread_of=parent
    )


async def test_a_reply_goes_in_the_thread_of_the_post_sent_before(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    await plan(
        store, clock, NewDelivery("card", "qa", ChannelPost("C-QA"), Message("Q"), clock.now())
    )
    await dispatcher.run_due()
    await plan(store, clock, reply("answer", "card", clock))
    await dispatcher.run_due()
    assert [s.target for s in platform.sent] == [ChannelPost("C-QA"), ChannelPost("C-QA", "ref-1")]


async def test_a_reply_sent_in_the_same_run_as_its_post_finds_it(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    await plan(
        store,
        clock,
        NewDelivery("card", "qa", ChannelPost("C-QA"), Message("Q"), clock.now()),
        reply("answer", "card", clock),
    )
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert [s.target for s in platform.sent] == [ChannelPost("C-QA"), ChannelPost("C-QA", "ref-1")]


async def test_a_reply_waits_while_its_post_is_still_to_go_out(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    dispatcher = Dispatcher(store, {"console": platform}, clock)
    platform.failures.append(DeliveryError("server error", permanent=False))
    await plan(
        store,
        clock,
        NewDelivery("card", "qa", ChannelPost("C-QA"), Message("Q"), clock.now()),
        reply("answer", "card", clock),
    )
    await dispatcher.run_due()  # the card fails for now; the answer must not go out alone
    assert platform.sent == [] and (await statuses(store))["answer"][0] == "pending"
    clock.set(clock.now() + timedelta(hours=1))
    await dispatcher.run_due()
    assert [s.target for s in platform.sent] == [ChannelPost("C-QA"), ChannelPost("C-QA", "ref-1")]


async def test_a_reply_whose_post_never_went_out_is_posted_at_the_top_level(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    platform.failures.append(DeliveryError("channel_not_found", permanent=True))
    await plan(
        store,
        clock,
        NewDelivery("card", "qa", ChannelPost("C-QA"), Message("Q"), clock.now()),
        reply("answer", "card", clock),
    )
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert [s.target for s in platform.sent] == [ChannelPost("C-QA")]
    assert (await statuses(store))["card"][0] == "failed"


async def test_a_reply_whose_post_was_superseded_before_it_went_out_goes_under_the_newer_one(
    store: SqlStore, clock: ManualClock
) -> None:
    platform = RecordingPlatform()
    card = ChannelPost("C-QA")
    await plan(
        store,
        clock,
        NewDelivery("card:1", "qa", card, Message("v1"), clock.now()),
        NewDelivery("card:2", "qa", card, Message("v2"), clock.now(), replaces="card:1"),
        reply("answer", "card:1", clock),
    )  # card:1 never goes out: card:2 superseded it first
    await Dispatcher(store, {"console": platform}, clock).run_due()
    assert [(s.target, s.message.text) for s in platform.sent] == [
        (ChannelPost("C-QA"), "v2"),
        (ChannelPost("C-QA", "ref-1"), "answer"),
    ]
