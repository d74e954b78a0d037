"""Members' data rights and managers' insight on Discord, end to end through the fake:
`/rounds my-data` answers privately with a JSON file, `/rounds forget-me` is confirmed with a
button that erases, and manager-only `/rounds-manage stats` answers with the PNG chart."""

from __future__ import annotations

import json
from typing import Any

from adapters.discord.schema import build_schema
from adapters.discord.service import DiscordService
from bot.domain import SpaceKey
from bot.features.catalog import build_router
from storage.store import SqlStore
from tests.discord.fake_discord import ALICE, BOB, EPHEMERAL, GUILD, FakeDiscord, press, slash
from tests.helpers import stored_member

SPACE = SpaceKey("discord", GUILD)
STRING, INTEGER = 3, 4
PNG = b"\x89PNG\r\n\x1a\n"


def test_the_commands_keep_their_hyphenated_names_on_discord() -> None:
    schema = build_schema(build_router())
    assert schema.commands[("my-data",)] == "/rounds my-data"
    assert schema.commands[("forget-me",)] == "/rounds forget-me"
    assert schema.commands[("privacy",)] == "/rounds privacy"
    assert schema.commands[("stats",)] == "/rounds-manage stats"
    assert schema.commands[("audit",)] == "/rounds-manage audit"


async def test_my_data_answers_privately_with_a_json_file(
    fake: FakeDiscord, service: DiscordService
) -> None:
    options = {"institution": (STRING, "Korle Bu")}
    await fake.answer(slash("rounds", "profile", "set", options=options, user_id=BOB))
    interaction = slash("rounds", "my-data", user_id=BOB)
    await fake.dispatch("INTERACTION_CREATE", interaction)
    call = await fake.callback_for(interaction)
    assert call.body["data"]["flags"] == EPHEMERAL
    assert call.body["data"]["content"].startswith("Here is everything Rounds stores about you")
    [(name, data)] = call.files
    assert name == "rounds-my-data.json"
    exported = json.loads(data)
    assert exported["member"]["user_id"] == BOB
    assert exported["member"]["profile"]["institution"] == "Korle Bu"


async def test_forget_me_is_confirmed_with_a_button_then_erases(
    fake: FakeDiscord, service: DiscordService, store: SqlStore
) -> None:
    await fake.answer(
        slash(
            "rounds", "profile", "set", user_id=BOB, options={"institution": (STRING, "Korle Bu")}
        )
    )
    body = await fake.answer(slash("rounds", "forget-me", user_id=BOB))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("**Erase everything Rounds knows about you?**")
    asked: dict[str, Any] = next(
        m for m in fake.messages.values() if m["content"].startswith("**Erase everything")
    )
    labels = [c["label"] for row in asked["components"] for c in row["components"]]
    assert labels == ["Erase everything", "Cancel"]

    pressed = press(asked, "Erase everything", user_id=BOB)
    await fake.dispatch("INTERACTION_CREATE", pressed)
    update = await fake.callback_for(pressed)
    assert update.body["type"] == 7  # the confirmation is replaced
    assert update.body["data"]["content"] == (
        "Erased. Thank you for having been part of this community."
    )
    done = await fake.followup_for(pressed)
    assert done.body["content"].startswith("✓ Done. Rounds has erased your profile")
    assert await stored_member(store, BOB, SPACE) is None


async def test_stats_answers_a_manager_with_the_chart(
    fake: FakeDiscord, service: DiscordService
) -> None:
    interaction = slash(
        "rounds-manage", "stats", options={"weeks": (INTEGER, 4)}, user_id=ALICE, admin=True
    )
    await fake.dispatch("INTERACTION_CREATE", interaction)
    deferred = await fake.callback_for(interaction)
    assert deferred.body["type"] == 5  # declared slow: "thinking…" at once, the answer follows
    call = await fake.followup_for(interaction)
    assert call.body["content"].startswith("**Community activity, the last 4 weeks**")
    assert call.body["flags"] == EPHEMERAL
    [(name, data)] = call.files
    assert name == "rounds-stats-4w.png" and data[:8] == PNG
    body = await fake.answer(slash("rounds-manage", "audit", user_id=BOB))
    assert body["data"]["content"].startswith("Only community managers can do that.")
