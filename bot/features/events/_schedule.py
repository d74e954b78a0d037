"""When things happen: a series' occurrences (dateutil's `rrule`, the calendar's own rules, so
the `.ics` and the stored occurrences agree), when each card goes up, and when each member's
reminders go (moved before their quiet hours, never after the start)."""

from __future__ import annotations

import calendar
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from dateutil import rrule

from bot.domain import Profile
from bot.errors import UserError
from bot.features.events.model import Repeat
from bot.localtime import DEFAULT_QUIET, zone_of
from bot.options import parse_duration

MAX_OCCURRENCES = 52
LONGEST_SERIES = timedelta(days=366)
DEFAULT_REMIND = "24h,1h"
REMIND_RULE = "one to three lengths of time before the start, from 5m to 7d"
SHORTEST_OFFSET, LONGEST_OFFSET = timedelta(minutes=5), timedelta(days=7)
PLAN_AHEAD = timedelta(days=1)
"""Reminders are planned this long before the earliest could be due (a quiet-hours move can
bring one forward by up to a day), so they sit in the outbox before their moment and a restart
finds them there."""
QUIET_MARGIN = timedelta(minutes=5)
"""A reminder moved out of quiet hours goes this long before they begin, so a dispatcher a
little late (it ticks every 20 s) still sends it before the quiet hours start."""
FREQUENCIES: dict[Repeat, tuple[Any, int]] = {
    Repeat.WEEKLY: (rrule.WEEKLY, 1),
    Repeat.BIWEEKLY: (rrule.WEEKLY, 2),
    Repeat.MONTHLY: (rrule.MONTHLY, 1),
}


def rule_for(repeat: Repeat, starts_at: datetime, zone: str, until: date) -> rrule.rrule:
    """The series' rule on wall-clock times in its zone (18:00 stays 18:00 across DST)."""
    freq, interval = FREQUENCIES[repeat]
    local = starts_at.astimezone(zoneinfo.ZoneInfo(zone)).replace(tzinfo=None)
    last = datetime.combine(until, time(23, 59, 59))  # wall clock, like `local`
    return rrule.rrule(freq, interval=interval, dtstart=local, until=last)


def until_utc(until: date, zone: str) -> datetime:
    """The end of the series' last day, in UTC (how RFC 5545 wants UNTIL with a TZID)."""
    last = datetime.combine(until, time(23, 59, 59), tzinfo=zoneinfo.ZoneInfo(zone))
    return last.astimezone(UTC)


def at_wall_clock(local: datetime, zone: str) -> datetime:
    """A wall-clock time as UTC the way calendars resolve it: a time the clocks skip takes the
    offset before the change, a repeated one its first occurrence (RFC 5545, 3.3.5)."""
    return local.replace(tzinfo=zoneinfo.ZoneInfo(zone), fold=0).astimezone(UTC)


def occurrences(
    starts_at: datetime, zone: str, repeat: Repeat | None, until: date | None
) -> list[datetime]:
    """Every start of an event: one, or each of a series up to `until` (inclusive)."""
    if repeat is None or until is None:
        return [starts_at]
    local_start = starts_at.astimezone(zoneinfo.ZoneInfo(zone))
    if until < local_start.date():
        raise UserError(
            f"`until` ({until:%Y-%m-%d}) is before the first occurrence "
            f"({local_start:%Y-%m-%d}). Give the last day the series runs to.",
            field="until",
        )
    if until - local_start.date() > LONGEST_SERIES:
        raise UserError(
            "A series can run for up to a year: pick an `until` within a year of the start.",
            field="until",
        )
    moments = [at_wall_clock(s, zone) for s in rule_for(repeat, starts_at, zone, until)]
    if len(moments) > MAX_OCCURRENCES:
        raise UserError(
            f"That makes {len(moments)} occurrences; a series has at most {MAX_OCCURRENCES}. "
            "Pick an earlier `until`.",
            field="until",
        )
    return moments


