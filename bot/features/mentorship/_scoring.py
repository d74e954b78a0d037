"""How well a mentor fits a mentee, in points out of 100, with the reason in words.

Specialty (30), leadership areas against the mentee's goals (15 each, two at most), career
stage gap with the mentor further along (up to 20), time-zone overlap (up to 15) and spare
capacity (up to 5). The same tables feed the database query (`query`) that ranks thousands of
mentors, and `explain`, which scores the few it returns and says why.
"""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache, lru_cache

from bot.domain import STAGES, Member, Profile
from bot.features.mentorship.model import Candidate, MatchQuery
from bot.messages import literal

SPECIALTY_POINTS = 30
AREA_POINTS = (0, 15, 30)  # by shared areas; two or more count as two
STAGE_POINTS = {1: 10, 2: 20, 3: 15, 4: 10}  # by stages the mentor is ahead
ZONE_POINTS = ((1.0, 15), (3.0, 10), (6.0, 5))  # at most so many hours apart -> points
SPARE_POINTS = (0, 2, 4, 5)  # by spare places; three or more count as three
MAX_PHRASE_WORDS = 4
SPLIT_RE = re.compile(r"[\s,;]+")
EDGE = ".:!?()\"'“”‘’"


@dataclass(frozen=True)
class Match:
    member: Member
    score: int
    reasons: tuple[str, ...]

    @property
    def reason(self) -> str:
        return "; ".join(self.reasons) or "has room for a new mentee"


def phrases(goals: str) -> frozenset[str]:
    """Every run of one to four words in the goals (lowercased), plus each comma-separated
    goal whole: a mentor's area is shared when it is one of them."""
    text = goals.lower()
    items = {item.strip(EDGE + " ") for item in re.split(r"[,;\n]", text)}
    words = [w.strip(EDGE) for w in SPLIT_RE.split(text)]
    words = [w for w in words if w]
    found = {item for item in items if item}
    for size in range(1, MAX_PHRASE_WORDS + 1):
        for start in range(len(words) - size + 1):
            found.add(" ".join(words[start : start + size]))
    return frozenset(p[:40] for p in found)


def stage_rank(stage: str | None) -> int | None:
    return STAGES.index(stage) if stage in STAGES else None


def stage_gap(mentee: Profile, mentor: Profile) -> int | None:
    ahead, behind = stage_rank(mentor.stage), stage_rank(mentee.stage)
    return None if ahead is None or behind is None else ahead - behind


@cache
def _zone(name: str) -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(name)


def offset_hours(zone: str, at: datetime) -> float:
    offset = at.astimezone(_zone(zone)).utcoffset() or timedelta()
    return offset.total_seconds() / 3600


def hours_apart(a: str, b: str, at: datetime) -> float:
    """Hours between two clocks (UTC+14 and UTC-11 are an hour apart, a day away)."""
    apart = abs(offset_hours(a, at) - offset_hours(b, at)) % 24
    return min(apart, 24 - apart)


def zone_points(apart: float) -> int:
    return next((points for limit, points in ZONE_POINTS if apart <= limit), 0)


def spare_points(spare: int) -> int:
    return SPARE_POINTS[min(spare, len(SPARE_POINTS) - 1)]


@cache
def _zones() -> tuple[str, ...]:
    return tuple(sorted(zoneinfo.available_timezones() | {"UTC"}))


@lru_cache(maxsize=4)
def _offsets(hour: datetime) -> dict[str, float]:
    """Every zone's UTC offset in that hour (offsets change only on the hour)."""
    return {name: offset_hours(name, hour) for name in _zones()}


@lru_cache(maxsize=512)
def _zone_groups(zone: str, hour: datetime) -> tuple[tuple[int, tuple[str, ...]], ...]:
    offsets = _offsets(hour)
    here = offsets.get(zone, offset_hours(zone, hour))
    groups: dict[int, list[str]] = {}
    for other, offset in offsets.items():
        apart = abs(here - offset) % 24
        points = zone_points(min(apart, 24 - apart))
        if points:
            groups.setdefault(points, []).append(other)
    return tuple((points, tuple(names)) for points, names in sorted(groups.items()))


