"""Slash commands, autocomplete, buttons and modals end to end: the fake gateway dispatches
INTERACTION_CREATE, discord.py and the adapter hand it to the core, and the fake REST API
records what Discord would have received."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

from adapters.discord.service import DiscordService
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Context
from bot.domain import SpaceKey
from bot.messages import Button, Message
from bot.router import Command, Router
from storage.store import SqlStore
from tests.conftest import START
from tests.discord.conftest import StartService
from tests.discord.fake_discord import (
    ALICE,
    BOB,
    EPHEMERAL,
    GUILD,
    INTRODUCTIONS,
    FakeDiscord,
    press,
    slash,
    submit,
)
from tests.helpers import stored_member, stored_settings

SPACE = SpaceKey("discord", GUILD)
STRING, USER, CHANNEL, BOOLEAN = 3, 6, 7, 5


async def test_help_is_answered_privately(fake: FakeDiscord, service: DiscordService) -> None:
    body = await fake.answer(slash("rounds", "help"))
    assert body["type"] == 4
    assert body["data"]["flags"] == EPHEMERAL
    data = body["data"]  # a help longer than a message's 2000 characters is an embed
    assert (data["content"] or data["embeds"][0]["description"]).startswith(
        "**Rounds: what you can do**"
    )


async def test_help_names_commands_as_discord_types_them(
    fake: FakeDiscord, service: DiscordService
) -> None:
    body = await fake.answer(slash("rounds", "help", admin=True))
    data = body["data"]  # a help longer than a message's 2000 characters is an embed
    shown = data["content"] or data["embeds"][0]["description"]
    assert "`/rounds-manage config channel`" in shown
    assert "`/rounds profile show`" in shown


async def test_profile_set_saves_typed_options(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    options = {
        "specialty": (STRING, "emergency medicine"),
        "timezone": (STRING, "America/Chicago"),
        "mentee": (BOOLEAN, True),
    }
    body = await fake.answer(slash("rounds", "profile", "set", options=options))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("✓ Saved your profile: specialty = emergency")
    member = await stored_member(store, ALICE, SPACE)
    assert member is not None
    assert member.profile.timezone == "America/Chicago"
    assert member.profile.seeking_mentor is True


async def test_a_member_option_arrives_as_a_mention(
    fake: FakeDiscord, service: DiscordService
) -> None:
    await fake.answer(slash("rounds", "profile", "set", user_id=BOB, options={"name": (3, "Bo")}))
    body = await fake.answer(slash("rounds", "profile", "show", options={"member": (USER, BOB)}))
    assert body["data"]["content"].startswith("**Bo**")


async def test_a_mistake_gets_a_private_explanation_with_the_usage(
    fake: FakeDiscord, service: DiscordService
) -> None:
    options = {"timezone": (STRING, "Mars/Olympus")}
    body = await fake.answer(slash("rounds", "profile", "set", options=options))
    assert body["data"]["flags"] == EPHEMERAL
    assert "`Mars/Olympus` isn't a time zone I know." in body["data"]["content"]
    assert "Usage: `/rounds profile set" in body["data"]["content"]


async def test_manager_commands_are_refused_to_members(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    options = {"programme": (STRING, "intros"), "channel": (CHANNEL, INTRODUCTIONS)}
    body = await fake.answer(slash("rounds-manage", "config", "channel", options=options))
    assert body["data"]["content"].startswith("Only community managers can do that.")
    assert "channel.intros" not in await stored_settings(store, SPACE)


async def test_members_with_manage_server_are_managers(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    options = {"programme": (STRING, "intros"), "channel": (CHANNEL, INTRODUCTIONS)}
    interaction = slash("rounds-manage", "config", "channel", options=options, admin=True)
    body = await fake.answer(interaction)
    assert body["data"]["content"] == (
        f"✓ Introduction cards and networking will now go to <#{INTRODUCTIONS}>."
    )
    assert (await stored_settings(store, SPACE))["channel.intros"] == INTRODUCTIONS


async def test_timezone_autocompletes(fake: FakeDiscord, service: DiscordService) -> None:
    interaction = slash(
        "rounds",
        "profile",
        "set",
        options={"timezone": (STRING, "chica")},
        focused="timezone",
        kind=4,
    )
    body = await fake.answer(interaction)
    assert body["type"] == 8
    assert {"name": "America/Chicago", "value": "America/Chicago"} in body["data"]["choices"]


async def test_a_command_outside_a_server_is_explained(
    fake: FakeDiscord, service: DiscordService
) -> None:
    body = await fake.answer(slash("rounds", "help", guild_id=None))
    assert body["data"]["content"].startswith("Rounds works inside a server.")


async def test_a_modal_submission_saves_the_profile(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    await fake.answer(slash("rounds", "profile", "show"))
    opened = await fake.answer(press(fake.latest_with_button("Edit my profile"), "Edit my profile"))
    assert opened["type"] == 9
    assert opened["data"]["title"] == "Your profile"
    values = {"name": "Amara Eze", "role": "resident", "timezone": "Africa/Lagos"}
    body = await fake.answer(submit(opened["data"], values))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("✓ Saved your profile: name = Amara Eze")
    member = await stored_member(store, ALICE, SPACE)
    assert member is not None
    assert (member.profile.profession, member.profile.timezone) == ("resident", "Africa/Lagos")


async def test_an_invalid_modal_submission_is_explained_and_nothing_saved(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    await fake.answer(slash("rounds", "profile", "show"))
    opened = await fake.answer(press(fake.latest_with_button("Edit my profile"), "Edit my profile"))
    body = await fake.answer(submit(opened["data"], {"name": "Amara", "timezone": "Mars/Base"}))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("Nothing was saved. `Mars/Base` isn't a time zone")
    member = await stored_member(store, ALICE, SPACE)
    assert member is not None and member.profile.name is None


async def test_a_button_works_after_a_restart(
    fake: FakeDiscord, start_service: StartService, store: SqlStore
) -> None:
    first = await start_service(fake)
    await fake.answer(slash("rounds", "profile", "show"))
    message = fake.latest_with_button("Edit my profile")
    await first.stop()

    await start_service(fake, on=build_core(store, ManualClock(START)))  # nothing kept in memory
    opened = await fake.answer(press(message, "Edit my profile"))
    assert opened["type"] == 9
    assert opened["data"]["custom_id"] == f"rounds-form:{GUILD}:profile.edit:"


def gated_router(gate: asyncio.Event) -> Router:
    async def report(ctx: Context, args: Mapping[str, Any]) -> None:
        await gate.wait()
        ctx.reply("Report ready")

    router = Router()
    router.command(Command(("report",), "A report that takes a while", report))
    router.command(Command(("digest",), "Declared slow", report, slow=True))
    return router


async def test_a_slow_answer_is_deferred_then_followed_up(
    fake: FakeDiscord, start_service: StartService
) -> None:
    gate = asyncio.Event()
    await start_service(fake, router=gated_router(gate), defer_after=0.01)
    interaction = slash("rounds", "report")
    deferred = await fake.answer(interaction)
    assert deferred == {"type": 5, "data": {"flags": EPHEMERAL}}
    gate.set()
    followup = await fake.followup_for(interaction)
    assert followup.body["content"] == "Report ready"
    assert followup.body["flags"] == EPHEMERAL


async def test_a_command_declared_slow_defers_at_once(
    fake: FakeDiscord, start_service: StartService
) -> None:
    gate = asyncio.Event()
    await start_service(fake, router=gated_router(gate))  # defer_after stays 2 s
    interaction = slash("rounds", "digest")
    assert await fake.answer(interaction) == {"type": 5, "data": {"flags": EPHEMERAL}}
    gate.set()
    assert (await fake.followup_for(interaction)).body["content"] == "Report ready"


def outcome_router() -> Router:
    """Commands and a button that exercise each kind of outcome, whatever features exist."""

    async def announce(ctx: Context, args: Mapping[str, Any]) -> None:
        ctx.reply(
            Message("Grand rounds at 6pm", buttons=(Button("Done", "demo.done", "7"),)),
            private=False,
        )

    async def done(ctx: Context, value: str) -> None:
        ctx.update(Message(f"Done by <@{ctx.member.user_id}> (item {value})"))

    router = Router()
    router.command(Command(("announce",), "Post publicly", announce))
    router.action("demo.done", done)
    return router


async def test_a_public_reply_is_not_ephemeral(
    fake: FakeDiscord, start_service: StartService
) -> None:
    await start_service(fake, router=outcome_router())
    body = await fake.answer(slash("rounds", "announce"))
    assert body["type"] == 4
    assert "flags" not in body["data"]
    assert body["data"]["content"] == "Grand rounds at 6pm"


async def test_a_button_can_replace_its_message(
    fake: FakeDiscord, start_service: StartService
) -> None:
    await start_service(fake, router=outcome_router())
    await fake.answer(slash("rounds", "announce"))
    body = await fake.answer(press(fake.latest_with_button("Done"), "Done"))
    assert body["type"] == 7  # UPDATE_MESSAGE
    assert body["data"]["content"] == f"Done by <@{ALICE}> (item 7)"
    assert body["data"]["components"] == []


async def test_a_member_option_naming_nobody_in_the_server_is_refused(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    fake.strangers.add("999")
    body = await fake.answer(slash("rounds", "profile", "show", options={"member": (USER, "999")}))
    assert body["data"]["flags"] == EPHEMERAL
    assert "I can't find `@\u200b999` in this community." in body["data"]["content"]
    body = await fake.answer(
        slash("rounds", "profile", "show", options={"member": (USER, "424242")})
    )
    assert "424242**\n_They haven't filled in their profile yet._" in body["data"]["content"]
