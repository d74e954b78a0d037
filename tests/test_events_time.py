"""Reading when an event starts, across zones and daylight-saving changes: explicit zones, the
creator's own, plain forms, and the refusals (past, ambiguous, skipped, unknown) that say what
was understood."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.errors import UserError
from bot.features.events._schedule import occurrences, series_notes
from bot.features.events._when import parse_until, parse_when
from bot.features.events.model import Repeat
from bot.messages import unescape

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


def refusal(text: str, zone: str, now: datetime = NOW, *, raw: bool = False) -> str:
    """The refusal as members read it (member text in it is escaped to stay literal)."""
    with pytest.raises(UserError) as raised:
        parse_when(text, zone, now)
    assert raised.value.field == "when"
    return raised.value.message if raw else unescape(raised.value.message)


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-03-10 18:00", "America/New_York", utc(2026, 3, 10, 22, 0)),  # EDT, after 8 March
        ("2026-03-06 18:00", "America/New_York", utc(2026, 3, 6, 23, 0)),  # EST, before it
        ("2026-11-02 18:00", "America/New_York", utc(2026, 11, 2, 23, 0)),  # EST again
        ("2026-03-10 18:00", "Asia/Kolkata", utc(2026, 3, 10, 12, 30)),
        ("2026-03-10 18:00", "Australia/Sydney", utc(2026, 3, 10, 7, 0)),  # AEDT
        ("2026-04-10 18:00", "Australia/Sydney", utc(2026, 4, 10, 8, 0)),  # AEST from 5 April
        ("2026-03-10T18:00", "Europe/London", utc(2026, 3, 10, 18, 0)),
    ],
)
def test_a_wall_clock_time_is_read_in_the_given_zone(
    text: str, zone: str, expected: datetime
) -> None:
    assert parse_when(text, zone, NOW) == (expected, zone)


def test_a_zone_written_in_when_wins_over_the_one_given() -> None:
    moment, zone = parse_when("2026-03-10 18:00 Asia/Kolkata", "America/New_York", NOW)
    assert (moment, zone) == (utc(2026, 3, 10, 12, 30), "Asia/Kolkata")
    moment, zone = parse_when("2026-03-10 18:00 asia/calcutta", "UTC", NOW)  # old names too
    assert zone == "Asia/Kolkata"


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("tomorrow 18:00", "Asia/Kolkata", utc(2026, 3, 3, 12, 30)),
        ("tomorrow 18:00", "America/New_York", utc(2026, 3, 3, 23, 0)),
        ("next tuesday 12:30", "Australia/Sydney", utc(2026, 3, 3, 1, 30)),
        ("friday 6pm", "Europe/London", utc(2026, 3, 6, 18, 0)),
        ("tomorrow 18:00 UTC", "Asia/Kolkata", utc(2026, 3, 3, 18, 0)),
    ],
)
def test_plain_forms_are_read_relative_to_now_in_the_zone(
    text: str, zone: str, expected: datetime
) -> None:
    assert parse_when(text, zone, NOW)[0] == expected


def test_tomorrow_is_tomorrow_where_the_creator_is() -> None:
    # 20:00 UTC on Monday is already Tuesday 06:00 in Sydney: "tomorrow" is Wednesday there
    late = utc(2026, 3, 2, 20, 0)
    assert parse_when("tomorrow 09:00", "Australia/Sydney", late)[0] == utc(2026, 3, 3, 22, 0)


def test_a_time_the_clocks_skip_in_march_is_refused_with_what_happens() -> None:
    text = refusal("2026-03-08 02:30", "America/New_York")
    assert "`2026-03-08 02:30` doesn't exist in America/New_York" in text
    assert "Pick another time, like 03:30." in text
    # said another way, the reply shows what was understood
    text = refusal("2026-03-08 2:30am", "America/New_York")
    assert "`2026-03-08 2:30am` is 2026-03-08 02:30, a time that doesn't exist" in text


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("tomorrow 25:00", "`25:00` isn't a time of day: on the 24-hour clock hours go from 00"),
        ("2026-04-01 09:61", "`09:61` isn't a time of day"),
        ("2026-13-01 10:00", "`2026-13-01` isn't a date: write it as year-month-day"),
        ("2026-02-30 10:00", "`2026-02-30` isn't a date"),
    ],
)
def test_a_date_or_time_that_cannot_be_is_refused_as_typed(typed: str, said: str) -> None:
    # dateparser would take 2026-13-01 for 13 January, and suggest `tomorrow 25:00 18:00`
    assert refusal(typed, "UTC").startswith(said)


def test_an_until_that_cannot_be_is_refused_as_typed() -> None:
    with pytest.raises(UserError) as refused:
        parse_until("2026-04-31", "UTC", NOW)
    assert unescape(refused.value.message).startswith("`2026-04-31` isn't a date")
    assert refused.value.field == "until"


def test_a_time_the_clocks_show_twice_in_november_is_refused_with_both_readings() -> None:
    text = refusal("2026-11-01 01:30", "America/New_York")
    assert "happens twice in America/New_York" in text
    assert "2026-11-01 01:30 EDT (UTC-04:00) or 2026-11-01 01:30 EST (UTC-05:00)" in text
    assert '`when="2026-11-01 01:30 -04:00"`' in text
    # said with the offset, it is one moment
    assert parse_when("2026-11-01 01:30 -05:00", "America/New_York", NOW)[0] == utc(
        2026, 11, 1, 6, 30
    )


def test_sydney_skips_and_repeats_its_own_hours() -> None:
    assert "doesn't exist in Australia/Sydney" in refusal("2026-10-04 02:30", "Australia/Sydney")
    assert "happens twice in Australia/Sydney" in refusal("2026-04-05 02:30", "Australia/Sydney")


def test_kolkata_has_no_daylight_saving_to_trip_over() -> None:
    for day in ("2026-03-08", "2026-11-01", "2026-04-05", "2026-10-04"):
        moment, _ = parse_when(f"{day} 02:30", "Asia/Kolkata", NOW)
        assert moment.hour == 21 and moment.minute == 0


def test_a_past_time_is_refused_showing_how_it_was_read() -> None:
    text = refusal("2026-03-01 18:00", "Europe/London")
    assert "I read `2026-03-01 18:00` as Sun 01 Mar 2026, 18:00 GMT (Europe/London)" in text
    assert "which has already passed" in text
    assert "which has already passed" in refusal("yesterday 10:00", "UTC")


def test_a_date_that_reads_two_ways_is_refused() -> None:
    text = refusal("03/04/2026 18:00", "Europe/London")
    assert "could be 03 April 2026 or 04 March 2026" in text
    assert '`when="2026-03-04 18:00"`' in text


def test_a_day_without_a_time_is_refused() -> None:
    text = refusal("tomorrow", "UTC")
    assert "I read `tomorrow` as Tue 03 Mar 2026 but found no time of day." in text
    assert '`when="tomorrow 18:00"`' in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tomorrow 18:00 EST", "`EST` is an abbreviation"),
        ("tomorrow 18:00 Mars/Olympus", "`Mars/Olympus` isn't a time zone I know."),
        ("tomorrow 18:00 Europe/Londn", "Did you mean `Europe/London`?"),
        ("whenever suits", "I couldn't read `whenever suits` as a date and time."),
        ("2029-03-10 18:00", "events can be planned up to two years ahead"),
    ],
)
def test_unreadable_times_and_unknown_zones_are_refused(text: str, expected: str) -> None:
    assert expected in refusal(text, "UTC")


def test_hostile_text_in_a_refusal_is_literal() -> None:
    text = refusal("<!channel> **bold**", "UTC", raw=True)
    assert "\\<!channel\\> \\*\\*bold\\*\\*" in text


def test_a_weekly_series_keeps_its_local_time_across_both_dst_changes() -> None:
    starts = occurrences(
        utc(2026, 2, 24, 23, 0), "America/New_York", Repeat.WEEKLY, date(2026, 3, 17)
    )
    assert [s.hour for s in starts] == [23, 23, 22, 22]  # 18:00 EST, then 18:00 EDT
    autumn = occurrences(
        utc(2026, 10, 25, 22, 0), "America/New_York", Repeat.WEEKLY, date(2026, 11, 8)
    )
    assert [s.hour for s in autumn] == [22, 23, 23]
    sydney = occurrences(
        utc(2026, 3, 28, 22, 0), "Australia/Sydney", Repeat.WEEKLY, date(2026, 4, 12)
    )
    assert [s.hour for s in sydney] == [22, 23, 23]  # 09:00 AEDT, then 09:00 AEST


def test_biweekly_and_monthly_series_follow_the_calendar() -> None:
    every_other = occurrences(utc(2026, 3, 3, 12), "UTC", Repeat.BIWEEKLY, date(2026, 4, 14))
    assert [s.day for s in every_other] == [3, 17, 31, 14]
    monthly = occurrences(utc(2026, 1, 31, 12), "UTC", Repeat.MONTHLY, date(2026, 6, 30))
    assert [(s.month, s.day) for s in monthly] == [(1, 31), (3, 31), (5, 31)]  # RFC 5545


def test_a_series_says_which_months_it_skips_and_which_sessions_the_clocks_move() -> None:
    start = utc(2026, 1, 31, 12)
    monthly = occurrences(start, "UTC", Repeat.MONTHLY, date(2026, 6, 30))
    (months,) = series_notes(start, "UTC", Repeat.MONTHLY, date(2026, 6, 30), monthly)
    assert months.startswith("There's no 31st in Feb 2026, Apr 2026, Jun 2026: no session then")
    short = occurrences(start, "UTC", Repeat.MONTHLY, date(2026, 3, 31))
    assert series_notes(start, "UTC", Repeat.MONTHLY, date(2026, 3, 31), short)[0].startswith(
        "There's no 31st in Feb 2026:"
    )
    fine = utc(2026, 1, 28, 12)
    every_28th = occurrences(fine, "UTC", Repeat.MONTHLY, date(2026, 6, 30))
    assert series_notes(fine, "UTC", Repeat.MONTHLY, date(2026, 6, 30), every_28th) == []
    # 02:30 every Sunday in New York: on 8 March 2026 the clocks go from 02:00 to 03:00
    night = utc(2026, 3, 1, 7, 30)
    weekly = occurrences(night, "America/New_York", Repeat.WEEKLY, date(2026, 3, 15))
    assert series_notes(night, "America/New_York", Repeat.WEEKLY, date(2026, 3, 15), weekly) == [
        "On Sun 08 Mar 2026 the clocks skip 02:30 in America/New_York: that session starts "
        "at 03:30."
    ]
    assert series_notes(night, "America/New_York", None, None, weekly[:1]) == []


def test_a_series_is_bounded() -> None:
    with pytest.raises(UserError, match="at most 52"):
        occurrences(utc(2026, 3, 3, 12), "UTC", Repeat.WEEKLY, date(2027, 3, 2))
    with pytest.raises(UserError, match="before the first occurrence"):
        occurrences(utc(2026, 3, 3, 12), "UTC", Repeat.WEEKLY, date(2026, 3, 1))
    with pytest.raises(UserError, match="up to a year"):
        occurrences(utc(2026, 3, 3, 12), "UTC", Repeat.MONTHLY, date(2027, 6, 1))


def test_until_takes_a_date_or_plain_words() -> None:
    assert parse_until("2026-06-30", "UTC", NOW) == date(2026, 6, 30)
    assert parse_until("30 june", "UTC", NOW) == date(2026, 6, 30)
    with pytest.raises(UserError, match="the last day of the series"):
        parse_until("whenever", "UTC", NOW)


def test_the_date_and_calendar_libraries_load_only_when_first_needed() -> None:
    import subprocess
    import sys

    probe = (
        "import sys, bot.features.catalog; "
        "print(sorted(m for m in ('dateparser', 'icalendar') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert loaded.stdout.strip() == "[]"
