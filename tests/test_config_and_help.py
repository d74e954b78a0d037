"""Manager configuration and generated help, with role checks that change nothing."""

from __future__ import annotations

from storage.store import SqlStore
from tests.conftest import Transcript
from tests.helpers import stored_member, stored_settings


async def test_first_console_joiner_is_the_manager(transcript: Transcript, store: SqlStore) -> None:
    await transcript("join alice\njoin bob")
    alice, bob = await stored_member(store, "alice"), await stored_member(store, "bob")
    assert alice is not None and alice.is_manager
    assert bob is not None and not bob.is_manager


async def test_manager_sets_a_programme_channel(transcript: Transcript, store: SqlStore) -> None:
    out = await transcript("join alice\n/rounds config channel intros #Introductions")
    assert "✓ Introduction cards and networking will now go to #introductions." in out
    assert (await stored_settings(store))["channel.intros"] == "introductions"


async def test_member_who_is_not_a_manager_is_refused_and_nothing_changes(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        """
        join alice
        join bob
        bob: /rounds config channel intros #random
        bob: /rounds config manager add @bob
        bob: /rounds config set community.name=Hijacked
        """
    )
    assert out.count("Only community managers can do that.") == 3
    assert await stored_settings(store) == {}
    bob = await stored_member(store, "bob")
    assert bob is not None and not bob.is_manager


async def test_adding_and_removing_a_manager(transcript: Transcript, store: SqlStore) -> None:
    out = await transcript(
        """
        join alice
        join bob
        /rounds config manager add @bob
        bob: /rounds config channel qa #ask-peers
        /rounds config manager remove @bob
        bob: /rounds config
        """
    )
    assert "✓ @bob is now a community manager." in out
    assert "✓ Peer questions and answers will now go to #ask-peers." in out
    assert "✓ @bob is no longer a community manager." in out
    assert out.rstrip().endswith("Usage: `/rounds config`")