def series_notes(
    starts_at: datetime,
    zone: str,
    repeat: Repeat | None,
    until: date | None,
    starts: list[datetime],
) -> list[str]:
    """What a series does that its creator might not expect, said when it is made: months a
    monthly series skips (no 31st in April: calendars skip them too, RFC 5545), and sessions
    whose wall-clock time the clocks skip that day (they start an hour later)."""
    if repeat is None or until is None or len(starts) < 2:
        return []
    tz = zoneinfo.ZoneInfo(zone)
    wall = starts_at.astimezone(tz)
    notes: list[str] = []
    if repeat is Repeat.MONTHLY and wall.day > 28:
        skipped = []
        year, month = wall.year, wall.month
        while True:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            if date(year, month, 1) > until:
                break
            last = calendar.monthrange(year, month)[1]
            if wall.day > last and date(year, month, last) <= until:
                skipped.append(date(year, month, 1))
        if skipped:
            months = ", ".join(f"{m:%b %Y}" for m in skipped)
            notes.append(
                f"There's no {ordinal(wall.day)} in {months}: no session then (calendars skip "
                "those months too). For the last day of every month, make one event a month."
            )
    for start in starts:
        local = start.astimezone(tz)
        if (local.hour, local.minute) != (wall.hour, wall.minute):
            notes.append(
                f"On {local:%a %d %b %Y} the clocks skip {wall:%H:%M} in {zone}: that session "
                f"starts at {local:%H:%M}."
            )
    return notes


def ordinal(day: int) -> str:
    suffix = "th" if 10 <= day % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def announce_times(starts: list[datetime], now: datetime) -> list[datetime]:
    """The first card goes up now; each later one when the occurrence before it starts, so
    the events channel shows the next session, not a season of cards at once."""
    return [now] + [max(now, previous) for previous in starts[:-1]]


def parse_offsets(text: str) -> tuple[int, ...]:
    """`24h,1h` as minutes before the start, largest first. `ValueError` when not usable."""
    parts = [part for part in str(text).replace(" ", "").split(",") if part]
    offsets = set()
    for part in parts:
        value = parse_duration(part)
        if value is None or not SHORTEST_OFFSET <= value <= LONGEST_OFFSET:
            raise ValueError(part)
        offsets.add(int(value.total_seconds() // 60))
    if not 1 <= len(offsets) <= 3:
        raise ValueError(text)
    return tuple(sorted(offsets, reverse=True))


def format_offsets(offsets: tuple[int, ...]) -> str:
    return ",".join(f"{m // 60}h" if m % 60 == 0 else f"{m}m" for m in offsets)


def remind_setting(value: Any) -> str:
    """The `events.remind` setting, checked and written back as `24h,1h`."""
    return format_offsets(parse_offsets(str(value)))


def offsets_of(settings: Mapping[str, str]) -> tuple[int, ...]:
    try:
        return parse_offsets(settings.get("events.remind", DEFAULT_REMIND))
    except ValueError:
        return parse_offsets(DEFAULT_REMIND)


def planning_lead(offsets: tuple[int, ...]) -> timedelta:
    """How long before an occurrence starts its reminders are planned."""
    return timedelta(minutes=max(offsets)) + PLAN_AHEAD


def before_quiet(at: datetime, profile: Profile, *, fallback: str) -> datetime:
    """`at`, or when it falls in the member's quiet hours, just before those hours begin."""
    quiet = profile.quiet_hours or DEFAULT_QUIET
    zone = zone_of(profile, fallback=fallback)
    here = at.astimezone(zone)
    if not quiet.contains(here.time()):
        return at
    began = datetime.combine(here.date(), quiet.start, tzinfo=zone)
    if began > here:  # the window started the evening before
        began = datetime.combine(here.date() - timedelta(days=1), quiet.start, tzinfo=zone)
    return began.astimezone(UTC) - QUIET_MARGIN


@dataclass(frozen=True)
class Planned:
    """One reminder for one member: when it goes, and when a later one makes it pointless."""

    offset: int
    due_at: datetime
    expires_at: datetime


def member_reminders(
    starts_at: datetime,
    offsets: tuple[int, ...],
    profile: Profile,
    *,
    since: datetime,
    now: datetime,
    fallback: str,
) -> list[Planned]:
    """A member's reminders for one occurrence. A moment already past when they answered
    (or when the time was set) is skipped; one that falls in their quiet hours goes just
    before those begin; each expires when the next one is due (after downtime only the
    latest goes) and the last at the start. None is due at or after the start."""
    chosen: list[tuple[int, datetime]] = []
    for offset in offsets:  # largest first: the earliest reminder first
        moment = starts_at - timedelta(minutes=offset)
        if moment < since:
            continue
        due = max(before_quiet(moment, profile, fallback=fallback), now)
        if due >= starts_at:
            continue
        if chosen and due <= chosen[-1][1]:
            chosen.pop()  # a later reminder due as soon: that one alone goes
        chosen.append((offset, due))
    planned = []
    for index, (offset, due) in enumerate(chosen):
        expires = chosen[index + 1][1] if index + 1 < len(chosen) else starts_at
        planned.append(Planned(offset, due, expires))
    return planned
