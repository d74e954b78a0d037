"""Member-local time: the one place where the core leaves UTC, for quiet hours and nice hours.

A member with no time zone of their own is taken to live in the community's (`fallback`).
"""

from __future__ import annotations

import re
import zoneinfo
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta

from bot.domain import Profile, QuietHours
from bot.errors import UserError

DEFAULT_QUIET = QuietHours(time(21, 0), time(8, 0))
DEFAULT_ZONE = "UTC"
"""The community's time zone until a manager sets `community.timezone`."""
COMMUNITY_ZONE = "community.timezone"
"""The setting that names the community's time zone (declared by the welcome feature)."""


def zone_of(profile: Profile, *, fallback: str = DEFAULT_ZONE) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(profile.timezone or fallback)


def local(at: datetime, profile: Profile, *, fallback: str = DEFAULT_ZONE) -> datetime:
    return at.astimezone(zone_of(profile, fallback=fallback))


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


def is_quiet(
    at: datetime,
    profile: Profile,
    default: QuietHours = DEFAULT_QUIET,
    *,
    fallback: str = DEFAULT_ZONE,
) -> bool:
    quiet = profile.quiet_hours or default
    return quiet.contains(local(at, profile, fallback=fallback).time())


def next_allowed(
    at: datetime,
    profile: Profile,
    default: QuietHours = DEFAULT_QUIET,
    *,
    fallback: str = DEFAULT_ZONE,
) -> datetime:
    """`at`, or the end of the member's quiet hours when `at` falls inside them."""
    quiet = profile.quiet_hours or default
    zone = zone_of(profile, fallback=fallback)
    here = at.astimezone(zone)
    if not quiet.contains(here.time()):
        return at
    end = datetime.combine(here.date(), quiet.end, tzinfo=zone)
    if end <= here:
        end = datetime.combine(here.date() + timedelta(days=1), quiet.end, tzinfo=zone)
    return end.astimezone(UTC)


def first_free(
    at: datetime,
    profiles: Sequence[Profile],
    default: QuietHours = DEFAULT_QUIET,
    *,
    fallback: str = DEFAULT_ZONE,
) -> datetime:
    """The first moment from `at` outside every member's quiet hours (a group message).

    Such a moment is `at` or the end of someone's quiet hours, so only those are tried, over
    the next two days. When the members' quiet hours leave no common moment (opposite time
    zones, long windows), it is the earliest moment when the fewest of them are quiet.
    """
    candidates = {at}
    for profile in profiles:
        quiet = profile.quiet_hours or default
        zone = zone_of(profile, fallback=fallback)
        day = at.astimezone(zone).date()
        for offset in range(0, 3):
            end = datetime.combine(day + timedelta(days=offset), quiet.end, tzinfo=zone)
            if at < end <= at + timedelta(days=2):
                candidates.add(end.astimezone(UTC))
    best: tuple[int, datetime] | None = None
    for moment in sorted(candidates):
        quiet_now = sum(is_quiet(moment, p, default, fallback=fallback) for p in profiles)
        if quiet_now == 0:
            return moment
        if best is None or quiet_now < best[0]:
            best = (quiet_now, moment)
    assert best is not None  # `at` is always a candidate
    return best[1]


def next_local(
    after: datetime,
    profile: Profile,
    at: time,
    weekday: int | None = None,
    *,
    fallback: str = DEFAULT_ZONE,
) -> datetime:
    """The first moment after `after` that is `at` o'clock (on `weekday`, 0 = Monday) locally."""
    zone = zone_of(profile, fallback=fallback)
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