def zone_groups(zone: str | None, at: datetime) -> tuple[tuple[int, tuple[str, ...]], ...]:
    """Every time zone grouped by the points it scores against `zone` in the hour of `at`
    (worked out once an hour: ranking a request must not walk the time zone database)."""
    if not zone:
        return ()
    return _zone_groups(zone, at.replace(minute=0, second=0, microsecond=0))


def key(text: str | None) -> str | None:
    return text.strip().lower() or None if text else None


def query(
    mentee: Member,
    goals: str,
    now: datetime,
    *,
    outside: bool,
    request_id: int | None = None,
    limit: int = 10,
) -> MatchQuery:
    """The database's half of the ranking, from the same tables `explain` uses."""
    profile = mentee.profile
    behind = stage_rank(profile.stage)
    stage_table: dict[str, int] = {}
    if behind is not None:
        for rank, stage in enumerate(STAGES):
            points = STAGE_POINTS.get(rank - behind, 0)
            if points:
                stage_table[stage] = points
    return MatchQuery(
        mentee_id=mentee.id,
        now=now,
        specialty=key(profile.specialty),
        specialty_points=SPECIALTY_POINTS,
        stage_points=stage_table,
        areas=tuple(sorted(phrases(goals))),
        area_points=AREA_POINTS,
        zone_points=zone_groups(profile.timezone, now),
        spare_points=SPARE_POINTS,
        institution=key(profile.institution) if outside else None,
        request_id=request_id,
        limit=limit,
    )


def ceiling_elsewhere(wanted: MatchQuery, *, areas: int | None = None) -> int:
    """The most a mentor outside the mentee's specialty can score for this query (sharing at
    most `areas` of the areas, when given)."""
    most = len(wanted.area_points) - 1 if areas is None else areas
    shared = wanted.area_points[min(most, len(wanted.area_points) - 1)] if wanted.areas else 0
    stage = max(wanted.stage_points.values(), default=0)
    zone = max((points for points, _ in wanted.zone_points), default=0)
    return shared + stage + zone + max(wanted.spare_points)


def areas_of(mentor: Member, candidate: Candidate) -> tuple[str, ...]:
    """The mentor's leadership areas: offered ones, else their profile's interests and goals
    (each once, as they typed it)."""
    if candidate.areas is not None:
        return candidate.areas
    profile = mentor.profile
    found: dict[str, str] = {}
    for item in (*profile.interests, *profile.goals):
        found.setdefault(item.lower()[:40], item)
    return tuple(found.values())


def explain(
    mentee: Member, goals: str, mentor: Member, candidate: Candidate, now: datetime
) -> Match:
    """One mentor's score and the reason, in the order the points weigh."""
    me, them = mentee.profile, mentor.profile
    score, reasons = 0, []
    if key(me.specialty) and key(me.specialty) == key(them.specialty):
        score += SPECIALTY_POINTS
        reasons.append(f"specialty match: {literal((them.specialty or '').strip())}")
    gap = stage_gap(me, them)
    if gap is not None and STAGE_POINTS.get(gap):
        score += STAGE_POINTS[gap]
        reasons.append(f"{gap} career stage{'s' if gap > 1 else ''} ahead")
    wanted = phrases(goals)
    shared = [area for area in areas_of(mentor, candidate) if area.lower()[:40] in wanted]
    if shared:
        score += AREA_POINTS[min(len(shared), len(AREA_POINTS) - 1)]
        reasons.append("shares " + " and ".join(f"'{literal(a)}'" for a in shared[:3]))
    if me.timezone and them.timezone:  # on the hour, as the ranking query counts it
        apart = hours_apart(me.timezone, them.timezone, now.replace(minute=0, second=0))
        score += zone_points(apart)
        reasons.append("same time zone" if apart == 0 else f"{apart:g} h time difference")
    score += spare_points(candidate.spare)
    return Match(mentor, score, tuple(reasons))


def rank(matches: list[Match], count: int = 3) -> list[Match]:
    """Best first; equal scores in the order the members joined (a stable, fair tie-break)."""
    return sorted(matches, key=lambda m: (-m.score, m.member.id))[:count]
