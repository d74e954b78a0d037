"""Networking rounds on Discord, end to end through the fake: the `/rounds network` commands, and
a round from pairing to the "Did you meet?" DM and its answer, which replaces the DM."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from adapters.discord.service import DiscordService
from bot.bootstrap import Core
from bot.clock import ManualClock
from bot.context import JobContext
from bot.domain import SpaceKey
from bot.features.network import run_rounds
from bot.features.network.model import NETWORK
from storage.store import SqlStore
from tests.discord.fake_discord import ALICE, BOB, EPHEMERAL, GUILD, FakeDiscord, press, slash

SPACE = SpaceKey("discord", GUILD)
STRING, INTEGER, USER = 3, 4, 6
CARA, DEV = "4000000000000000003", "4000000000000000004"
PEOPLE = {  # Lagos and London pair up, as do Chicago and Kolkata (see tests/test_network.py)
    ALICE: {"institution": "LUTH", "timezone": "Africa/Lagos", "interests": "quality improvement"},
    BOB: {
        "institution": "Korle Bu",
        "timezone": "Europe/London",
        "interests": "quality improvement",
    },
    CARA: {"institution": "LUTH", "timezone": "America/Chicago", "interests": "simulation"},
    DEV: {"institution": "AIIMS", "timezone": "Asia/Kolkata", "interests": "simulation"},
}
PAIRING_AT = datetime(2026, 3, 8, 11, 0, tzinfo=UTC)  # round 57 starts Monday 9 March
# moments when nobody is in quiet hours (Chicago 10:00, Kolkata 20:30): everything due goes out
AFTER_INTRODUCTIONS = datetime(2026, 3, 9, 15, 0, tzinfo=UTC)
AFTER_HALFWAY = datetime(2026, 3, 16, 15, 0, tzinfo=UTC)  # the question goes out 16 March, 10:00


def network(*names: str, user_id: str = ALICE, **options: tuple[int, Any]) -> dict[str, Any]:
    return slash("rounds", "network", *names, options=options, user_id=user_id)


async def test_join_is_answered_privately_with_the_first_pairing(
    fake: FakeDiscord, service: DiscordService
) -> None:
    body = await fake.answer(network("join"))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith(
        "✓ You're in! Every 2 weeks you'll be paired with a peer from another institution. "
        "First pairing: <t:"
    )


async def test_status_tells_a_member_they_are_in(
    fake: FakeDiscord, service: DiscordService
) -> None:
    await fake.answer(network("join"))
    body = await fake.answer(network("status"))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("You're in networking rounds. Nobody else has")


async def test_snooze_takes_a_number_of_weeks(fake: FakeDiscord, service: DiscordService) -> None:
    await fake.answer(network("join"))
    body = await fake.answer(network("snooze", weeks=(INTEGER, 2)))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("✓ Snoozed for 2 weeks: no pairings until <t:")


async def test_snooze_zero_is_explained_with_the_usage(
    fake: FakeDiscord, service: DiscordService
) -> None:
    # Discord's client enforces min_value 1, but a payload can still carry 0: the core answers
    await fake.answer(network("join"))
    body = await fake.answer(network("snooze", weeks=(INTEGER, 0)))
    assert body["data"]["flags"] == EPHEMERAL
    assert "Usage: `/rounds network snooze" in body["data"]["content"]
    assert "Snoozed" not in body["data"]["content"]


async def test_exclude_takes_a_member(fake: FakeDiscord, service: DiscordService) -> None:
    await fake.answer(network("status", user_id=BOB))  # Bob is known to Rounds
    body = await fake.answer(network("exclude", member=(USER, BOB)))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"] == f"✓ You won't be paired with <@{BOB}>. They are not told."


async def test_the_report_is_refused_to_members(fake: FakeDiscord, service: DiscordService) -> None:
    body = await fake.answer(slash("rounds-manage", "network", "report"))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("Only community managers can do that.")


async def test_the_report_is_shown_to_managers(fake: FakeDiscord, service: DiscordService) -> None:
    body = await fake.answer(slash("rounds-manage", "network", "report", admin=True))
    assert body["data"]["flags"] == EPHEMERAL
    assert body["data"]["content"].startswith("**Networking rounds**\n- Opted in: 0")


# -- a whole round -------------------------------------------------------------------------------
async def opt_in(fake: FakeDiscord) -> None:
    for user_id, profile in PEOPLE.items():
        options = {name: (STRING, value) for name, value in profile.items()}
        await fake.answer(slash("rounds", "profile", "set", options=options, user_id=user_id))
        await fake.answer(network("join", user_id=user_id))


async def run_round_until(core: Core, clock: ManualClock, moment: datetime) -> None:
    """Pair the round, then send everything due by `moment`, as the running bot would."""
    await run_rounds(JobContext(core.store, core.router, PAIRING_AT))
    clock.set(moment)
    await core.runtime.kicked()  # sends the commands started are over first
    await core.dispatcher.run_due()


def with_text(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    return [m for m in messages if text in m["content"]]


async def test_a_round_introduces_each_member_by_dm(
    fake: FakeDiscord, service: DiscordService, core: Core, clock: ManualClock
) -> None:
    await opt_in(fake)
    await run_round_until(core, clock, AFTER_INTRODUCTIONS)
    for user_id in PEOPLE:
        (intro,) = with_text(fake.dms_to(user_id), "**Networking round:**")
        assert f"<@{user_id}>" in intro["content"]
    (alice,) = with_text(fake.dms_to(ALICE), "**Networking round:**")
    assert alice["content"].startswith(
        f"🤝 **Networking round:** <@{ALICE}> and <@{BOB}>, meet each other!"
    )
    assert "`/rounds profile show @name`" in alice["content"]  # typed as on Discord


async def test_halfway_each_member_is_asked_with_three_buttons(
    fake: FakeDiscord, service: DiscordService, core: Core, clock: ManualClock
) -> None:
    await opt_in(fake)
    await run_round_until(core, clock, AFTER_HALFWAY)
    for user_id in PEOPLE:
        (asked,) = with_text(fake.dms_to(user_id), "did you meet")
        labels = [c["label"] for row in asked["components"] for c in row["components"]]
        assert labels == ["Met this week", "Not yet", "Can't this time"]


async def test_met_this_week_is_recorded_and_replaces_the_question(
    fake: FakeDiscord,
    service: DiscordService,
    core: Core,
    clock: ManualClock,
    store: SqlStore,
) -> None:
    await opt_in(fake)
    await run_round_until(core, clock, AFTER_HALFWAY)
    (asked,) = with_text(fake.dms_to(ALICE), "did you meet")

    body = await fake.answer(press(asked, "Met this week", guild_id=None))  # pressed in the DM
    assert body["type"] == 7  # UPDATE_MESSAGE: the question itself changes
    shown = fake.messages[asked["id"]]
    assert shown["content"] == f"Did you meet <@{BOB}>? ✓ Met this week"
    assert shown["components"] == []
    thanks = await fake.followup_for(press_of(fake, asked))
    assert thanks.body["flags"] == EPHEMERAL
    assert thanks.body["content"].startswith("✓ Wonderful, thank you!")
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        alice = await tx.members.get(space.id, ALICE)
        assert alice is not None
        current = await tx.repo(NETWORK).current_pair(space.id, alice.id)
    assert current is not None and current[1].answers[alice.id] == "met"


def press_of(fake: FakeDiscord, message: dict[str, Any]) -> dict[str, Any]:
    """The latest interaction that pressed a button on `message`."""
    return next(
        i
        for i in reversed(list(fake.interactions.values()))
        if (i.get("message") or {}).get("id") == message["id"]
    )
