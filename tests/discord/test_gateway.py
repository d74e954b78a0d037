"""Gateway behaviour end to end: member joins, the members intent, closed DMs, and shards."""

from __future__ import annotations

from typing import Any

from adapters.discord.service import DiscordService
from bot.domain import SpaceKey
from storage.store import SqlStore
from tests.discord.conftest import StartService
from tests.discord.fake_discord import (
    ALICE,
    BOB,
    GUILD,
    INTRODUCTIONS,
    MEMBERS_INTENT,
    FakeDiscord,
    member_join,
    press,
    slash,
)
from tests.helpers import stored_member

SPACE = SpaceKey("discord", GUILD)
GUILD_ON_SHARD_1 = str(715255737305 << 22)  # (id >> 22) % 2 == 1


def dm_post(fake: FakeDiscord, user_id: str) -> Any:
    def matches(call: Any) -> bool:
        channel = call.path.split("/")[2] if call.path.startswith("/channels/") else ""
        return call.method == "POST" and fake.dm_channels.get(channel) == user_id

    return matches


async def test_a_member_who_joins_gets_the_welcome_dm(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    await fake.dispatch("GUILD_MEMBER_ADD", member_join(BOB))
    opened = await fake.wait_for(lambda c: c.path == "/users/@me/channels")
    assert opened.body == {"recipient_id": int(BOB)}
    welcome = await fake.wait_for(dm_post(fake, BOB))
    assert welcome.body["content"].startswith(f"Welcome to the community, <@{BOB}>! 👋")
    button = welcome.body["components"][0]["components"][0]
    assert (button["label"], button["custom_id"]) == (
        "Fill in my profile",
        f"rounds:{GUILD}:profile.form:",
    )
    member = await stored_member(store, BOB, SPACE)
    assert member is not None and member.welcomed_at is not None


async def test_the_welcome_button_works_in_a_dm(fake: FakeDiscord, service: DiscordService) -> None:
    await fake.dispatch("GUILD_MEMBER_ADD", member_join(BOB))
    await fake.wait_for(dm_post(fake, BOB))
    message = fake.latest_with_button("Fill in my profile")
    pressed = press(message, "Fill in my profile", user_id=BOB, guild_id=None)
    await fake.dispatch("INTERACTION_CREATE", pressed)
    opened = await fake.callback_for(pressed)
    assert opened.body["type"] == 9
    assert opened.body["data"]["custom_id"] == f"rounds-form:{GUILD}:profile.edit:"


async def test_without_the_members_intent_the_welcome_runs_at_the_first_command(
    start_service: StartService,
) -> None:
    fake = await FakeDiscord(members_intent=False).start()
    try:
        service = await start_service(fake)
        assert fake.refused_intents == 1
        assert not fake.connections[-1].intents & MEMBERS_INTENT
        assert service.members_intent is False

        interaction = slash("rounds", "help", user_id=BOB)
        await fake.dispatch("INTERACTION_CREATE", interaction)
        await fake.callback_for(interaction)
        welcome = await fake.wait_for(dm_post(fake, BOB))
        assert welcome.body["content"].startswith(f"Welcome to the community, <@{BOB}>!")
    finally:
        await fake.stop()


async def test_no_privileged_intent_beyond_members_is_asked_for(
    fake: FakeDiscord, service: DiscordService
) -> None:
    message_content, presences = 1 << 15, 1 << 8
    intents = fake.connections[-1].intents
    assert intents & MEMBERS_INTENT
    assert not intents & (message_content | presences)


async def test_a_closed_dm_falls_back_to_a_mention_in_the_channel(
    start_service: StartService,
) -> None:
    fake = await FakeDiscord(closed_dms={BOB}).start()
    try:
        await start_service(fake)
        options = {"programme": (3, "intros"), "channel": (7, INTRODUCTIONS)}
        configure = slash("rounds-manage", "config", "channel", options=options, admin=True)
        await fake.dispatch("INTERACTION_CREATE", configure)
        await fake.callback_for(configure)
        await fake.wait_for(dm_post(fake, ALICE))  # alice's own welcome, sent before bob joins
        mark = len(fake.calls)

        await fake.dispatch("GUILD_MEMBER_ADD", member_join(BOB))
        fallback = await fake.wait_for(
            lambda c: c.method == "POST" and c.path == f"/channels/{INTRODUCTIONS}/messages",
            after=mark,
        )
        assert fallback.body["content"].startswith(
            f"<@{BOB}> I couldn't send you a direct message, so here it is."
        )
        assert "Welcome to the community" in fallback.body["content"]
        refused = [c for c in fake.calls[mark:] if dm_post(fake, BOB)(c)]
        assert len(refused) == 1  # a closed DM is not retried
    finally:
        await fake.stop()


async def test_two_shards_each_serve_their_guilds(
    start_service: StartService, store: SqlStore
) -> None:
    fake = await FakeDiscord(shards=2, guilds=(GUILD, GUILD_ON_SHARD_1)).start()
    try:
        service = await start_service(fake)
        assert service.client is not None and service.client.shard_count == 2
        assert sorted(c.shard for c in fake.connections) == [0, 1]
        options = {"name": (3, "Ada")}
        interaction = slash("rounds", "profile", "set", options=options, guild_id=GUILD_ON_SHARD_1)
        await fake.dispatch("INTERACTION_CREATE", interaction)  # the fake routes it to shard 1
        assert fake.sockets[1] is not fake.sockets[0]
        call = await fake.callback_for(interaction)
        assert call.body["data"]["content"].startswith("✓ Saved your profile: name = Ada")
        member = await stored_member(store, ALICE, SpaceKey("discord", GUILD_ON_SHARD_1))
        assert member is not None and member.profile.name == "Ada"
        assert await stored_member(store, ALICE, SPACE) is None
    finally:
        await fake.stop()


async def test_a_process_can_run_a_range_of_shards(start_service: StartService) -> None:
    fake = await FakeDiscord(shards=2, guilds=(GUILD, GUILD_ON_SHARD_1)).start()
    try:
        service = await start_service(fake, DISCORD_SHARD_COUNT=2, DISCORD_SHARD_IDS="1")
        assert service.client is not None and service.client.shard_ids == [1]
        assert [c.shard for c in fake.connections] == [1]
    finally:
        await fake.stop()
