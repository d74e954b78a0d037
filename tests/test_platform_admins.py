"""Platform admins manage a community without being added in Rounds (ARCHITECTURE §2): Rounds
remembers who the platform said was an admin at their latest input, so an alert for the
managers reaches them by DM when there is no managers channel, and stops when the platform
no longer says so."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import SpaceKey
from storage.store import SqlStore
from tests.fakes import RecordingPlatform

SPACE = SpaceKey("console", "admins")
START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)  # Monday, 10:00 UTC: nobody's quiet hours
NO_FIT = "is looking for a mentor"


def actor(user: str, *, admin: bool = False) -> Actor:
    return Actor(SPACE, user, display_name=user, is_platform_admin=admin, channel_id="general")


async def test_a_platform_admin_nobody_added_gets_the_managers_alerts(store: SqlStore) -> None:
    clock = ManualClock(START)
    core = build_core(store, clock, send_when_planned=False)
    platform = RecordingPlatform()
    core.add_platform(platform)
    rounds = core.rounds
    await rounds.command(actor("amara", admin=True), "help")  # an admin, never added
    await rounds.command(actor("ben"), "help")
    # no mentor at all: the request goes to the managers, and Amara is the only one
    await rounds.command(actor("carol"), 'mentor request goals="operations"')
    await core.runtime.run_due()
    assert any(NO_FIT in text for text in platform.texts_to("amara"))
    assert not any(NO_FIT in text for text in platform.texts_to("ben"))

    # the platform takes Amara's admin role away: the next alert doesn't go to her
    await rounds.command(actor("amara"), "help")
    await rounds.command(actor("dev"), 'mentor request goals="policy"')
    await core.runtime.run_due()
    assert sum(NO_FIT in text for text in platform.texts_to("amara")) == 1
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        assert await tx.members.managers(space.id) == []
