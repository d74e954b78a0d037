"""Mentorship on Discord, end to end through the fake: typed `/rounds mentor …` commands (and
`/rounds-manage mentor …` for managers), the pick, Accept and Decline buttons, Match by hand on
the managers' card, a check-in nudge by DM with its Met this week and its Reschedule modal,
the CSV log as a file on the interaction, and a member removed from the server (with the
members intent)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from adapters.discord.schema import build_schema
from adapters.discord.service import DiscordService
from bot.bootstrap import Core
from bot.clock import ManualClock
from bot.domain import SpaceKey
from bot.features.catalog import build_router
from bot.features.mentorship.model import MENTORSHIP, PairStatus
from storage.store import SqlStore
from tests.discord.fake_discord import (
    ALICE,
    BOB,
    EPHEMERAL,
    GUILD,
    FakeDiscord,
    press,
    slash,
    submit,
    user,
)
from tests.helpers import stored_member

SPACE = SpaceKey("discord", GUILD)
STRING, INTEGER, BOOLEAN, USER, CHANNEL = 3, 4, 5, 6, 7
DUE = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)
CAROL = "4000000000000000003"
ORGANISERS = "5000000000000000009"


def mentor(*names: str, user_id: str = ALICE, **options: tuple[int, Any]) -> dict[str, Any]:
    return slash("rounds", "mentor", *names, options=options, user_id=user_id)


def labels(message: dict[str, Any]) -> list[str]:
    return [c["label"] for row in message.get("components") or [] for c in row["components"]]


def subcommand(payload: list[dict[str, Any]], *path: str) -> dict[str, Any]:
    """One subcommand of the generated schema, by its Discord path."""
    node = next(command for command in payload if command["name"] == path[0])
    for name in path[1:]:
        node = next(option for option in node["options"] if option["name"] == name)
    return node


def with_text(messages: list[dict[str, Any]], text: str) -> list[dict[str, Any]]:
    return [m for m in messages if text in (m.get("content") or "")]


async def asked(fake: FakeDiscord, core: Core) -> dict[str, Any]:
    """Bob offers to mentor; Alice asks and picks him. Returns the request in Bob's DM."""
    profile = {
        "name": (STRING, "Dr Bob"),
        "stage": (STRING, "senior"),
        "timezone": (STRING, "Africa/Accra"),
    }
    await fake.answer(slash("rounds", "profile", "set", options=profile, user_id=BOB))
    offered = await fake.answer(
        mentor("offer", user_id=BOB, capacity=(INTEGER, 2), areas=(STRING, "operations"))
    )
    assert offered["data"]["content"].startswith("✓ Thank you for mentoring! Up to 2 mentees")
    await fake.answer(slash("rounds", "profile", "set", options={"stage": (STRING, "trainee")}))
    asked = await fake.answer(mentor("request", goals=(STRING, "hospital operations")))
    assert asked["data"]["flags"] == EPHEMERAL
    assert asked["data"]["content"].startswith("**Mentors for you** (goals: hospital operations)")
    assert "shares 'operations'" in asked["data"]["content"]
    suggestions = fake.latest_with_button("Ask Dr Bob")
    picked = await fake.answer(press(suggestions, "Ask Dr Bob"))
    assert picked["type"] == 7  # the suggestions give way to "You asked …"
    await core.runtime.kicked()
    [proposal] = with_text(fake.dms_to(BOB), "Mentorship request")
    assert labels(proposal) == ["Accept", "Decline"]
    return proposal


async def paired(fake: FakeDiscord, core: Core) -> None:
    """Alice asked Bob, and he accepts from his DM."""
    proposal = await asked(fake, core)
    accepted = await fake.answer(press(proposal, "Accept", user_id=BOB, guild_id=None))
    assert accepted["type"] == 7
    assert fake.messages[proposal["id"]]["content"] == (
        f"🌱 Mentorship request from <@{ALICE}>: ✓ Accepted"
    )
    await core.runtime.kicked()
    [welcome] = with_text(fake.dms_to(ALICE), "accepted: they're your mentor now!")
    assert welcome["content"].startswith(f"🎉 <@{BOB}> accepted")


async def nudged(fake: FakeDiscord, core: Core, clock: ManualClock) -> dict[str, Any]:
    """Paired, then the first check-in falls due: the mentor's nudge."""
    await paired(fake, core)
    clock.set(DUE)
    await core.runtime.run_due()
    [nudge] = with_text(fake.dms_to(BOB), "Time to check in")
    return nudge


