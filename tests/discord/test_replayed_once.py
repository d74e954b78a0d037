"""The same Discord interaction delivered twice (a resumed gateway session replays what it
missed; two processes may both be handed it): exactly one effect, one answer."""

from __future__ import annotations

from typing import Any

from adapters.discord.service import DiscordService
from bot.bootstrap import Core
from tests.discord.fake_discord import (
    ALICE,
    BOB,
    EVENTS,
    GENERAL,
    FakeDiscord,
    press,
    slash,
    submit,
)

STRING, INTEGER, CHANNEL = 3, 4, 7


def cards(fake: FakeDiscord) -> list[str]:
    return [m["content"] for m in fake.in_channel(GENERAL) if m["content"].startswith("❓")]


async def replay(fake: FakeDiscord, service: DiscordService, payload: dict[str, object]) -> None:
    """Deliver an interaction again and wait until Rounds has dealt with it."""
    await fake.dispatch("INTERACTION_CREATE", payload)
    assert await service.in_flight.settle(10)


def seats(message: dict[str, Any]) -> str:
    fields = {f["name"]: f["value"] for embed in message["embeds"] for f in embed["fields"]}
    return str(fields["Seats"])


def answers_to(fake: FakeDiscord, interaction: dict[str, Any]) -> int:
    return sum(
        c.path.endswith(f"/{interaction['id']}/{interaction['token']}/callback") for c in fake.calls
    )


async def test_a_replayed_command_asks_once(fake: FakeDiscord, service: DiscordService) -> None:
    options = {"programme": (STRING, "qa"), "channel": (CHANNEL, GENERAL)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    asked = slash("rounds", "ask", options={"title": (STRING, "Protected time?")}, user_id=BOB)
    first = await fake.answer(asked)
    await replay(fake, service, asked)
    again = slash("rounds", "ask", options={"title": (STRING, "Rota swaps?")}, user_id=BOB)
    second = await fake.answer(again)

    assert first["data"]["content"].startswith("✓ Your question Q1 is up")
    assert second["data"]["content"].startswith("✓ Your question Q2 is up")  # not Q3
    callbacks = [c for c in fake.calls if c.path.endswith("/callback")]
    assert sum(asked["id"] in c.path for c in callbacks) == 1
    await fake.wait_for(lambda c: len(cards(fake)) == 2)
    assert [c.split("**")[1] for c in cards(fake)] == ["Q1: Protected time?", "Q2: Rota swaps?"]


async def test_a_replayed_form_submission_answers_once(
    fake: FakeDiscord, service: DiscordService
) -> None:
    options = {"programme": (STRING, "qa"), "channel": (CHANNEL, GENERAL)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    await fake.answer(slash("rounds", "ask", options={"title": (STRING, "QI?")}, user_id=BOB))
    await fake.wait_for(lambda c: len(cards(fake)) == 1)
    [card] = [m for m in fake.in_channel(GENERAL) if m["content"].startswith("❓")]
    opened = await fake.answer(press(card, "Answer", user_id=ALICE))
    sent = submit(opened["data"], {"text": "A one-page plan."})
    first = await fake.answer(sent)
    await replay(fake, service, sent)
    later = await fake.answer(submit(opened["data"], {"text": "Ask for a trial."}))

    assert first["data"]["content"].startswith("✓ Your answer A1 is in the thread of Q1.")
    assert later["data"]["content"].startswith("✓ Your answer A2 is in the thread of Q1.")


async def test_a_replayed_button_press_takes_effect_once(
    fake: FakeDiscord, service: DiscordService, core: Core
) -> None:
    options = {"programme": (STRING, "events"), "channel": (CHANNEL, EVENTS)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    workshop = {
        "title": (STRING, "Negotiating for your team"),
        "when": (STRING, "2026-03-10 18:00"),
        "tz": (STRING, "UTC"),
        "capacity": (INTEGER, 40),
    }
    await fake.answer(slash("rounds", "event", "create", options=workshop, admin=True))
    await core.runtime.kicked()
    card = fake.latest_with_button("Going")
    going = press(card, "Going", user_id=BOB)
    await fake.answer(going)
    await fake.answer(press(card, "Can't go", user_id=BOB))
    await replay(fake, service, going)  # comes again after Bob changed his mind
    await core.runtime.kicked()

    assert answers_to(fake, going) == 1
    assert seats(fake.messages[card["id"]]) == "40 of 40 left · 0 going · 0 maybe"
