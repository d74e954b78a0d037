"""Quiet hours at send time: a quiet delivery (a nudge, reminder or hello) waits while its
recipients are in their quiet hours, however late it comes (catch-up, retries, backoff)."""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain import Profile
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE, first_free
from bot.messages import DirectMessage, GroupMessage, Target
from bot.outbox import Delivery
from bot.ports import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Audience:
    """The profiles of a batch's quiet recipients and their communities' time zones."""

    profiles: dict[tuple[int, str], Profile] = field(default_factory=dict)
    zones: dict[int, str] = field(default_factory=dict)


def recipients(target: Target) -> tuple[str, ...]:
    """The members a target reaches directly (a channel post wakes nobody in particular)."""
    if isinstance(target, DirectMessage):
        return (target.user_id,)
    if isinstance(target, GroupMessage):
        return target.user_ids
    return ()


async def load_audience(store: Store, deliveries: Sequence[Delivery]) -> Audience:
    """One short read, before any send: who the quiet deliveries reach, and where they live."""
    wanted: dict[int, set[str]] = {}
    for delivery in deliveries:
        if delivery.quiet and recipients(delivery.target):
            wanted.setdefault(delivery.space.id, set()).update(recipients(delivery.target))
    audience = Audience()
    if not wanted:
        return audience
    async with store.transaction() as tx:
        for space_id, user_ids in wanted.items():
            members = await tx.members.by_user_ids(space_id, sorted(user_ids))
            for user_id, member in members.items():
                audience.profiles[(space_id, user_id)] = member.profile
            zone = (await tx.settings.all(space_id)).get(COMMUNITY_ZONE) or DEFAULT_ZONE
            audience.zones[space_id] = zone if known_zone(zone) else DEFAULT_ZONE
    return audience


def known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        log.warning("community time zone %r is unknown; using %s", name, DEFAULT_ZONE)
        return False
    return True


def quiet_until(delivery: Delivery, audience: Audience, now: datetime) -> datetime | None:
    """When a quiet delivery may go out, if its recipients are in their quiet hours at `now`.

    A member Rounds has no profile for (or who set no time zone or quiet hours) counts as living
    in the community's time zone with the default quiet hours.
    """
    user_ids = recipients(delivery.target)
    if not delivery.quiet or not user_ids:
        return None
    space_id = delivery.space.id
    profiles = [audience.profiles.get((space_id, user_id), Profile()) for user_id in user_ids]
    moment = first_free(now, profiles, fallback=audience.zones.get(space_id, DEFAULT_ZONE))
    return moment if moment > now else None
