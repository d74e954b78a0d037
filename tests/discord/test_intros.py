"""Introductions on Discord, end to end through the fake: the intro card in the intros channel
(edited when refreshed), "Say hello" from the card, and `/rounds find` with its buttons."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from adapters.discord.service import DiscordService
from bot.bootstrap import Core
from bot.clock import ManualClock
from bot.context import JobContext
from bot.features.intros import plan_reminders
from tests.discord.fake_discord import (
    ALICE,
    BOB,
    EPHEMERAL,
    INTRODUCTIONS,
    Call,
    FakeDiscord,
    press,
    slash,
)

STRING, CHANNEL = 3, 7
MAX_ROWS, MAX_PER_ROW, MAX_LABEL, MAX_CUSTOM_ID = 5, 5, 80, 100


def profile(user_id: str, **values: str) -> dict[str, Any]:
    options = {name: (STRING, value) for name, value in values.items()}
    return slash("rounds", "profile", "set", options=options, user_id=user_id)


def said(call: Call) -> str:
    return str((call.body or {}).get("content") or "") if isinstance(call.body, dict) else ""


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    return [c for row in message["components"] for c in row["components"]]


@pytest.fixture
async def card(fake: FakeDiscord, service: DiscordService) -> dict[str, Any]:
    """Alice's intro card, posted after a manager set the intros channel."""
    options = {"programme": (STRING, "intros"), "channel": (CHANNEL, INTRODUCTIONS)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    await fake.answer(profile(ALICE, role="resident", specialty="emergency medicine"))
    await fake.answer(slash("rounds", "intro"))
    posted = await fake.wait_for(
        lambda c: c.method == "POST" and c.path == f"/channels/{INTRODUCTIONS}/messages"
    )
    assert posted.body is not None
    (message,) = fake.in_channel(INTRODUCTIONS)
    return message


async def test_intro_posts_a_card_with_a_say_hello_button(card: dict[str, Any]) -> None:
    assert card["content"].startswith(f"👋 Meet **Alice** (<@{ALICE}>)\nresident")
    assert [b["label"] for b in buttons(card)] == ["Say hello"]


async def test_intro_again_edits_the_same_post(fake: FakeDiscord, card: dict[str, Any]) -> None:
    await fake.answer(profile(ALICE, specialty="paediatrics"))
    body = await fake.answer(slash("rounds", "intro"))
    assert body["data"]["content"] == (
        f"✓ Updated your introduction in <#{INTRODUCTIONS}>. "
        "Peers can press “Say hello” to reach you."
    )
    edit = await fake.wait_for(lambda c: c.method == "PATCH")
    assert edit.path == f"/channels/{INTRODUCTIONS}/messages/{card['id']}"
    (shown,) = fake.in_channel(INTRODUCTIONS)  # still one post: edited, not posted again
    assert "paediatrics" in shown["content"]
    assert [b["label"] for b in buttons(shown)] == ["Say hello"]


async def test_intro_again_posts_a_new_card_when_the_old_one_was_deleted(
    fake: FakeDiscord, card: dict[str, Any]
) -> None:
    fake.delete(card["id"])  # a moderator removed it
    mark = len(fake.calls)
    await fake.answer(slash("rounds", "intro"))
    await fake.wait_for(lambda c: c.path == f"/channels/{INTRODUCTIONS}/messages", after=mark)
    (shown,) = fake.in_channel(INTRODUCTIONS)
    assert shown["id"] != card["id"]
    assert [b["label"] for b in buttons(shown)] == ["Say hello"]


async def test_say_hello_dms_the_owner_and_confirms_privately(
    fake: FakeDiscord, card: dict[str, Any]
) -> None:
    body = await fake.answer(press(card, "Say hello", user_id=BOB))
    assert body["type"] == 4
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"] == (f"✓ Said hello to <@{ALICE}>; they'll get a DM from Rounds.")
    await fake.wait_for(lambda c: "says hello" in said(c))
    (hello,) = with_text(fake.dms_to(ALICE), "says hello")
    assert hello["content"].startswith(f"👋 <@{BOB}> says hello!")


async def test_find_answers_privately_with_ten_say_hello_buttons(
    fake: FakeDiscord, service: DiscordService
) -> None:
    for n in range(12):
        user_id = f"40000000000000001{n:02d}"
        await fake.answer(profile(user_id, name=f"Doctor {n}", interests="simulation"))
    body = await fake.answer(slash("rounds", "find", options={"text": (STRING, "simulation")}))
    assert body["type"] == 4
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("**10 members matching “simulation”**")
    rows = body["data"]["components"]
    found = [c for row in rows for c in row["components"]]
    assert [b["label"] for b in found] == [f"Say hello to Doctor {n}" for n in range(10)]
    assert len(rows) <= MAX_ROWS
    assert all(len(row["components"]) <= MAX_PER_ROW for row in rows)
    assert all(len(b["label"]) <= MAX_LABEL and len(b["custom_id"]) <= MAX_CUSTOM_ID for b in found)


async def test_a_find_result_button_says_hello(fake: FakeDiscord, service: DiscordService) -> None:
    await fake.answer(profile(BOB, name="Kofi", interests="simulation"))
    await fake.answer(slash("rounds", "find", options={"text": (STRING, "simulation")}))
    results = fake.latest_with_button("Say hello to Kofi")  # the private reply
    body = await fake.answer(press(results, "Say hello to Kofi"))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"] == f"✓ Said hello to <@{BOB}>; they'll get a DM from Rounds."
    await fake.wait_for(lambda c: "says hello" in said(c))
    assert with_text(fake.dms_to(BOB), f"👋 <@{ALICE}> says hello!")


async def test_a_hello_to_closed_dms_is_posted_in_the_intros_channel(
    fake: FakeDiscord, card: dict[str, Any]
) -> None:
    fake.closed_dms.add(ALICE)
    await fake.answer(press(card, "Say hello", user_id=BOB))
    await fake.wait_for(
        lambda c: "says hello" in said(c) and c.path.endswith(INTRODUCTIONS + "/messages")
    )
    (fallback,) = with_text(fake.in_channel(INTRODUCTIONS), "says hello")
    assert fallback["content"].startswith(f"<@{ALICE}> I couldn't send you a direct message")


async def test_members_without_an_intro_are_reminded_after_three_days(
    fake: FakeDiscord, service: DiscordService, core: Core, clock: ManualClock
) -> None:
    options = {"programme": (STRING, "intros"), "channel": (CHANNEL, INTRODUCTIONS)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    await fake.answer(slash("rounds", "help", user_id=BOB))  # Bob arrives, never introduces
    clock.advance(timedelta(days=3, hours=1))
    await plan_reminders(JobContext(core.store, core.router, clock.now()))
    await core.runtime.kicked()
    await core.dispatcher.run_due()
    (nudge,) = with_text(fake.dms_to(BOB), "a gentle nudge")
    assert "Post your introduction with `/rounds intro`" in nudge["content"]


def with_text(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    return [m for m in messages if text in m["content"]]
