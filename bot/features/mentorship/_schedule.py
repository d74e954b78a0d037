"""Mentorship's clock: cadences, the answer window, the check-in ladder's intervals, good local
hours for nudges, and the outbox keys (from internal ids) that make every message single."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from bot.domain import Profile
from bot.errors import UserError
from bot.features.mentorship.model import Ladder, Pair, Step
from bot.localtime import DEFAULT_ZONE, local, next_allowed, next_local
from bot.options import parse_duration

DEFAULT_EVERY = "2w"
MIN_EVERY, MAX_EVERY = timedelta(weeks=1), timedelta(weeks=12)
ANSWER_WINDOW = timedelta(days=3)  # a mentor's time to accept or decline
SECOND_NUDGE_AFTER = timedelta(days=3)
ESCALATE_AFTER = timedelta(days=7)  # after the second nudge, managers hear
SNOOZE = timedelta(hours=24)  # "post-call": the same nudge a day later
HELP_GRACE = timedelta(days=7)  # after "Need help", managers have a week before the next nudge
DAY_STARTS, DAY_ENDS, NUDGE_HOUR = time(9, 0), time(18, 0), time(10, 0)
MAX_PAUSE = timedelta(days=366)


EVERY_RULE = "whole days or weeks from 1w to 12w"


def cadence_only(value: Any) -> timedelta:
    """How often a pair checks in; refused (ValueError) outside EVERY_RULE."""
    every = value if isinstance(value, timedelta) else timedelta()
    if not MIN_EVERY <= every <= MAX_EVERY or every % timedelta(days=1):
        raise ValueError("not whole days from 1w to 12w")
    return every


def community_every(settings: Mapping[str, str]) -> timedelta:
    return parse_duration(settings.get("mentorship.every", DEFAULT_EVERY)) or timedelta(weeks=2)


def every_of(pair: Pair, settings: Mapping[str, str]) -> timedelta:
    return pair.every or community_every(settings)


def nudge_moment(at: datetime, profile: Profile, zone: str = DEFAULT_ZONE) -> datetime:
    """`at` when it is daytime for the member, else their next 10:00; never in quiet hours.
    A member without a time zone lives in the community's (`zone`)."""
    here = local(at, profile, fallback=zone).time()
    if DAY_STARTS <= here < DAY_ENDS:
        moment = at
    else:
        moment = next_local(at, profile, NUDGE_HOUR, fallback=zone)
    return next_allowed(moment, profile, fallback=zone)


def waiting(due_at: datetime) -> Ladder:
    """A pair whose next check-in falls due at `due_at` (nothing sent yet)."""
    return Ladder(due_at, Step.WAITING, due_at)


def stamp(at: datetime) -> int:
    return int(at.timestamp())


# -- outbox keys ------------------------------------------------------------------------------
def nudge_key(pair_id: int, due_at: datetime, step: Step, member_id: int) -> str:
    """One nudge per due date, step and member: planning it twice is harmless."""
    return f"mentorship:{pair_id}:{stamp(due_at)}:nudge{int(step)}:{member_id}"


def snoozed_key(pair_id: int, due_at: datetime, again_at: datetime, member_id: int) -> str:
    """The nudge a mentor snoozed, sent again: once per snooze."""
    return f"mentorship:{pair_id}:{stamp(due_at)}:snoozed{stamp(again_at)}:{member_id}"


def silent_key(pair_id: int, due_at: datetime) -> str:
    """The managers' card for a pair silent since this due date (each recipient extends it)."""
    return f"mentorship:{pair_id}:{stamp(due_at)}:silent"


def proposal_key(pair_id: int) -> str:
    return f"mentorship:proposal:{pair_id}"


def pair_note_key(pair_id: int, what: str, member_id: int) -> str:
    """A one-off note about a pair (`what`: accepted, ended, paused, …) to one member."""
    return f"mentorship:{pair_id}:{what}:{member_id}"


def picks_key(request_id: int, version: int) -> str:
    """A request's suggestions, sent by DM (after a re-match, or when a mentor left)."""
    return f"mentorship:request:{request_id}:{version}:picks"


def managers_key(request_id: int, cause: str) -> str:
    """A request's card for managers; `cause` names why (`v2`: no fit at version 2, `p7`:
    pair 7 ended without a match), so each reason is told once."""
    return f"mentorship:request:{request_id}:managers:{cause}"


def mentor_note_key(member_id: int, what: str, at: datetime, to_id: int) -> str:
    """A mentor's news (`what`: paused, back) to one of their mentees."""
    return f"mentorship:mentor:{member_id}:{what}:{stamp(at)}:{to_id}"


def help_key(pair_id: int, at: datetime) -> str:
    return f"mentorship:{pair_id}:help:{stamp(at)}"


def pause_until_check(value: Any, now: datetime) -> datetime:
    if not isinstance(value, datetime) or value <= now:
        raise UserError("`until` is a date in the future, like 2026-04-01.", field="until")
    if value - now > MAX_PAUSE:
        raise UserError("`until` can be at most a year from now.", field="until")
    return value
