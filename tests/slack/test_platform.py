"""Proactive output on Slack: the outbox dispatcher sending through `SlackPlatform` to the fake
Slack. DMs, threads, files, edits, a refused DM's fallback, 429s and transient failures."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import select

from adapters.slack.platform import SlackPlatform
from bot.clock import ManualClock
from bot.delivery import Dispatcher, RateBudget
from bot.domain import Space, SpaceKey
from bot.messages import (
    Attachment,
    Button,
    ChannelPost,
    DirectMessage,
    GroupMessage,
    Message,
    Target,
)
from bot.ports import NewDelivery
from storage.models import OutboxRow
from storage.store import SqlStore
from tests.fakes import FakeTimer
from tests.slack.fake_slack import BOT_TOKEN, TEAM, FakeSlack

SPACE = SpaceKey("slack", TEAM)


@pytest_asyncio.fixture
async def dispatcher(
    fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> AsyncIterator[Dispatcher]:
    client = AsyncWebClient(token=BOT_TOKEN, base_url=fake_slack.api_url)
    timer = FakeTimer()  # pacing is proven elsewhere; here it costs no real time
    budget = RateBudget(clock=clock.now, sleep=timer.sleep, wall=timer.monotonic)
    platform = SlackPlatform(client, budget=budget)
    yield Dispatcher(store, {"slack": platform}, clock, budgets={"slack": budget})


async def plan(
    store: SqlStore, clock: ManualClock, key: str, target: Target, message: Message, **kw: object
) -> Space:
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        await tx.outbox.enqueue(
            space.id,
            NewDelivery(key, "test", target, message, due_at=clock.now(), **kw),  # type: ignore[arg-type]
        )
    return space


async def row(store: SqlStore, key: str) -> OutboxRow:
    async with store.sessions() as session:
        return (
            await session.execute(select(OutboxRow).where(OutboxRow.dedupe_key == key))
        ).scalar_one()


async def test_a_dm_is_a_post_to_the_user_id_and_its_ref_names_the_dm_channel(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    message = Message(
        "**Reminder**: grand rounds <t:1772470800:F>", buttons=(Button("Going", "rsvp.going", "7"),)
    )
    await plan(store, clock, "dm", DirectMessage("U0BEN"), message)
    assert await dispatcher.run_due() == 1
    [posted] = fake_slack.called("chat.postMessage")
    assert posted["channel"] == "U0BEN"
    assert posted["text"] == (
        "*Reminder*: grand rounds "
        "<!date^1772470800^{date_short_pretty} {time}|2026-03-02 17:00 UTC>"
    )
    assert posted["blocks"][-1]["elements"][0]["action_id"] == "rsvp.going#0"
    sent = await row(store, "dm")
    assert sent.status == "sent" and sent.sent_ref == "D0BEN:1700000001.000100"


async def test_a_post_in_a_thread_carries_the_parents_ts(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    target = ChannelPost("C0QA", thread_ref="C0QA:1699999999.000100")
    await plan(store, clock, "answer", target, Message("An answer"))
    await dispatcher.run_due()
    [posted] = fake_slack.called("chat.postMessage")
    assert (posted["channel"], posted["thread_ts"]) == ("C0QA", "1699999999.000100")


async def test_an_attachment_is_uploaded_with_files_upload_v2_next_to_its_message(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
    message = Message(
        "Add it to your calendar", attachment=Attachment("event-12.ics", ics, "text/calendar")
    )
    await plan(store, clock, "file", ChannelPost("C0EVENTS"), message)
    assert await dispatcher.run_due() == 1
    [url_request] = fake_slack.called("files.getUploadURLExternal")
    assert url_request["filename"] == "event-12.ics" and url_request["length"] == str(len(ics))
    [uploaded] = fake_slack.called("upload")
    assert uploaded["bytes"] == ics
    [completed] = fake_slack.called("files.completeUploadExternal")
    assert completed["channel_id"] == "C0EVENTS"
    assert completed["thread_ts"] == "1700000001.000100"  # beside the message it belongs to


async def test_an_edit_updates_the_earlier_post(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, "card", ChannelPost("C0INTROS"), Message("3 going"))
    await dispatcher.run_due()
    await plan(store, clock, "card-2", ChannelPost("C0INTROS"), Message("4 going"), replaces="card")
    await dispatcher.run_due()
    [update] = fake_slack.called("chat.update")
    assert (update["channel"], update["ts"], update["text"]) == (
        "C0INTROS",
        "1700000001.000100",
        "4 going",
    )


async def test_a_group_message_is_one_group_dm_and_an_edit_updates_it(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    group = GroupMessage(("U0AMARA", "U0BEN"))
    await plan(store, clock, "pair", group, Message("Meet each other!"))
    assert await dispatcher.run_due() == 1
    [opened] = fake_slack.called("conversations.open")
    assert opened["users"] == "U0AMARA,U0BEN"
    assert [p["channel"] for p in fake_slack.called("chat.postMessage")] == ["G0AMARA0BEN"]
    await plan(store, clock, "pair-2", group, Message("Meet each other! (moved)"), replaces="pair")
    await dispatcher.run_due()
    [message] = fake_slack.history("G0AMARA0BEN")
    assert (message.edits, message.params["text"]) == (1, "Meet each other! (moved)")


async def test_a_refused_group_dm_goes_as_one_dm_each_and_an_edit_updates_every_one(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    group = GroupMessage(("U0AMARA", "W0GUEST"))  # the fake refuses to open this group
    await plan(store, clock, "pair", group, Message("Meet each other!"))
    assert await dispatcher.run_due() == 1
    assert [p["channel"] for p in fake_slack.called("chat.postMessage")] == ["U0AMARA", "W0GUEST"]
    await plan(store, clock, "pair-2", group, Message("Meet (moved)"), replaces="pair")
    await dispatcher.run_due()
    edited = [fake_slack.history(dm)[0] for dm in ("D0AMARA", "W0GUEST")]
    assert [(m.edits, m.params["text"]) for m in edited] == [(1, "Meet (moved)")] * 2
    assert len(fake_slack.called("chat.postMessage")) == 2  # edited, not sent again


async def test_an_edit_of_dms_each_with_one_dm_left_updates_that_one(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    group = GroupMessage(("U0AMARA", "W0GUEST"))  # sent as one DM each
    await plan(store, clock, "pair", group, Message("Meet"))
    await dispatcher.run_due()
    del fake_slack.messages[("D0AMARA", "1700000001.000100")]
    await plan(store, clock, "pair-2", group, Message("Meet (moved)"), replaces="pair")
    await dispatcher.run_due()
    assert [m.params["text"] for m in fake_slack.history("W0GUEST")] == ["Meet (moved)"]
    assert fake_slack.history("D0AMARA") == []  # not sent again: the rest were updated
    assert len(fake_slack.called("chat.postMessage")) == 2


async def test_an_edit_of_a_deleted_post_posts_it_anew(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, "card", ChannelPost("C0INTROS"), Message("v1"))
    await dispatcher.run_due()
    fake_slack.messages.clear()  # a moderator deleted the post
    await plan(store, clock, "card-2", ChannelPost("C0INTROS"), Message("v2"), replaces="card")
    assert await dispatcher.run_due() == 1
    [update] = fake_slack.called("chat.update")
    assert update["ts"] == "1700000001.000100"
    [card] = fake_slack.history("C0INTROS")
    assert (card.ts, card.params["text"]) == ("1700000002.000100", "v2")
    assert (await row(store, "card-2")).sent_ref == "C0INTROS:1700000002.000100"


async def test_a_refused_dm_falls_back_to_a_mention_in_the_programmes_channel(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    space = await plan(
        store,
        clock,
        "welcome",
        DirectMessage("U0BEN"),
        Message("Welcome!"),
        fallback_channel="intros",
    )
    async with store.transaction() as tx:
        await tx.settings.put(space.id, "channel.intros", "C0INTROS")
    fake_slack.fail("chat.postMessage", "restricted_action")
    assert await dispatcher.run_due() == 1
    first, fallback = fake_slack.called("chat.postMessage")
    assert first["channel"] == "U0BEN"
    assert fallback["channel"] == "C0INTROS"
    assert fallback["text"].startswith("<@U0BEN> I couldn't send you a direct message")
    sent = await row(store, "welcome")
    assert sent.status == "sent" and "slack: restricted_action" in (sent.last_error or "")


async def test_a_429_waits_retry_after_and_then_sends_nothing_lost(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, "a", ChannelPost("C0EVENTS"), Message("first"))
    await plan(store, clock, "b", ChannelPost("C0EVENTS"), Message("second"))
    fake_slack.fail("chat.postMessage", status=429, retry_after=30)
    assert await dispatcher.run_due() == 0
    assert len(fake_slack.called("chat.postMessage")) == 1  # the second waited too
    clock.advance(timedelta(seconds=29))
    assert await dispatcher.run_due() == 0
    clock.advance(timedelta(seconds=1))
    assert await dispatcher.run_due() == 2
    texts = [p["text"] for p in fake_slack.called("chat.postMessage")]
    assert texts == ["first", "first", "second"]
    assert (await row(store, "a")).attempts == 1  # waiting out a rate limit is not a failure


async def test_a_transient_failure_is_retried_and_a_permanent_one_is_not(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    await plan(store, clock, "flaky", ChannelPost("C0A"), Message("x"))
    fake_slack.fail("chat.postMessage", "internal_error")
    await dispatcher.run_due()
    assert (await row(store, "flaky")).status == "pending"
    await plan(store, clock, "gone", ChannelPost("C0GONE"), Message("y"))
    fake_slack.fail("chat.postMessage", "channel_not_found")
    await dispatcher.run_due()
    gone = await row(store, "gone")
    assert (gone.status, gone.last_error) == ("failed", "slack: channel_not_found")


async def test_a_file_slack_refuses_does_not_resend_the_message(
    dispatcher: Dispatcher, fake_slack: FakeSlack, store: SqlStore, clock: ManualClock
) -> None:
    message = Message("Slides", attachment=Attachment("slides.pdf", b"%PDF", "application/pdf"))
    await plan(store, clock, "slides", ChannelPost("C0EVENTS"), message)
    fake_slack.fail("files.getUploadURLExternal", "missing_scope")
    assert await dispatcher.run_due() == 1
    assert len(fake_slack.called("chat.postMessage")) == 1
    assert fake_slack.called("files.completeUploadExternal") == []
    assert (await row(store, "slides")).status == "sent"
