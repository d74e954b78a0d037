"""The first hour, tried as a new member and a new manager would, mistakes included: every
reply says what went wrong and what to type next (issue 14), one transcript per moment."""

from __future__ import annotations

import pytest

from tests.conftest import Transcript


def last_reply(out: str) -> str:
    return out.split("\n[")[-1]


async def test_a_value_with_spaces_and_no_quotes_names_the_field_and_shows_the_quotes(
    transcript: Transcript,
) -> None:
    out = await transcript("join amara\n/rounds profile set name=Amara Eze role=resident")
    assert (
        '`Eze` looks like the rest of `name`. A value with spaces goes in quotes: `name="Amara Eze"`.'
        in last_reply(out)
    )


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/rounds find specialty=emergency medicine", '`specialty="emergency medicine"`'),
        ("/rounds config set community.name=Global Health", '`community.name="Global Health"`'),
        ("/rounds profile set institution=Korle Bu Teaching", '`institution="Korle Bu Teaching"`'),
    ],
)
async def test_every_key_value_command_shows_the_quoted_form(
    transcript: Transcript, command: str, expected: str
) -> None:
    out = await transcript(f"join amara\n{command}")
    assert expected in last_reply(out)


async def test_a_setting_without_a_value_says_it_needs_one_and_shows_one(
    transcript: Transcript,
) -> None:
    out = await transcript("join amara\n/rounds config set community.name")
    assert (
        '`community.name` needs a value: give it as `community.name="Global Health Leaders"`.'
        in last_reply(out)
    )
    out = await transcript("/rounds profile set specialty")
    assert '`specialty` needs a value: give it as `specialty="…"`.' in last_reply(out)


async def test_help_on_a_command_that_is_also_a_group_lists_its_subcommands_and_fields(
    transcript: Transcript,
) -> None:
    out = await transcript("join amara\n/rounds help profile")
    reply = last_reply(out)
    assert "Usage: `/rounds profile [@member]`" in reply
    assert "**/rounds profile set**: Change your profile fields" in reply
    assert "- `specialty`: e.g. emergency medicine" in reply


async def test_help_on_a_group_lists_every_subcommand(transcript: Transcript) -> None:
    out = await transcript("join amara\n/rounds help network")
    reply = last_reply(out)
    for name in ("join", "snooze", "leave", "status", "exclude", "report"):
        assert f"`/rounds network {name}" in reply


async def test_a_mistyped_top_level_command_is_treated_as_such(transcript: Transcript) -> None:
    out = await transcript("join amara\n/roundsx help")
    assert (
        "I don't know `/roundsx`: Rounds' commands start with `/rounds`. "
        "Did you mean `/rounds help`?" in last_reply(out)
    )
    out = await transcript("/round profile")
    assert "Did you mean `/rounds profile`?" in last_reply(out)


async def test_a_group_typed_alone_or_with_a_wrong_word_lists_what_it_takes(
    transcript: Transcript,
) -> None:
    out = await transcript("join amara\n/rounds network")
    assert (
        "`/rounds network` needs one more word: `join`, `snooze`, `leave`, `status`, "
        "`exclude`, `report`. Type `/rounds help network` to see what each does."
    ) in last_reply(out)
    out = await transcript("/rounds network jion")
    reply = last_reply(out)
    assert "I don't know `/rounds network jion`. Did you mean `/rounds network join`?" in reply
    assert "`/rounds network` takes: `join`," in reply
    out = await transcript("/rounds qa whatever")
    assert "`/rounds qa` takes: `search`, `open`, `show`" in last_reply(out)


@pytest.mark.parametrize("value", ["3d", "0w", "9w", "soon"])
async def test_a_settings_usage_examples_and_errors_agree(
    transcript: Transcript, value: str
) -> None:
    out = await transcript(f"join amara\n/rounds config set network.every={value}")
    reply = last_reply(out)
    assert (
        "`network.every` takes a whole number of weeks from 1w to 8w (rounds start on "
        f"Mondays), like `2w` (not `{value}`)." in reply
    )
    assert "network.every=<1w-8w>" in reply  # the usage line offers what is accepted


async def test_timezone_abbreviations_are_refused_with_a_suggestion(
    transcript: Transcript,
) -> None:
    out = await transcript("join amara\n/rounds profile set timezone=EST")
    reply = last_reply(out)
    assert "`EST` is an abbreviation" in reply and "Did you mean `America/New_York`?" in reply
    out = await transcript("/rounds profile set timezone=Asia/Calcutta\n/rounds profile")
    assert "Time zone: Asia/Kolkata" in last_reply(out)
    out = await transcript("/rounds profile set timezone=utc\n/rounds profile")
    assert "Time zone: UTC" in last_reply(out)


async def test_a_member_alone_in_networking_rounds_is_told_once_and_managers_once(
    transcript: Transcript,
) -> None:
    out = await transcript(
        "clock 2026-03-02 09:00 UTC\njoin amara\njoin ben\nben: /rounds network join\n"
        "advance 20w\nben: /rounds network status"
    )
    assert out.count("You're the first one in networking rounds here") == 1
    assert out.count("Networking rounds need more members: only @ben has joined") == 1
    assert "No networking match for you this round" not in out
    assert "Nobody else has joined yet: your first pairing comes in the round after" in out
    out = await transcript("amara: /rounds network join\nadvance 3w")
    assert "@amara and @ben, meet each other!" in out


