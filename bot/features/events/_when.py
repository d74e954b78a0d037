"""Reading when an event starts (`2026-03-10 18:00`, `tomorrow 18:00`, `next tuesday 12:30`) in
a given zone or the creator's own; ambiguous, past, unknown-zone and DST-skipped or repeated
times are refused with what was understood. `dateparser` is imported only when first needed."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, date, datetime, timedelta
from typing import Any

from bot.errors import UserError
from bot.messages import literal
from bot.zones import ABBREVIATIONS, find_timezone, timezone_suggestions

FURTHEST = timedelta(days=2 * 366)
EXAMPLES = '`when="2026-03-10 18:00"`, `when="tomorrow 18:00"` or `when="next tuesday 12:30"`'
STRICT = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")
OFFSET_RE = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[ T](\d{1,2}:\d{2})(?::\d{2})?\s*([+-]\d{2}:?\d{2}|Z)$"
)
NUMERIC_DATE_RE = re.compile(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{2,4})\b")
ISO_DATE_RE = re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b")
CLOCK_RE = re.compile(r"\b(\d{1,2}):(\d{2})\b")


def shown(at: datetime, zone: str) -> str:
    """A moment as plain text in one zone: `Tue 10 Mar 2026, 18:00 EDT (America/New_York)`."""
    here = at.astimezone(zoneinfo.ZoneInfo(zone))
    return f"{here:%a %d %b %Y, %H:%M} {here.tzname()} ({zone})"


def split_zone(text: str, zone: str) -> tuple[str, str]:
    """A zone written at the end of `when` (`… Europe/London`) wins over `tz` and the
    member's own; an abbreviation or an unknown Region/City is refused."""
    head, _, last = text.rpartition(" ")
    if not head:
        return text, zone
    found = find_timezone(last)
    if found:
        return head.strip(), found
    word = last.strip().lower()
    if word in ABBREVIATIONS:
        raise UserError(
            f"`{literal(last)}` is an abbreviation, and abbreviations don't say where daylight "
            f"saving applies. Use `tz={ABBREVIATIONS[word]}` (or another Region/City).",
            field="when",
        )
    if "/" in last and not NUMERIC_DATE_RE.search(last):
        hint = timezone_suggestions(last)
        maybe = f" Did you mean {' or '.join(f'`{h}`' for h in hint)}?" if hint else ""
        raise UserError(
            f"`{literal(last)}` isn't a time zone I know.{maybe} Use a Region/City name such as "
            "America/Chicago or Europe/London.",
            field="when",
        )
    return text, zone


def plain_language(text: str, zone: str, now: datetime) -> datetime:
    """`tomorrow 18:00` and friends, read by dateparser relative to now in `zone`."""
    import dateparser.date  # imported on first use: it takes a while to load

    base = now.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    settings: Any = {
        "RELATIVE_BASE": base,
        "PREFER_DATES_FROM": "future",
        "RETURN_TIME_AS_PERIOD": True,
    }
    parser = dateparser.date.DateDataParser(languages=["en"], settings=settings)
    data = parser.get_date_data(text)
    if data.date_obj is None:
        raise UserError(
            f"I couldn't read `{literal(text)}` as a date and time. Try {EXAMPLES}.",
            field="when",
        )
    found: datetime = data.date_obj
    if data.period != "time":
        raise UserError(
            f"I read `{literal(text)}` as {found:%a %d %b %Y} but found no time of day. "
            f'Add one on the 24-hour clock, like `when="{literal(text)} 18:00"`.',
            field="when",
        )
    return found


def impossible_parts(text: str, field: str = "when") -> None:
    """A year-month-day or a time of day that can't be (`2026-13-01`, `25:00`) is refused
    as written, rather than read some other way (dateparser takes `2026-13-01` for 13 Jan)."""
    for match in ISO_DATE_RE.finditer(text):
        year, month, day = (int(part) for part in match.groups())
        try:
            date(year, month, day)
        except ValueError:
            raise UserError(
                f"`{literal(match.group(0))}` isn't a date: write it as year-month-day, with the "
                "month from 01 to 12 and a day that month has, like "
                f'`{field}="{year}-03-10{" 18:00" if field == "when" else ""}"`.',
                field=field,
            ) from None
    for match in CLOCK_RE.finditer(text):
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise UserError(
                f"`{literal(match.group(0))}` isn't a time of day: on the 24-hour clock hours go "
                f'from 00 to 23 and minutes from 00 to 59, like `when="tomorrow 18:00"`.',
                field=field,
            )