async def test_request_pick_accept_nudge_and_met_this_week(
    fake: FakeDiscord, service: DiscordService, core: Core, clock: ManualClock, store: SqlStore
) -> None:
    nudge = await nudged(fake, core, clock)
    assert (
        nudge["content"]
        == f"⏰ Time to check in with <@{ALICE}>. A short call or a message counts."
    )
    assert labels(nudge) == ["Met this week", "Reschedule", "Need help", "Snooze"]
    [lighter] = with_text(fake.dms_to(ALICE), "Your check-in with")
    assert labels(lighter) == ["Met this week"]

    met = await fake.answer(press(nudge, "Met this week", user_id=BOB, guild_id=None))
    assert met["type"] == 7
    assert fake.messages[nudge["id"]]["components"] == []
    alice = await stored_member(store, ALICE, SPACE)
    assert alice is not None
    async with store.transaction() as tx:
        [(checkin, pair)] = await tx.repo(MENTORSHIP).checkins(alice.space_id, alice.id)
    assert pair.status is PairStatus.ACTIVE and checkin.met_at == DUE


async def test_a_mentor_declining_asks_the_mentees_next_choice(
    fake: FakeDiscord, service: DiscordService, core: Core, store: SqlStore
) -> None:
    profile = {"name": (STRING, "Dr Carol"), "mentor": (BOOLEAN, True)}
    await fake.answer(slash("rounds", "profile", "set", options=profile, user_id=CAROL))
    proposal = await asked(fake, core)
    declined = await fake.answer(press(proposal, "Decline", user_id=BOB, guild_id=None))
    assert declined["type"] == 7
    shown = fake.messages[proposal["id"]]
    assert shown["content"] == f"🌱 Mentorship request from <@{ALICE}>: Declined"
    assert shown["components"] == []
    await core.runtime.kicked()
    [told] = with_text(fake.dms_to(ALICE), "can't take on a mentee")
    assert told["content"].startswith(
        f"<@{BOB}> can't take on a mentee right now, so I've asked <@{CAROL}>, your next "
        "choice. They have until <t:"
    )
    [ask] = with_text(fake.dms_to(CAROL), "Mentorship request")
    assert ask["content"].startswith(
        f"🌱 **Mentorship request:** <@{ALICE}> would like you as their mentor."
    )
    assert labels(ask) == ["Accept", "Decline"]
    alice = await stored_member(store, ALICE, SPACE)
    assert alice is not None
    async with store.transaction() as tx:
        found = await tx.repo(MENTORSHIP).pairs_of(alice.space_id, alice.id, tuple(PairStatus))
    assert sorted(p.status for p in found) == [PairStatus.DECLINED, PairStatus.PROPOSED]


async def test_reschedule_opens_a_modal_whose_submission_moves_the_checkin(
    fake: FakeDiscord, service: DiscordService, core: Core, clock: ManualClock, store: SqlStore
) -> None:
    nudge = await nudged(fake, core, clock)
    opened = await fake.answer(press(nudge, "Reschedule", user_id=BOB, guild_id=None))
    assert opened["type"] == 9
    assert opened["data"]["title"] == "Reschedule check-in"

    values = {"when": "2026-03-20 15:00"}
    moved = await fake.answer(submit(opened["data"], values, user_id=BOB, guild_id=None))
    assert moved["data"]["flags"] == EPHEMERAL
    assert moved["data"]["content"].startswith(f"✓ Moved your check-in with <@{ALICE}> to <t:")
    await core.runtime.kicked()
    [told] = with_text(fake.dms_to(ALICE), "moved your check-in")
    assert told["content"].startswith(f"<@{BOB}> moved your check-in to <t:")
    alice = await stored_member(store, ALICE, SPACE)
    assert alice is not None
    async with store.transaction() as tx:
        [pair] = await tx.repo(MENTORSHIP).pairs_of(alice.space_id, alice.id, (PairStatus.ACTIVE,))
    assert pair.due_at == datetime(2026, 3, 20, 15, 0, tzinfo=UTC)  # Accra is on UTC


