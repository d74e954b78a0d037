"""When networking rounds happen: the cadence, the next round, and each member's local Monday.

Rounds start on Mondays (every `network.every` weeks). Pairing runs early enough that each
introduction arrives at 10:00 on Monday in the member's own time zone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from bot.domain import Member
from bot.features.network._pairing import Candidate
from bot.features.network.model import RoundInfo
from bot.localtime import DEFAULT_ZONE, local, next_allowed, next_local
from bot.options import parse_duration

LEAD = timedelta(hours=14)  # pair early enough for Monday 10:00 everywhere on Earth
FIRST_ROUND_GRACE = timedelta(hours=6)
DEFAULT_EVERY = "2w"
INTRO_HOUR = time(10, 0)


EVERY_RULE = "a whole number of weeks from 1w to 8w (rounds start on Mondays)"


def weeks_only(value: Any) -> timedelta:
    week = timedelta(weeks=1)
    if not isinstance(value, timedelta) or value % week or not week <= value <= 8 * week:
        raise ValueError("not 1 to 8 whole weeks")
    return value


def cadence(settings: Mapping[str, str]) -> timedelta:
    return parse_duration(settings.get("network.every", DEFAULT_EVERY)) or timedelta(weeks=2)


@dataclass(frozen=True)
class NextRound:
    number: int
    starts_at: datetime  # a Monday, 00:00 UTC

    @property
    def pair_at(self) -> datetime:
        return self.starts_at - LEAD


def monday_on_or_after(moment: datetime) -> datetime:
    day = moment.astimezone(UTC).date()
    if datetime.combine(day, time(0), tzinfo=UTC) < moment:
        day += timedelta(days=1)
    return datetime.combine(day + timedelta(days=-day.weekday() % 7), time(0), tzinfo=UTC)


def next_round(now: datetime, every: timedelta, latest: RoundInfo | None) -> NextRound:
    """The round that will be paired next: the first on the coming Monday, then each one
    where the last one ends (so a change of cadence takes effect from the next round).
    Rounds that passed entirely while the bot was down are skipped; the current one still
    runs, late but once."""
    if latest is None:
        return NextRound(1, monday_on_or_after(now + LEAD - FIRST_ROUND_GRACE))
    start = latest.ends_at
    while start + every <= now + LEAD:
        start += every
    return NextRound(latest.number + 1, start)


def local_monday(start: datetime, member: Member, *, fallback: str = DEFAULT_ZONE) -> datetime:
    """10:00 on the round's Monday where the member lives (outside their quiet hours)."""
    monday = next_local(start - LEAD, member.profile, INTRO_HOUR, weekday=0, fallback=fallback)
    return next_allowed(monday, member.profile, fallback=fallback)


def common_moment(at: datetime, group: list[Member], *, fallback: str = DEFAULT_ZONE) -> datetime:
    """The first moment from `at` outside every member's quiet hours (or `at` itself when
    their quiet hours leave no common window)."""
    moment_ = at
    for _ in range(len(group) * 3):
        later = max(next_allowed(moment_, m.profile, fallback=fallback) for m in group)
        if later == moment_:
            return moment_
        moment_ = later
    return at


def utc_offset(member: Member, at: datetime, *, fallback: str = DEFAULT_ZONE) -> float:
    offset = local(at, member.profile, fallback=fallback).utcoffset() or timedelta()
    return offset.total_seconds() / 3600


def candidate(member: Member, at: datetime, *, fallback: str = DEFAULT_ZONE) -> Candidate:
    p = member.profile
    return Candidate(
        member.id,
        (p.institution or "").strip().lower() or None,
        frozenset(x.lower() for x in (*p.interests, *p.goals)),
        utc_offset(member, at, fallback=fallback),
    )
