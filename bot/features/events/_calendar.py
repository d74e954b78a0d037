"""Calendar files (RFC 5545, written by `icalendar`): a series is one event with its recurrence
rule, exceptions for occurrences edited on their own, EXDATEs for cancelled ones. UIDs are
stable, SEQUENCE grows with every change, and nobody's answers are ever in it."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.domain import Space
from bot.features.events._schedule import until_utc
from bot.features.events.model import Occurrence, Repeat, Series

if TYPE_CHECKING:
    import icalendar

PRODID = "-//Rounds//Community events//EN"
ZONE_MARGIN = timedelta(days=366)
RULES = {
    Repeat.WEEKLY: ("WEEKLY", 1),
    Repeat.BIWEEKLY: ("WEEKLY", 2),
    Repeat.MONTHLY: ("MONTHLY", 1),
}
"""The same recurrences as `_schedule.FREQUENCIES`, as RFC 5545 names them."""


def uid(space: Space, series: Series) -> str:
    """The same for the life of the event, in every file and feed, and in no other community."""
    return f"rounds-{space.key.platform}-{space.key.external_id}-event-{series.id}@rounds"


def _local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(zoneinfo.ZoneInfo(zone))


def _describe(occurrence: Occurrence) -> str:
    note = f"Event {occurrence.number}: answer Going, Maybe or Can't go in the community."
    text = occurrence.details.description.strip()
    return f"{text}\n\n{note}" if text else note


def _vevent(space: Space, series: Series, occurrence: Occurrence, now: datetime) -> icalendar.Event:
    import icalendar  # imported on first use, like dateparser: start-up stays fast

    details = occurrence.details
    event = icalendar.Event()
    event.add("uid", uid(space, series))
    event.add("dtstamp", now)
    event.add("created", series.created_at)
    event.add("summary", details.title)
    event.add("description", _describe(occurrence))
    event.add("location", details.link or "Online")
    if details.link:
        event.add("url", details.link)
    event.add("categories", [details.kind.value])
    event.add("transp", "OPAQUE")
    return event


def _timed(event: icalendar.Event, start: datetime, duration: timedelta, zone: str) -> None:
    event.add("dtstart", _local(start, zone))
    event.add("dtend", _local(start + duration, zone))


def series_events(
    space: Space, series: Series, occurrences: Sequence[Occurrence], now: datetime
) -> list[icalendar.Event]:
    """The VEVENTs of one series (one for a one-off event)."""
    if not occurrences:
        return []
    zone = series.zone
    if series.repeat is None or series.until is None:
        [only] = occurrences[:1]
        event = _vevent(space, series, only, now)
        _timed(event, only.starts_at, only.details.duration, zone)
        event.add("sequence", max(series.sequence, only.sequence))
        event.add("status", "CANCELLED" if only.cancelled else "CONFIRMED")
        return [event]
    first = occurrences[0]
    main = _vevent(space, series, replace_details(first, series), now)
    _timed(main, series.starts_at, series.details.duration, zone)
    freq, interval = RULES[series.repeat]
    rule: dict[str, object] = {"freq": freq, "until": until_utc(series.until, zone)}
    if interval > 1:
        rule["interval"] = interval
    main.add("rrule", rule)
    cancelled = [o for o in occurrences if o.cancelled]
    if cancelled:
        main.add("exdate", [_local(o.slot_at, zone) for o in cancelled])
    everything_cancelled = len(cancelled) == len(occurrences)
    main.add("sequence", series.sequence)
    main.add("status", "CANCELLED" if everything_cancelled else "CONFIRMED")
    events = [main]
    for occurrence in occurrences:
        if occurrence.cancelled or not occurrence.edited:
            continue
        exception = _vevent(space, series, occurrence, now)
        exception.add("recurrence-id", _local(occurrence.slot_at, zone))
        _timed(exception, occurrence.starts_at, occurrence.details.duration, zone)
        exception.add("sequence", occurrence.sequence)
        exception.add("status", "CONFIRMED")
        events.append(exception)
    return events


def replace_details(occurrence: Occurrence, series: Series) -> Occurrence:
    """The series' own details on its first occurrence (the main entry shows the series)."""
    return replace(occurrence, details=series.details)


def calendar_file(
    space: Space,
    entries: Sequence[tuple[Series, Sequence[Occurrence]]],
    now: datetime,
    *,
    name: str | None = None,
) -> bytes:
    """An `.ics` with these series; `name` makes it a named, subscribable calendar."""
    import icalendar  # imported on first use: it takes a while to load

    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if name:
        calendar.add("name", name)
        calendar.add("x-wr-calname", name)
        calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
        calendar.add("x-published-ttl", "PT1H")
    else:
        calendar.add("method", "PUBLISH")
    moments: list[datetime] = []
    for series, occurrences in entries:
        for event in series_events(space, series, occurrences, now):
            calendar.add_component(event)
        moments += [o.starts_at for o in occurrences] + [series.starts_at]
    if moments:
        calendar.add_missing_timezones(
            first_date=(min(moments) - ZONE_MARGIN).date(),
            last_date=(max(moments) + ZONE_MARGIN).date(),
        )
    return bytes(calendar.to_ical())
