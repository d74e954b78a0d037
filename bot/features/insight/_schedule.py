"""When the weekly digest is due: `digest.day` at `digest.time` in the community's time zone
(`community.timezone`), Monday 08:00 unless managers change it; `digest.day=off` stops it."""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE

DAY, TIME = "digest.day", "digest.time"
DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
OFF = "off"
DEFAULT_DAY, DEFAULT_TIME = "monday", "08:00"
TIME_RULE = "a time of day on the 24-hour clock, like 08:00"
TIME_RE = re.compile(r"^(\d{1,2}):(\d{2})$")
WEEK = timedelta(weeks=1)


def clock_time(value: Any) -> str:
    """`digest.time`'s conversion: 8:00 and 08:00 are both 08:00; 25:00 is refused."""
    match = TIME_RE.match(str(value).strip())
    if match is None:
        raise ValueError("not HH:MM")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ValueError("not a time of day")
    return f"{hour:02}:{minute:02}"


def when(settings: Mapping[str, str]) -> tuple[int, time, zoneinfo.ZoneInfo] | None:
    """The digest's weekday (0 = Monday), time and zone; None when managers turned it off."""
    day = settings.get(DAY, DEFAULT_DAY)
    if day not in DAYS:
        return None
    try:
        at = time.fromisoformat(clock_time(settings.get(TIME, DEFAULT_TIME)))
    except ValueError:
        at = time.fromisoformat(DEFAULT_TIME)
    zone = zoneinfo.ZoneInfo(settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE)
    return DAYS.index(day), at, zone


def latest(now: datetime, settings: Mapping[str, str]) -> datetime | None:
    """The most recent scheduled digest moment at or before `now` (UTC)."""
    found = when(settings)
    if found is None:
        return None
    weekday, at, zone = found
    here = now.astimezone(zone)
    day = here.date() - timedelta(days=(here.weekday() - weekday) % 7)
    moment = datetime.combine(day, at, tzinfo=zone)
    if moment > here:
        moment = datetime.combine(day - WEEK, at, tzinfo=zone)
    return moment.astimezone(UTC)


def following(moment: datetime, settings: Mapping[str, str]) -> datetime:
    """The scheduled moment a week after `moment`, at the same local time (across DST)."""
    found = when(settings)
    assert found is not None
    _, at, zone = found
    day = moment.astimezone(zone).date() + WEEK
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)
