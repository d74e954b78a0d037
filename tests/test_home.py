"""Home sections (the Slack App Home tab): each programme shows a member where they stand,
with a button for the next step."""

from __future__ import annotations

from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.engine import Rounds
from storage.store import SqlStore
from tests.conftest import START, Transcript
from tests.helpers import CONSOLE

BEN = Actor(CONSOLE, "ben")


def titles(messages: list) -> list[str]:
    return [m.text.split("\n")[0] for m in messages]


def rounds_for(store: SqlStore) -> Rounds:
    return build_core(store, ManualClock(START)).rounds


async def test_a_member_sees_profile_and_networking_and_intros_once_a_channel_exists(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript("join amara\njoin ben")
    rounds = rounds_for(store)
    assert titles(await rounds.home(BEN)) == [
        "**Your profile**",
        "**Networking rounds**",
        "**Mentorship**",
    ]
    await transcript("amara: /rounds config channel intros #introductions")
    home = await rounds.home(BEN)
    assert titles(home) == [
        "**Your profile**",
        "**Introductions**",
        "**Networking rounds**",
        "**Mentorship**",
    ]
    assert [b.label for b in home[1].buttons] == ["Post my introduction"]
    assert [b.label for b in home[2].buttons] == ["Join networking rounds"]


async def test_home_buttons_post_the_intro_and_join_networking(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(
        "join amara\njoin ben\namara: /rounds config channel intros #introductions\n"
        "ben: /rounds profile set role=nurse specialty=oncology"
    )
    rounds = rounds_for(store)
    posted = await rounds.action(BEN, "intros.post", "")
    joined = await rounds.action(BEN, "network.join", "")
    assert posted.replies[0].message.text.startswith(
        "✓ Your introduction is up in <#introductions>"
    )
    assert joined.replies[0].message.text.startswith("✓ You're in!")
    home = await rounds.home(BEN)
    assert home[1].text.startswith("**Introductions**\nYour card is in <#introductions>.")
    assert home[2].text.startswith("**Networking rounds**\nYou're in networking rounds.")
    assert home[2].buttons == ()