def ambiguous_date(text: str) -> None:
    """`03/04/2026` is 3 April in most of the world and March 4 in the US: ask, don't guess."""
    match = NUMERIC_DATE_RE.search(text)
    if match is None:
        return
    first, second = int(match.group(1)), int(match.group(2))
    if first != second and first <= 12 and second <= 12:
        year = int(match.group(3))
        year += 2000 if year < 100 else 0
        try:
            one, other = date(year, second, first), date(year, first, second)
        except ValueError:
            return
        raise UserError(
            f"`{literal(match.group(0))}` could be {one:%d %B %Y} or {other:%d %B %Y}. "
            f'Write the date as year-month-day, like `when="{other:%Y-%m-%d} 18:00"`.',
            field="when",
        )


def local_moment(naive: datetime, zone: str, typed: str) -> datetime:
    """A wall-clock time in `zone` as a UTC moment; a time the clocks skip or show twice that
    day is refused, saying what happens then and how to say it unambiguously."""
    tz = zoneinfo.ZoneInfo(zone)
    first = naive.replace(tzinfo=tz, fold=0)
    second = naive.replace(tzinfo=tz, fold=1)
    back = first.astimezone(UTC).astimezone(tz).replace(tzinfo=None)
    wall = f"{naive:%Y-%m-%d %H:%M}"
    if back != naive:
        after = (naive + timedelta(hours=1)).strftime("%H:%M")
        what = "" if typed.strip() == wall else f" is {wall}, a time that"
        raise UserError(
            f"`{literal(typed)}`{what} doesn't exist in {zone}: the clocks "
            f"skip it that night (daylight saving). Pick another time, like {after}.",
            field="when",
        )
    if first.utcoffset() != second.utcoffset():
        options = " or ".join(
            f"{wall} {moment.tzname()} (UTC{offset(moment)})" for moment in (first, second)
        )
        raise UserError(
            f"`{literal(typed)}` happens twice in {zone}: the clocks go back that night, so it "
            f"could be {options}. Say which with the offset, like "
            f'`when="{wall} {offset(first)}"`, or pick another time.',
            field="when",
        )
    return first.astimezone(UTC)


def offset(moment: datetime) -> str:
    minutes = int((moment.utcoffset() or timedelta()).total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def parse_when(text: str, zone: str, now: datetime) -> tuple[datetime, str]:
    """When an event starts, as a UTC moment, read in `zone` unless the text names one (then
    that one is returned with it)."""
    typed = " ".join(text.split())
    body, zone = split_zone(typed, zone)
    explicit = OFFSET_RE.match(body)
    if explicit:
        day, clock, utc = explicit.groups()
        try:
            moment = datetime.fromisoformat(f"{day}T{clock.zfill(5)}{utc.replace('Z', '+00:00')}")
        except ValueError:
            raise UserError(
                f"`{literal(typed)}` isn't a date and time I can read. Try {EXAMPLES}.",
                field="when",
            ) from None
        return check_future(moment.astimezone(UTC), typed, zone, now), zone
    naive = strict(body)
    if naive is None:
        impossible_parts(body)
        ambiguous_date(body)
        found = plain_language(body, zone, now)
        if found.tzinfo is not None:  # it carried `UTC` or an offset of its own
            return check_future(found.astimezone(UTC), typed, zone, now), zone
        naive = found
    return check_future(local_moment(naive, zone, typed), typed, zone, now), zone


def strict(text: str) -> datetime | None:
    for pattern in STRICT:
        try:
            return datetime.strptime(text, pattern)  # noqa: DTZ007 - the zone is applied next
        except ValueError:
            continue
    return None


def check_future(moment: datetime, typed: str, zone: str, now: datetime) -> datetime:
    if moment <= now:
        raise UserError(
            f"I read `{literal(typed)}` as {shown(moment, zone)}, which has already passed. "
            f"Give a time in the future, like {EXAMPLES}.",
            field="when",
        )
    if moment - now > FURTHEST:
        raise UserError(
            f"I read `{literal(typed)}` as {shown(moment, zone)}: events can be planned up to "
            "two years ahead.",
            field="when",
        )
    return moment


def parse_until(text: str, zone: str, now: datetime) -> date:
    """The last day a series may fall on: `2026-06-30`, or plain words like `30 june`."""
    typed = text.strip()
    try:
        return date.fromisoformat(typed)
    except ValueError:
        pass
    impossible_parts(typed, "until")
    ambiguous_date(typed)
    import dateparser  # imported on first use, as in `plain_language`

    base = now.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    settings: Any = {"RELATIVE_BASE": base, "PREFER_DATES_FROM": "future"}
    found: datetime | None = dateparser.parse(typed, languages=["en"], settings=settings)
    if found is None:
        raise UserError(
            f"`until` is the last day of the series, like `until=2026-06-30`, "
            f"not `{literal(typed)}`.",
            field="until",
        )
    return found.date()
