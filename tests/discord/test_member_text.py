"""Member text on Discord, end to end: a hostile name typed in `/rounds profile set` shows on
the intro card exactly as typed, inside the card's own bold, and pings nobody."""

from __future__ import annotations

from typing import Any

from adapters.discord.service import DiscordService
from tests.discord.fake_discord import ALICE, INTRODUCTIONS, FakeDiscord, slash

STRING, CHANNEL = 3, 7
NAME = "Ada **Obi [NHS](https://evil.example) @everyone <!channel>"
NAME_MARKDOWN = "Ada \\*\\*Obi \\[NHS\\](https://evil.example) @\u200beveryone \\<!channel\\>"


def profile(**values: str) -> dict[str, Any]:
    options = {name: (STRING, value) for name, value in values.items()}
    return slash("rounds", "profile", "set", options=options, user_id=ALICE)


async def test_a_hostile_name_shows_as_typed_inside_the_intro_cards_bold(
    fake: FakeDiscord, service: DiscordService
) -> None:
    options = {"programme": (STRING, "intros"), "channel": (CHANNEL, INTRODUCTIONS)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    await fake.answer(profile(name=NAME, role="resident", specialty="emergency medicine"))
    await fake.answer(slash("rounds", "intro"))
    posted = await fake.wait_for(
        lambda c: c.method == "POST" and c.path == f"/channels/{INTRODUCTIONS}/messages"
    )
    (card,) = fake.in_channel(INTRODUCTIONS)
    assert card["content"].startswith(
        f"👋 Meet **{NAME_MARKDOWN}** (<@{ALICE}>)\nresident · emergency medicine"
    )
    assert isinstance(posted.body, dict)
    assert posted.body["allowed_mentions"]["parse"] == ["users"]  # never everyone or roles
