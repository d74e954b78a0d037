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