async def test_buttons_on_old_messages_answer_for_the_members_state_now(
    transcript: Transcript,
) -> None:
    out = await transcript(
        "clock 2026-03-02 09:00 UTC\njoin amara\njoin ben\namara: /rounds network join\n"
        "ben: /rounds network join\nadvance 15d\nben: /rounds network leave\n"
        'ben: click "Can\'t this time"'
    )
    assert "You've left networking rounds, so no new partner is coming" in out
    assert "You'll get a new partner next round" not in out


async def test_a_card_posted_after_the_intros_channel_moved_says_so_and_marks_the_old_one(
    transcript: Transcript,
) -> None:
    out = await transcript(
        "join amara\n/rounds profile set role=resident specialty=surgery\n"
        "/rounds config channel intros #intros\n/rounds intro\n"
        "/rounds config channel intros #elsewhere\n/rounds intro"
    )
    assert "Posted your introduction in #elsewhere, the new intros channel" in out
    assert "[#intros] (updated)\n  👋 **amara**'s introduction has moved to #elsewhere." in out
    assert "Updated your introduction in #elsewhere" not in out


async def test_advancing_costs_what_falls_due_not_the_span(store: object) -> None:
    """With nothing planned, `advance` has a step a week (the managers' digest, Monday 08:00)
    and, a month on, the purge of the welcome's finished row; a member in networking rounds
    adds one per round."""
    import io
    from datetime import timedelta

    from bot.bootstrap import build_console
    from bot.clock import ManualClock
    from storage.store import SqlStore
    from tests.conftest import START

    assert isinstance(store, SqlStore)
    core, console = build_console(store, ManualClock(START), io.StringIO())
    await console.run_lines(["join amara"])
    digest = await core.runtime.next_job_at()  # the weekly digest: Monday 08:00 UTC
    assert digest is not None and digest - START == timedelta(days=7, hours=-1)
    await console.run_lines(["/rounds config set digest.day=off"])
    purge = await core.runtime.next_job_at()  # the welcome's row, kept 30 days, then purged
    assert purge is not None and purge - START == timedelta(days=30)
    assert await store.deliveries.next_due_at() is None
    await console.run_lines(["/rounds network join"])
    first = await core.runtime.next_job_at()
    assert first is not None and (first - START).days == 6  # Sunday, 14 h before Monday 10:00


async def test_every_member_option_resolves_the_same_way(transcript: Transcript) -> None:
    out = await transcript(
        "join amara\n/rounds config manager add @nobody\n/rounds network exclude @nobody\n"
        "/rounds profile @nobody"
    )
    assert out.count("I can't find `@nobody` in this community.") == 3
    assert "is now a community manager" not in out
    out = await transcript("join ben\namara: /rounds config manager add @ben")
    assert "✓ @ben is now a community manager." in out


async def test_the_interactive_console_goes_on_at_the_communitys_own_time(
    database_url: str,
) -> None:
    import asyncio
    import io
    from datetime import UTC, datetime

    from bot.bootstrap import run_console
    from bot.clock import ManualClock
    from storage.migrate import upgrade

    if database_url.startswith("postgresql"):
        pytest.skip("the interactive console keeps its community in a SQLite file here")
    await asyncio.to_thread(upgrade, database_url)
    today = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    first = io.StringIO()
    lines = ["join amara", "/rounds network join", "advance 30d"]
    await run_console(database_url, lines, first, start=ManualClock(today), resume=True)
    second = io.StringIO()
    lines = ["/rounds network status"]  # nobody typing yet: a new session
    await run_console(database_url, ["as amara", *lines], second, start=ManualClock(today))
    again = io.StringIO()
    await run_console(
        database_url, ["as amara", *lines], again, start=ManualClock(today), resume=True
    )
    assert "This community's clock is at Mon 28 Dec 2026, 09:00 UTC" in again.getvalue()
    assert "This community's clock" not in first.getvalue()


async def test_joining_twice_says_so(transcript: Transcript) -> None:
    out = await transcript("join ben\njoin ben")
    assert "@ben has already joined. Type as them with `as ben`." in last_reply(out)


async def test_a_refused_or_empty_form_stays_open(transcript: Transcript) -> None:
    out = await transcript(
        'join ben\n/rounds profile set\nsubmit name=\nsubmit timezone=Mars/Olympus\nsubmit name="Ben Osei"'
    )
    assert "Nothing to save: every field was empty." in out
    assert "isn't a time zone I know" in out
    assert "has no form open" not in out
    assert "✓ Saved your profile: name = Ben Osei." in out


async def test_names_in_any_script_can_join(transcript: Transcript) -> None:
    out = await transcript(
        "join 李\n李: /rounds profile set name=李明\njoin ana\nana: /rounds profile @李"
    )
    assert "isn't a usable name" not in out
    assert "**李明**" in last_reply(out)


async def test_a_misspelt_field_gets_the_field_it_was_probably(transcript: Transcript) -> None:
    out = await transcript("join amara\n/rounds profile set specilty=surgery")
    assert "`specilty` isn't something `/rounds profile set` takes. Did you mean `specialty`?" in (
        last_reply(out)
    )