async def test_match_by_hand_on_the_no_match_card_is_for_managers(
    fake: FakeDiscord, service: DiscordService, core: Core
) -> None:
    options = {"programme": (STRING, "managers"), "channel": (CHANNEL, ORGANISERS)}
    await fake.answer(slash("rounds-manage", "config", "channel", options=options, admin=True))
    asked = await fake.answer(mentor("request", user_id=BOB, goals=(STRING, "operations")))
    assert asked["data"]["content"].startswith("No mentor with room fits yet")
    await core.runtime.kicked()
    [card] = fake.in_channel(ORGANISERS)
    assert "is looking for a mentor in operations" in card["content"]
    assert labels(card) == ["Match by hand"]

    refused = await fake.answer(press(card, "Match by hand", user_id=BOB))
    assert refused["data"]["content"].startswith("Only community managers can do that")
    pressed = press(card, "Match by hand", admin=True)
    taken = await fake.answer(pressed)
    assert taken["type"] == 7  # the card shows who is matching
    shown = fake.messages[card["id"]]
    assert shown["content"].endswith(f"✓ <@{ALICE}> is matching by hand.")
    assert shown["components"] == []
    how = await fake.followup_for(pressed)
    assert how.body["content"].startswith(
        f"To match <@{BOB}> by hand, type `/rounds-manage mentor match @mentee @mentor`"
    )  # the command as Discord lists it
    assert how.body["flags"] == EPHEMERAL


async def test_the_log_export_is_a_csv_file_on_the_private_answer(
    fake: FakeDiscord, service: DiscordService, core: Core
) -> None:
    await paired(fake, core)
    await fake.answer(
        slash("rounds", "checkin", options={"member": (USER, BOB), "note": (STRING, "rota, ideas")})
    )
    interaction = mentor("log", export=(STRING, "export"))
    await fake.dispatch("INTERACTION_CREATE", interaction)
    call = await fake.callback_for(interaction)
    assert call.body["data"]["flags"] == EPHEMERAL
    assert call.body["data"]["content"].startswith("Your mentorship log: 1 check-in")
    [(name, data)] = call.files
    assert name == "mentorship-log.csv"
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"))))
    assert rows[1][2:] == ["Dr Bob", "mentee", "you", "rota, ideas"]


async def test_mentor_log_and_its_export_are_one_command_with_an_optional_choice() -> None:
    schema = build_schema(build_router())
    entry = schema.entry("rounds", "mentor", "log")
    assert entry is not None and [c.name for c in entry.commands] == ["mentor log"]
    [export] = subcommand(schema.payload, "rounds", "mentor", "log")["options"]
    assert export == {
        "name": "export",
        "description": "export as a CSV file",
        "required": False,
        "type": STRING,
        "max_length": 200,
        "choices": [{"name": "export", "value": "export"}],
    }
    assert schema.commands[("mentor", "report")] == "/rounds-manage mentor report"
    assert schema.commands[("mentor", "match")] == "/rounds-manage mentor match"
    assert schema.commands[("checkin",)] == "/rounds checkin"


async def test_the_report_is_for_managers(fake: FakeDiscord, service: DiscordService) -> None:
    refused = await fake.answer(slash("rounds-manage", "mentor", "report"))
    assert refused["data"]["content"].startswith("Only community managers can do that.")
    shown = await fake.answer(slash("rounds-manage", "mentor", "report", admin=True))
    assert shown["data"]["content"].startswith("**Mentorship**\n- Active pairs: 0")


async def test_a_mentor_removed_from_the_server_ends_the_pair_kindly(
    fake: FakeDiscord, service: DiscordService, core: Core, store: SqlStore
) -> None:
    await paired(fake, core)
    await fake.dispatch("GUILD_MEMBER_REMOVE", {"guild_id": GUILD, "user": user(BOB, "bob")})
    await fake.wait_for(
        lambda c: (
            c.method == "POST" and "has left the community" in str((c.body or {}).get("content"))
        )
    )
    [told] = with_text(fake.dms_to(ALICE), "has left the community")
    assert told["content"].startswith(
        f"<@{BOB}> has left the community, so your mentorship has ended."
    )
    alice = await stored_member(store, ALICE, SPACE)
    assert alice is not None
    async with store.transaction() as tx:
        found = await tx.repo(MENTORSHIP).pairs_of(alice.space_id, alice.id, tuple(PairStatus))
    assert [p.status for p in found] == [PairStatus.ENDED]
