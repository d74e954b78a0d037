"""Community events on Discord, end to end through the fake: `/rounds event create` → the card
in the events channel and a native Scheduled Event → "Going" on the card → the reminder DM;
edits and cancellation keep the Scheduled Event in step; "Can't go" promoting the waitlist by
DM, and the create modal refused privately (Discord modals can't mark a field)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from adapters.discord.service import DiscordService
from bot.bootstrap import Core
from bot.clock import ManualClock
from storage.models import OutboxRow
from tests.discord.fake_discord import (
    ALICE,
    BOB,
    EPHEMERAL,
    EVENTS,
    FakeDiscord,
    press,
    slash,
    submit,
)

STRING, INTEGER, CHANNEL = 3, 4, 7
START = datetime(2026, 3, 10, 18, 0, tzinfo=UTC)
CAROL = "4000000000000000003"


def event(*names: str, admin: bool = True, **options: tuple[int, Any]) -> dict[str, Any]:
    return slash("rounds", "event", *names, options=options, admin=admin)


def posts(fake: FakeDiscord) -> list[dict[str, Any]]:
    """What the bot posted in the events channel (not its private answers there)."""
    return [m for m in fake.in_channel(EVENTS) if not m.get("interaction_id")]


def labels(message: dict[str, Any]) -> list[str]:
    return [c["label"] for row in message["components"] for c in row["components"]]


def seats(message: dict[str, Any]) -> str:
    fields = {f["name"]: f["value"] for embed in message["embeds"] for f in embed["fields"]}
    return str(fields["Seats"])


async def created(fake: FakeDiscord, core: Core, capacity: int = 40) -> dict[str, Any]:
    """A workshop created by Alice (a server admin); returns its card in the events channel."""
    options = {"programme": (STRING, "events"), "channel": (CHANNEL, EVENTS)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    body = await fake.answer(
        event(
            "create",
            title=(STRING, "Negotiating for your team"),
            when=(STRING, "2026-03-10 18:00"),
            tz=(STRING, "UTC"),
            duration=(STRING, "90m"),
            capacity=(INTEGER, capacity),
            link=(STRING, "https://meet.example.org/leaders"),
        )
    )
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("✓ Event 1 is on: **Negotiating for your team**")
    await core.runtime.kicked()
    (message,) = posts(fake)
    return message


@pytest.fixture
async def card(fake: FakeDiscord, service: DiscordService, core: Core) -> dict[str, Any]:
    return await created(fake, core)


async def test_create_posts_the_card_with_time_tokens_and_rsvp_buttons(
    card: dict[str, Any],
) -> None:
    assert card["content"].startswith("🛠️ **Negotiating for your team** · workshop")
    fields = {f["name"]: f["value"] for embed in card["embeds"] for f in embed["fields"]}
    stamp = int(START.timestamp())
    assert fields["When"] == f"<t:{stamp}:F> (<t:{stamp}:R>)"
    assert fields["Host"] == f"<@{ALICE}>"
    assert seats(card) == "40 of 40 left · 0 going · 0 maybe"
    assert labels(card) == ["Going", "Maybe", "Can't go"]


async def test_create_also_publishes_a_scheduled_event(
    fake: FakeDiscord, card: dict[str, Any]
) -> None:
    (listed,) = fake.scheduled_events.values()
    assert listed["name"] == "Negotiating for your team"
    assert listed["entity_type"] == 3 and listed["privacy_level"] == 2
    assert listed["entity_metadata"] == {"location": "https://meet.example.org/leaders"}
    assert datetime.fromisoformat(listed["scheduled_start_time"]) == START
    assert datetime.fromisoformat(listed["scheduled_end_time"]) == datetime(
        2026, 3, 10, 19, 30, tzinfo=UTC
    )


async def test_going_on_the_card_updates_it_and_brings_a_reminder_dm(
    fake: FakeDiscord, card: dict[str, Any], core: Core, clock: ManualClock
) -> None:
    body = await fake.answer(press(card, "Going", user_id=BOB))
    await core.runtime.kicked()
    assert body["type"] in (4, 5)  # answered privately, the card is edited by the outbox
    (shown,) = posts(fake)
    assert seats(shown) == "39 of 40 left · 1 going · 0 maybe"
    for moment in (
        datetime(2026, 3, 9, 18, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 17, 0, tzinfo=UTC),
    ):
        clock.set(moment)  # 24 h, then 1 h before
        await core.runtime.run_due(every_job=True)
    reminders = [m for m in fake.dms_to(BOB) if m["content"].startswith("⏰")]
    assert [m["content"].split(":")[0] for m in reminders] == [
        "⏰ **Negotiating for your team** starts <t"
    ] * 2  # 24 h and 1 h before
    assert labels(reminders[0]) == ["Going", "Maybe", "Can't go"]
    in_channel = [m for m in posts(fake) if m["content"].startswith("⏰")]
    assert len(in_channel) == 1  # the one post at the last offset


async def test_cant_go_from_someone_going_promotes_the_waitlist_by_dm(
    fake: FakeDiscord, service: DiscordService, core: Core
) -> None:
    posted = await created(fake, core, capacity=1)
    await fake.answer(press(posted, "Going", user_id=BOB))
    waiting = await fake.answer(press(posted, "Going", user_id=CAROL))
    assert "is full, so you're on the waitlist (number 1 in line)" in waiting["data"]["content"]

    sorry = await fake.answer(press(posted, "Can't go", user_id=BOB))
    assert sorry["data"]["content"] == (
        "Thanks for letting us know: you're not going to **Negotiating for your team**."
    )
    await core.runtime.kicked()
    [promoted] = [m for m in fake.dms_to(CAROL) if "seat opened" in m["content"]]
    assert promoted["content"].startswith(
        "🎉 A seat opened up: you're now going to **Negotiating for your team**"
    )
    (shown,) = posts(fake)
    assert seats(shown) == "0 of 1 left · 1 going · 0 maybe"


async def test_the_create_form_refuses_an_error_privately_then_creates(
    fake: FakeDiscord, service: DiscordService, core: Core
) -> None:
    options = {"programme": (STRING, "events"), "channel": (CHANNEL, EVENTS)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    opened = await fake.answer(event("create"))
    assert opened["type"] == 9
    assert opened["data"]["title"] == "New event"

    typed = {"title": "Grand rounds", "when": "yesterday 10:00", "kind": "forum"}
    refused = await fake.answer(submit(opened["data"], typed, admin=True))
    assert refused["type"] == 4 and refused["data"]["flags"] == EPHEMERAL
    assert refused["data"]["content"].startswith("Nothing was created.")
    assert "which has already passed" in refused["data"]["content"]
    await core.runtime.kicked()
    assert posts(fake) == [] and fake.scheduled_events == {}

    typed["when"] = "2026-03-10 18:00"
    done = await fake.answer(submit(opened["data"], typed, admin=True))
    assert done["data"]["content"].startswith("✓ Event 1 is on: **Grand rounds** (forum)")
    await core.runtime.kicked()
    (shown,) = posts(fake)
    assert "**Grand rounds** · forum" in shown["content"]


async def test_an_edit_updates_the_scheduled_event_and_a_cancel_cancels_it(
    fake: FakeDiscord, card: dict[str, Any], core: Core
) -> None:
    (event_id,) = fake.scheduled_events
    await fake.answer(
        event("edit", id=(STRING, "1"), when=(STRING, "2026-03-11 18:00"), tz=(STRING, "UTC"))
    )
    await core.runtime.kicked()
    listed = fake.scheduled_events[event_id]
    assert datetime.fromisoformat(listed["scheduled_start_time"]) == datetime(
        2026, 3, 11, 18, 0, tzinfo=UTC
    )
    assert len(fake.scheduled_events) == 1  # updated in place
    await fake.answer(event("cancel", id=(STRING, "1"), reason=(STRING, "Speaker unwell")))
    await core.runtime.kicked()
    assert fake.scheduled_events[event_id]["status"] == 4
    (shown,) = posts(fake)
    assert shown["content"].startswith("❌ **Cancelled: Negotiating for your team**")
    assert shown["components"] == []


async def test_a_deleted_scheduled_event_is_listed_again_on_the_next_change(
    fake: FakeDiscord, card: dict[str, Any], core: Core
) -> None:
    fake.scheduled_events.clear()  # a moderator deleted it
    await fake.answer(event("edit", id=(STRING, "1"), title=(STRING, "Negotiating, part one")))
    await core.runtime.kicked()
    (listed,) = fake.scheduled_events.values()
    assert listed["name"] == "Negotiating, part one"


async def test_members_cannot_create_events_unless_managers_allow_it(
    fake: FakeDiscord, service: DiscordService
) -> None:
    body = await fake.answer(
        event("create", admin=False, title=(STRING, "Tea"), when=(STRING, "tomorrow 18:00"))
    )
    assert body["data"]["content"].startswith("Only community managers can create events here.")
    assert fake.scheduled_events == {}


async def test_cancelling_an_event_under_way_ends_its_scheduled_event(
    fake: FakeDiscord, card: dict[str, Any], core: Core
) -> None:
    (event_id,) = fake.scheduled_events
    fake.scheduled_events[event_id]["status"] = 2  # a moderator started it in Discord
    await fake.answer(event("cancel", id=(STRING, "1"), reason=(STRING, "Fire alarm")))
    await core.runtime.kicked()
    assert fake.scheduled_events[event_id]["status"] == 3  # ended: it can't be cancelled now
    (shown,) = posts(fake)
    assert shown["content"].startswith("❌ **Cancelled: Negotiating for your team**")


async def test_cancelling_an_event_whose_scheduled_event_is_over_leaves_it(
    fake: FakeDiscord, card: dict[str, Any], core: Core
) -> None:
    (event_id,) = fake.scheduled_events
    fake.scheduled_events[event_id]["status"] = 3  # Discord ended it already
    await fake.answer(event("cancel", id=(STRING, "1"), reason=(STRING, "Fire alarm")))
    await core.runtime.kicked()
    assert fake.scheduled_events[event_id]["status"] == 3
    async with core.store.sessions() as session:
        found = set((await session.execute(select(OutboxRow.status))).scalars())
    assert found == {"sent"}  # nothing failed: there was nothing left to take down
