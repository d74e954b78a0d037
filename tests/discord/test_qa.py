"""Peer Q&A on Discord, end to end through the fake: `/rounds ask` posts the card, the Answer
button's modal puts the answer in a thread opened from the card, `/rounds accept` edits the
card, and manager-only `/rounds-manage qa author` is where the schema generator put it."""

from __future__ import annotations

from typing import Any

import pytest

from adapters.discord.service import DiscordService
from tests.discord.fake_discord import (
    ALICE,
    BOB,
    EPHEMERAL,
    GENERAL,
    FakeDiscord,
    press,
    slash,
    submit,
)

STRING, CHANNEL = 3, 7


def buttons(message: dict[str, Any]) -> list[str]:
    return [c["label"] for row in message["components"] for c in row["components"]]


@pytest.fixture
async def card(fake: FakeDiscord, service: DiscordService) -> dict[str, Any]:
    """Bob's question, posted in the Q&A channel a manager chose."""
    options = {"programme": (STRING, "qa"), "channel": (CHANNEL, GENERAL)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    asked = {"title": (STRING, "How do I negotiate protected time for QI?"), "tags": (STRING, "qi")}
    body = await fake.answer(slash("rounds", "ask", options=asked, user_id=BOB))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith(f"✓ Your question Q1 is up in <#{GENERAL}>.")
    await fake.wait_for(lambda c: c.method == "POST" and c.path == f"/channels/{GENERAL}/messages")
    [message] = [m for m in fake.in_channel(GENERAL) if m["content"].startswith("❓")]
    return message


async def test_ask_posts_a_card_with_answer_and_follow(card: dict[str, Any]) -> None:
    assert card["content"].startswith(
        f"❓ **Q1: How do I negotiate protected time for QI?**\nAsked by <@{BOB}> · qi"
    )
    assert buttons(card) == ["Answer", "Follow"]


async def test_an_answer_goes_in_a_thread_from_the_card_and_accepting_edits_the_card(
    fake: FakeDiscord, card: dict[str, Any]
) -> None:
    opened = await fake.answer(press(card, "Answer", user_id=ALICE))
    assert opened["type"] == 9 and opened["data"]["title"] == "Answer Q1"
    body = await fake.answer(submit(opened["data"], {"text": "Bring a short plan."}))
    assert body["data"]["content"].startswith("✓ Your answer A1 is in the thread of Q1.")
    await fake.wait_for(lambda c: c.path == f"/channels/{GENERAL}/messages/{card['id']}/threads")
    # the DM is sent after the answer itself, in the order they were planned
    await fake.wait_for(lambda c: c.method == "POST" and "answered your question" in str(c.body))
    [answer] = fake.in_channel(card["id"])  # the thread's id is the card's
    assert answer["content"].startswith(f"💡 **A1** by <@{ALICE}> · ▲ 0\nBring a short plan.")
    assert buttons(answer) == ["▲ Upvote", "Accept"]

    accepted = await fake.answer(
        slash("rounds", "accept", options={"answer": (STRING, "A1")}, user_id=BOB)
    )
    assert accepted["data"]["content"].startswith(f"✓ Accepted A1 by <@{ALICE}> for Q1.")
    await fake.wait_for(
        lambda c: (
            c.method == "PATCH"
            and c.path == f"/channels/{GENERAL}/messages/{card['id']}"
            and "✓ Answered" in str(c.body)
        )
    )
    assert "✓ Answered: A1 by" in fake.messages[card["id"]]["content"]


async def test_the_author_look_up_is_a_manager_command(
    fake: FakeDiscord, card: dict[str, Any]
) -> None:
    options = {"question": (STRING, "1")}
    body = await fake.answer(slash("rounds-manage", "qa", "author", options=options, admin=True))
    assert body["data"]["flags"] == EPHEMERAL
    assert (
        body["data"]["content"] == f"Q1 isn't anonymous: <@{BOB}> asked it. Nothing was recorded."
    )
    refused = await fake.answer(slash("rounds-manage", "qa", "author", options=options))
    assert refused["data"]["content"].startswith("Only community managers can do that.")


async def test_search_and_open_are_member_commands(fake: FakeDiscord, card: dict[str, Any]) -> None:
    found = await fake.answer(
        slash("rounds", "qa", "search", options={"words": (STRING, "protected time")})
    )
    assert found["data"]["content"].startswith("**1 question matching “protected time”**")
    waiting = await fake.answer(slash("rounds", "qa", "open"))
    assert waiting["data"]["content"].startswith("**Waiting for an answer** (oldest first)")
