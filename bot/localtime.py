"""Member-local time: the one place where the core leaves UTC, for quiet hours and nice hours."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime, time, timedelta

from bot.domain import Profile, QuietHours
from bot.errors import UserError

DEFAULT_QUIET = QuietHours(time(21, 0), time(8, 0))


def zone_of(profile: Profile) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(profile.timezone or "UTC")


def local(at: datetime, profile: Profile) -> datetime:
    return at.astimezone(zone_of(profile))


QUIET_RE = re.compile(r"^\s*(\d{1,2}:\d{2})\s*-\s*(\d{1,2}:\d{2})\s*$")


def parse_quiet_hours(text: str) -> QuietHours:
    """`22:00-07:00` (either order; a window may cross midnight)."""
    match = QUIET_RE.match(text)
    try:
        if match is None:
            raise ValueError(text)
        start, end = (time.fromisoformat(part.zfill(5)) for part in match.groups())
    except ValueError:
        raise UserError(
            f"`quiet` is a window like 22:00-07:00 (24-hour clock), not `{text}`.", field="quiet"
        ) from None
    if start == end:
        raise UserError(
            "`quiet` needs a start and an end that differ, like 22:00-07:00.", field="quiet"
        )
    return QuietHours(start, end)


def next_allowed(at: datetime, profile: Profile, default: QuietHours = DEFAULT_QUIET) -> datetime:
    """`at`, or the end of the member's quiet hours when `at` falls inside them."""
    quiet = profile.quiet_hours or default
    zone = zone_of(profile)
    here = at.astimezone(zone)
    if not quiet.contains(here.time()):
        return at
    end = datetime.combine(here.date(), quiet.end, tzinfo=zone)
    if end <= here:
        end = datetime.combine(here.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    return end.astimezone(UTC)


def next_local(after: datetime, profile: Profile, at: time, weekday: int | None = None) -> datetime:
    """The first moment after `after` that is `at` o'clock (on `weekday`, 0 = Monday) locally."""
    zone = zone_of(profile)
    here = after.astimezone(zone)
    day = here.date()
    for offset in range(0, 8):
        candidate_day = day + timedelta(days=offset)
        if weekday is not None and candidate_day.weekday() != weekday:
            continue
        candidate = datetime.combine(candidate_day, at, tzinfo=zone)
        if candidate > here:
            return candidate.astimezone(UTC)
    raise AssertionError("a matching day exists within a week")
