"""Typed option conversion: every kind, with good values and the clear errors for bad ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.errors import UserError
from bot.localtime import parse_quiet_hours
from bot.options import Option, OptionKind, ParseContext, format_duration, parse_duration

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHICAGO = ParseContext(NOW, "America/Chicago")


def parse(kind: OptionKind, raw: str, **kw: object) -> object:
    return Option("field", kind, "a field", **kw).parse(raw, CHICAGO)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (OptionKind.TEXT, " quality improvement ", "quality improvement"),
        (OptionKind.INTEGER, "42", 42),
        (OptionKind.BOOLEAN, "Yes", True),
        (OptionKind.BOOLEAN, "off", False),
        (OptionKind.MEMBER, "<@U123|alice>", "U123"),
        (OptionKind.MEMBER, "<@!4000>", "4000"),
        (OptionKind.MEMBER, "@bob", "bob"),
        (OptionKind.CHANNEL, "<#C999|general>", "C999"),
        (OptionKind.CHANNEL, "#Introductions", "introductions"),
        (OptionKind.DURATION, "2w", timedelta(weeks=2)),
        (OptionKind.DURATION, "1h30m", timedelta(minutes=90)),
        (OptionKind.TIMEZONE, "america/chicago", "America/Chicago"),
        (OptionKind.TIMEZONE, "UTC", "UTC"),
    ],
)
def test_good_values_convert(kind: OptionKind, raw: str, expected: object) -> None:
    assert parse(kind, raw) == expected


def test_choice_is_case_insensitive_and_canonical() -> None:
    assert parse(OptionKind.CHOICE, "Resident", choices=("resident", "fellow")) == "resident"


def test_choice_reads_spaces_for_hyphens_and_the_words_members_use() -> None:
    stages = ("trainee", "early-career")
    words = (("resident", "trainee"), ("junior doctor", "trainee"))
    assert parse(OptionKind.CHOICE, "Early Career", choices=stages) == "early-career"
    assert parse(OptionKind.CHOICE, "early_career", choices=stages) == "early-career"
    assert parse(OptionKind.CHOICE, "Resident", choices=stages, aliases=words) == "trainee"
    assert parse(OptionKind.CHOICE, "junior  Doctor", choices=stages, aliases=words) == "trainee"
    with pytest.raises(UserError, match="can be one of: trainee, early-career"):
        parse(OptionKind.CHOICE, "consultant", choices=stages, aliases=words)


def test_datetime_is_read_in_the_members_zone() -> None:
    assert parse(OptionKind.DATETIME, "2026-03-10 18:00") == datetime(
        2026, 3, 10, 23, 0, tzinfo=UTC
    )  # CDT, UTC-5


def test_datetime_with_an_explicit_zone_wins() -> None:
    assert parse(OptionKind.DATETIME, "2026-03-10 18:00 Europe/London") == datetime(
        2026, 3, 10, 18, 0, tzinfo=UTC
    )


@pytest.mark.parametrize(
    ("kind", "raw", "message", "extra"),
    [
        (OptionKind.INTEGER, "many", "whole number", {}),
        (OptionKind.INTEGER, "0", "at least 1", {"min_value": 1}),
        (OptionKind.BOOLEAN, "maybe", "yes or no", {}),
        (
            OptionKind.CHOICE,
            "surgeon",
            "one of: resident, fellow",
            {"choices": ("resident", "fellow")},
        ),
        (OptionKind.MEMBER, "bob", "member mention", {}),
        (OptionKind.CHANNEL, "general", "channel such as", {}),
        (OptionKind.DURATION, "soon", "length of time", {}),
        (OptionKind.DURATION, "500w", "between 1 minute and a year", {}),
        (OptionKind.TIMEZONE, "Mars/Olympus", "isn't a time zone", {}),
        (OptionKind.DATETIME, "next tuesday", "date and time like", {}),
        (OptionKind.TEXT, "x" * 201, "too long", {}),
        (OptionKind.TEXT, "   ", "is empty", {}),
        (OptionKind.TEXT, "bad\x07bell", "control characters", {}),
    ],
)
def test_bad_values_name_the_field_and_what_is_allowed(
    kind: OptionKind, raw: str, message: str, extra: dict[str, object]
) -> None:
    with pytest.raises(UserError, match=message) as caught:
        parse(kind, raw, **extra)
    assert caught.value.field == "field"


def test_timezone_typo_gets_a_suggestion() -> None:
    with pytest.raises(UserError, match="Did you mean `America/Chicago`"):
        parse(OptionKind.TIMEZONE, "Chicgo")


@given(st.integers(1, 60 * 24 * 366))
def test_durations_read_back(minutes: int) -> None:
    value = timedelta(minutes=minutes)
    assert parse_duration(format_duration(value)) == value


def test_quiet_hours_cross_midnight() -> None:
    quiet = parse_quiet_hours("22:00-07:00")
    assert quiet.contains(datetime(2026, 1, 1, 23, 30).time())
    assert quiet.contains(datetime(2026, 1, 1, 6, 59).time())
    assert not quiet.contains(datetime(2026, 1, 1, 7, 0).time())


@pytest.mark.parametrize("raw", ["22-07", "22:00", "25:00-07:00", "07:00-07:00"])
def test_bad_quiet_hours_are_refused(raw: str) -> None:
    with pytest.raises(UserError, match="quiet"):
        parse_quiet_hours(raw)
