"""Interactions as Discord documents them (tests/discord/payloads names each source) and gateway
trouble: a bad event costs that event only, a lost connection is made again, buttons and modals
Rounds never issued are answered, and a server the bot isn't in gets nothing made."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from adapters.discord.interactions import NOT_INSTALLED, STALE_BUTTON, STALE_FORM
from adapters.discord.service import DiscordService
from bot.bootstrap import Core
from bot.serving import Backoff, PlatformDown
from storage.store import SqlStore
from tests.discord.conftest import settings_for
from tests.discord.fake_discord import (
    ALICE,
    APP_ID,
    EPHEMERAL,
    GUILD,
    FakeDiscord,
    interaction_fields,
    message_payload,
    slash,
)

PAYLOADS = Path(__file__).parent / "payloads"
ELSEWHERE = "290926798626357999"  # the server in Discord's documented example: not ours


def documented(name: str, *, guild_id: str | None = GUILD) -> dict[str, Any]:
    """A documented payload. Where the docs elide the common fields (`...additionalInteraction
    Fields`), ours fill them in; fields the structure table marks as always sent are added."""
    body: dict[str, Any] = json.loads((PAYLOADS / f"{name}.json").read_text())["body"]
    if "id" not in body:
        common = interaction_fields(body["type"], guild_id=guild_id, user_id=ALICE, admin=False)
        body = {**common, **body}
    if body["type"] == 3 and "message" not in body:  # a press comes with the message pressed
        button = {"type": 2, "style": 2, "label": "Press", "custom_id": body["data"]["custom_id"]}
        row = {"type": 1, "components": [button]}
        body["message"] = message_payload(body["channel_id"], {"components": [row]})
    always = {"application_id": APP_ID, "version": 1, "attachment_size_limit": 8388608}
    return {**always, **body}


async def known_spaces(store: SqlStore) -> set[tuple[str, str]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(text("SELECT platform, external_id FROM spaces"))
        return {(row[0], row[1]) for row in rows}


async def answered_privately(fake: FakeDiscord, interaction: dict[str, Any]) -> str:
    body = await fake.answer(interaction)
    assert body["type"] == 4 and body["data"]["flags"] == EPHEMERAL
    data = body["data"]  # a help longer than a message's 2000 characters is an embed
    content: str = data["content"] or data["embeds"][0]["description"]
    return content


async def until(condition: Callable[[], bool], wait: float = 20.0) -> None:
    """Wait for a state the service reaches on its own (a reconnect), checking every 10 ms."""
    for _ in range(int(wait / 0.01)):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"not reached within {wait} s")


async def help_is_answered(fake: FakeDiscord) -> None:
    content = await answered_privately(fake, slash("rounds", "help"))
    assert content.startswith("**Rounds: what you can do**")


async def test_an_event_discord_py_cannot_read_costs_that_event_only(
    fake: FakeDiscord, service: DiscordService, caplog: pytest.LogCaptureFixture
) -> None:
    await fake.dispatch("INTERACTION_CREATE", documented("slash_command_docs_example"))
    await help_is_answered(fake)
    assert len(fake.connections) == 1  # the same connection: nothing had to reconnect
    assert "dropped a INTERACTION_CREATE event discord.py could not read (KeyError: 'flags')" in (
        caplog.text
    )


async def test_a_button_rounds_never_issued_is_answered_privately(
    fake: FakeDiscord, service: DiscordService
) -> None:
    assert await answered_privately(fake, documented("button_docs_example")) == STALE_BUTTON


async def test_a_modal_rounds_never_issued_is_answered_privately(
    fake: FakeDiscord, service: DiscordService
) -> None:
    assert await answered_privately(fake, documented("modal_submit_docs_example")) == STALE_FORM


async def test_a_command_from_a_server_the_bot_is_not_in_makes_nothing(
    fake: FakeDiscord, service: DiscordService, store: SqlStore, core: Core
) -> None:
    documented_example = documented("slash_command_docs_example")
    documented_example["member"]["flags"] = 0  # readable this time
    assert await answered_privately(fake, documented_example) == NOT_INSTALLED
    user_installed = slash("rounds", "help", guild_id=ELSEWHERE)
    user_installed["authorizing_integration_owners"] = {"1": ALICE}  # not installed in there
    assert await answered_privately(fake, user_installed) == NOT_INSTALLED
    await core.runtime.kicked()
    assert await known_spaces(store) == set()
    assert fake.dm_channels == {}  # nobody welcomed
    await help_is_answered(fake)


async def test_a_button_naming_a_server_the_bot_is_not_in_does_nothing(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    pressed = documented("button_docs_example", guild_id=None)
    pressed["data"]["custom_id"] = f"rounds:{ELSEWHERE}:profile.form:"
    pressed["message"]["components"][0]["components"][0]["custom_id"] = pressed["data"]["custom_id"]
    assert await answered_privately(fake, pressed) == STALE_BUTTON
    assert await known_spaces(store) == set()


# -- a connection that ends --------------------------------------------------------------------
def supervised(core: Core, fake: FakeDiscord, *, tries: int = 3) -> DiscordService:
    return DiscordService(
        core,
        settings_for(fake),
        identify_delay=0,
        guild_ready_timeout=0.05,
        backoff=Backoff(first=0.01, most=0.05),
        reconnect_tries=tries,
        connect_seconds=1,
    )


async def test_a_connection_that_ends_is_made_again(fake: FakeDiscord, core: Core) -> None:
    service = supervised(core, fake)
    running = asyncio.create_task(service.run())
    try:
        await until(lambda: service.ready)
        await fake.send_raw("this is not JSON")  # discord.py gives up on this connection
        await fake.wait_connected(2, wait=10)
        await until(lambda: service.ready)
        await help_is_answered(fake)
    finally:
        running.cancel()
        await service.stop()
    assert not running.done() or running.cancelled()


async def test_when_connecting_again_fails_the_service_gives_up(
    core: Core, caplog: pytest.LogCaptureFixture
) -> None:
    fake = await FakeDiscord().start()
    service = supervised(core, fake, tries=2)
    running = asyncio.create_task(service.run())
    try:
        await until(lambda: service.ready)
        fake.gateway_open = False  # an outage: the gateway refuses every new connection
        await fake.send_raw("this is not JSON")
        await until(lambda: "Discord is unreachable" in caplog.text)
        assert not service.ready  # what GET /healthz reports meanwhile
        with pytest.raises(PlatformDown, match="2 tries"):
            await asyncio.wait_for(running, 20)
    finally:
        running.cancel()
        await service.stop()
        await fake.stop()
    assert caplog.text.count("Discord is unreachable") == 1  # the second failure gives up