async def test_the_last_manager_cannot_remove_themselves(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript("join alice\n/rounds config manager remove @alice")
    assert "would leave the community with no manager" in out
    alice = await stored_member(store, "alice")
    assert alice is not None and alice.is_manager


async def test_config_set_validates_declared_settings(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        """
        join alice
        /rounds config set welcome.enabled=maybe
        /rounds config set colour=blue
        /rounds config set community.name="Global Health Leaders" welcome.enabled=no
        """
    )
    assert "`welcome.enabled` takes yes or no" in out
    assert "`colour` isn't something `/rounds config set` takes" in out
    assert "✓ Saved: `community.name` = Global Health Leaders, `welcome.enabled` = no." in out
    assert await stored_settings(store) == {
        "community.name": "Global Health Leaders",
        "welcome.enabled": "no",
    }


async def test_config_shows_channels_managers_and_settings(transcript: Transcript) -> None:
    out = await transcript(
        """
        join alice
        /rounds config channel events #workshops
        /rounds config
        """
    )
    assert "- events: #workshops (workshop and forum announcements)" in out
    assert "- intros: _not set_" in out
    assert "**Managers**: @alice" in out
    assert "`welcome.enabled` = yes" in out


async def test_help_hides_manager_commands_from_members(transcript: Transcript) -> None:
    out = await transcript("join alice\njoin bob\nbob: /rounds help\nalice: /rounds help")
    bob_help, alice_help = out.split("[private @bob]")[1].split("[private @alice]")
    assert "/rounds profile set" in bob_help and "/rounds config" not in bob_help
    assert "Setting up? `/rounds config` lists what's left to do." in alice_help
    assert "`/rounds config channel`" in alice_help


async def test_help_lists_members_commands_under_their_programmes(transcript: Transcript) -> None:
    out = await transcript("join alice\njoin bob\nbob: /rounds help")
    out = out.split("[private @bob]")[1]
    headings = [line.strip() for line in out.splitlines() if line.strip().startswith("**")]
    assert headings[1:] == [
        "**Your profile and the directory**",
        "**Networking rounds**",
        "**Mentorship**",
        "**Peer Q&A**",
        "**Events**",
        "**Your data**",
        "**Help**",
    ]
    mentorship = out.split("**Mentorship**")[1].split("**Peer Q&A**")[0]
    assert "`/rounds mentor request`" in mentorship and "`/rounds checkin`" in mentorship


async def test_help_shows_event_create_to_members_only_where_members_may_create_events(
    transcript: Transcript,
) -> None:
    out = await transcript(
        """
        join alice
        join bob
        bob: /rounds help
        alice: /rounds help
        alice: /rounds config set events.creators=members
        bob: /rounds help
        """
    )
    before, managing, after = out.split("**Rounds: what you can do**")[1:]
    assert "`/rounds event create`" not in before
    assert "`/rounds event create`" in managing and "`/rounds event create`" in after


async def test_config_lists_what_a_new_community_has_left_to_set_up(
    transcript: Transcript,
) -> None:
    out = await transcript(
        """
        join amara
        join ben
        amara: /rounds config
        amara: /rounds config channel intros #introductions
        amara: /rounds config channel qa #ask-peers
        amara: /rounds config channel events #events
        amara: /rounds config channel managers #rounds-managers
        amara: /rounds config set community.name="GHL" community.timezone=Africa/Lagos
        amara: /rounds config
        amara: /rounds config manager add @ben
        amara: /rounds config
        """
    )
    first, partly, done = out.split("**Community configuration**")[1:]
    assert "**Getting started** (0 of 7 done)" in first
    assert (
        "- Choose where peer questions and answers go: `/rounds config channel qa #ask-peers`"
        in (first)
    )
    assert [line.strip() for line in partly.split("**Channels**")[0].strip().splitlines()] == [
        "**Getting started** (6 of 7 done)",
        "- Share the work with a co-manager: `/rounds config manager add @member`",
    ]
    assert "Getting started" not in done
    assert "**You manage Rounds here.** `/rounds config` lists" in out.split("[dm @ben]")[0]
    assert "You manage Rounds here" not in out.split("[dm @ben]")[1]


async def test_help_for_one_command_shows_usage_options_and_examples(
    transcript: Transcript,
) -> None:
    out = await transcript("join alice\n/rounds help config channel")
    assert "Usage: `/rounds config channel <intros|qa|events|managers> #channel`" in out
    assert "- `channel`: the channel, required" in out
    assert "- `/rounds config channel intros #introductions`" in out


async def test_help_on_a_manager_command_for_a_member_is_refused(transcript: Transcript) -> None:
    out = await transcript("join alice\njoin bob\nbob: /rounds help config set")
    assert "`/rounds config set` is for community managers." in out


async def test_help_for_a_group_lists_its_commands(transcript: Transcript) -> None:
    out = await transcript("join alice\n/rounds help profile")
    assert "**/rounds profile**: Show your profile" in out


async def test_unknown_command_points_to_help(transcript: Transcript) -> None:
    out = await transcript("join alice\n/rounds frobnicate now")
    assert "I don't know `/rounds frobnicate now`. Type `/rounds help`" in out


async def test_home_shows_the_profile_and_for_managers_the_configuration(
    transcript: Transcript, store: SqlStore
) -> None:
    from bot.bootstrap import build_core
    from bot.clock import ManualClock
    from bot.context import Actor
    from tests.conftest import START
    from tests.helpers import CONSOLE

    await transcript("join alice\njoin bob\nbob: /rounds profile set specialty=surgery")
    rounds = build_core(store, ManualClock(START)).rounds
    bob_home = await rounds.home(Actor(CONSOLE, "bob"))
    alice_home = await rounds.home(Actor(CONSOLE, "alice"))
    assert [m.text.split("\n")[0] for m in bob_home] == [
        "**Your profile**",
        "**Networking rounds**",
        "**Mentorship**",
    ]
    assert "surgery" in bob_home[0].text
    assert [m.text.split("\n")[0] for m in alice_home] == [
        "**Your profile**",
        "**Networking rounds**",
        "**Mentorship**",
        "**Patient-information guard**",
        "**Community configuration**",
    ]
