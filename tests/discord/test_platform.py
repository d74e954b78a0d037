"""The core's ChatPlatform on Discord, against the fake REST API: DMs, channel posts, threads,
files, edits, and every failure as one DeliveryError."""

from __future__ import annotations

import aiohttp
import pytest

from adapters.discord.platform import DiscordPlatform, delivery_error
from adapters.discord.service import DiscordService
from bot.domain import SpaceKey
from bot.errors import DeliveryError, RateLimited
from bot.messages import (
    Attachment,
    Button,
    ChannelPost,
    DirectMessage,
    GroupMessage,
    Message,
)
from tests.discord.fake_discord import BOB, GENERAL, GUILD, FakeDiscord

SPACE = SpaceKey("discord", GUILD)


@pytest.fixture
def platform(service: DiscordService) -> DiscordPlatform:
    return service.platform


async def test_a_channel_post_returns_a_reference_edit_can_use(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    ref = await platform.send(
        SPACE, ChannelPost(GENERAL), Message("Grand rounds at <t:1773165600:F>")
    )
    channel, message_id = ref.split(":")
    assert channel == GENERAL
    assert fake.messages[message_id]["content"] == "Grand rounds at <t:1773165600:F>"

    await platform.edit(SPACE, ref, Message("Moved to <t:1773169200:F>"))
    edit = await fake.wait_for(lambda c: c.method == "PATCH")
    assert edit.path == f"/channels/{GENERAL}/messages/{message_id}"
    assert edit.body["content"] == "Moved to <t:1773169200:F>"


async def test_editing_a_deleted_post_is_a_permanent_failure(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    ref = await platform.send(SPACE, ChannelPost(GENERAL), Message("Grand rounds"))
    fake.delete(ref.split(":")[1])
    with pytest.raises(DeliveryError) as refused:
        await platform.edit(SPACE, ref, Message("Moved"))
    assert (refused.value.permanent, refused.value.dm_refused) == (True, False)
    assert refused.value.reason == "discord 404 code 10008"


async def test_a_thread_reply_opens_the_thread_once(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    ref = await platform.send(SPACE, ChannelPost(GENERAL), Message("**Question**: night shifts?"))
    starter = ref.split(":")[1]
    first = await platform.send(SPACE, ChannelPost(GENERAL, ref), Message("An answer"))
    second = await platform.send(SPACE, ChannelPost(GENERAL, ref), Message("Another"))
    assert first.split(":")[0] == second.split(":")[0] == starter
    opened = fake.calls_to("POST", f"/channels/{GENERAL}/messages/{starter}/threads")
    assert [c.body["name"] for c in opened] == ["Question: night shifts?"]


async def test_an_attachment_is_sent_as_a_file(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    calendar = Attachment("event-12.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    await platform.send(SPACE, ChannelPost(GENERAL), Message("Add it", attachment=calendar))
    call = await fake.wait_for(lambda c: bool(c.files))
    assert call.files == [("event-12.ics", calendar.data)]
    assert call.body["content"] == "Add it"


async def test_fields_and_buttons_are_rendered(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    message = Message(
        "RSVP",
        fields=(("When", "<t:1773165600:F>"),),
        buttons=(Button("Going", "events.rsvp", "12"),),
    )
    await platform.send(SPACE, DirectMessage(BOB), message)
    call = await fake.wait_for(lambda c: bool(c.body and c.body.get("components")))
    assert call.body["embeds"][0]["fields"] == [
        {"name": "When", "value": "<t:1773165600:F>", "inline": False}
    ]
    assert (
        call.body["components"][0]["components"][0]["custom_id"] == f"rounds:{GUILD}:events.rsvp:12"
    )


async def test_a_group_message_is_refused_for_good(platform: DiscordPlatform) -> None:
    with pytest.raises(DeliveryError) as refused:
        await platform.send(SPACE, GroupMessage((BOB,)), Message("hi"))
    assert refused.value.permanent and not refused.value.dm_refused


async def test_a_user_id_that_is_not_a_discord_id_is_refused(platform: DiscordPlatform) -> None:
    with pytest.raises(DeliveryError, match="not a Discord id"):
        await platform.send(SPACE, DirectMessage("alice"), Message("hi"))


async def test_a_refused_post_is_a_permanent_failure(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    fake.fail(GENERAL, 403, code=50001)  # missing access
    with pytest.raises(DeliveryError) as refused:
        await platform.send(SPACE, ChannelPost(GENERAL), Message("hi"))
    assert (refused.value.permanent, refused.value.dm_refused) == (True, False)
    assert refused.value.reason == "discord 403 code 50001"


async def test_closed_dms_are_a_refused_dm(fake: FakeDiscord, platform: DiscordPlatform) -> None:
    fake.closed_dms.add(BOB)
    with pytest.raises(DeliveryError) as refused:
        await platform.send(SPACE, DirectMessage(BOB), Message("hi"))
    assert (refused.value.permanent, refused.value.dm_refused) == (True, True)
    assert "50007" in refused.value.reason


async def test_a_server_error_is_transient(fake: FakeDiscord, platform: DiscordPlatform) -> None:
    fake.fail(GENERAL, 503)
    with pytest.raises(DeliveryError) as failed:
        await platform.send(SPACE, ChannelPost(GENERAL), Message("hi"))
    assert failed.value.permanent is False


async def test_a_long_rate_limit_goes_back_to_the_outbox(
    fake: FakeDiscord, platform: DiscordPlatform
) -> None:
    fake.fail(GENERAL, 429, retry_after=120)
    with pytest.raises(RateLimited) as limited:
        await platform.send(SPACE, ChannelPost(GENERAL), Message("hi"))
    assert limited.value.retry_after == 120


def test_a_network_failure_is_transient() -> None:
    error = delivery_error(aiohttp.ClientConnectionError("reset"))
    assert isinstance(error, DeliveryError) and not error.permanent
