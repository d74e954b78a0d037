"""Quiet hours at send time (ARCHITECTURE.md §4): a quiet delivery (nudge, reminder, hello) that
becomes sendable inside its recipients' quiet hours waits until they end, whether it is due,
caught up after downtime or retried; members with no time zone live in the community's."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from bot.clock import ManualClock
from bot.context import Actor
from bot.delivery import Dispatcher
from bot.domain import Profile, QuietHours
from bot.engine import Rounds
from bot.errors import DeliveryError
from bot.features.catalog import build_router
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE, first_free, next_allowed
from bot.messages import ChannelPost, DirectMessage, GroupMessage, Message, Target
from bot.ports import NewDelivery
from storage.store import SqlStore
from tests.conftest import Transcript
from tests.fakes import RecordingPlatform
from tests.test_delivery import KEY, plan, space, statuses

CHICAGO = "America/Chicago"  # UTC-6 until 8 March 2026


async def member(
    store: SqlStore,
    clock: ManualClock,
    user_id: str,
    timezone: str | None = None,
    quiet: str | None = None,
) -> None:
    """A member who typed `/rounds profile set timezone=… quiet=…` (or only `/rounds help`)."""
    found = await space(store)
    async with store.transaction() as tx:
        await tx.settings.put(found.id, "welcome.enabled", "no")
    rounds = Rounds(build_router(), store, clock)
    fields = " ".join(f"{k}={v}" for k, v in (("timezone", timezone), ("quiet", quiet)) if v)
    await rounds.command(Actor(KEY, user_id), f"profile set {fields}" if fields else "help")
    assert await rounds.timezone_of(KEY, user_id) == timezone


def nudge(
    key: str, clock: ManualClock, target: Target, expires_at: datetime | None = None
) -> NewDelivery:
    return NewDelivery(
        key, "nudge", target, Message(f"nudge {key}"), clock.now(), expires_at, quiet=True
    )


async def run_at(
    store: SqlStore, clock: ManualClock, platform: RecordingPlatform, moment: datetime
) -> int:
    clock.set(moment)
    return await Dispatcher(store, {"console": platform}, clock).run_due()


async def test_a_quiet_dm_that_falls_due_at_night_waits_until_the_members_quiet_hours_end(
    store: SqlStore, clock: ManualClock
) -> None:
    await member(store, clock, "alice", CHICAGO)  # 09:00 UTC is 03:00 in Chicago
    await plan(store, clock, nudge("n", clock, DirectMessage("alice")))
    platform = RecordingPlatform()
    assert await run_at(store, clock, platform, clock.now()) == 0
    assert await store.deliveries.next_due_at() == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
    assert await run_at(store, clock, platform, datetime(2026, 3, 2, 13, 59, tzinfo=UTC)) == 0
    assert await run_at(store, clock, platform, datetime(2026, 3, 2, 14, 0, tzinfo=UTC)) == 1
    assert platform.texts_to("alice") == ["nudge n"]
    assert await statuses(store) == {"n": ("sent", 1)}  # waiting was not an attempt


async def test_catch_up_after_downtime_does_not_wake_a_member_at_night(
    store: SqlStore, clock: ManualClock
) -> None:
    await member(store, clock, "alice", "Europe/London")
    clock.set(datetime(2026, 3, 2, 18, 0, tzinfo=UTC))  # planned for 18:00 in London
    await plan(store, clock, nudge("n", clock, DirectMessage("alice")))
    platform = RecordingPlatform()  # the bot was down from 17:00 until 02:00
    assert await run_at(store, clock, platform, datetime(2026, 3, 3, 2, 0, tzinfo=UTC)) == 0
    assert await run_at(store, clock, platform, datetime(2026, 3, 3, 8, 0, tzinfo=UTC)) == 1


async def test_a_retry_after_backoff_that_lands_in_quiet_hours_waits(
    store: SqlStore, clock: ManualClock
) -> None:
    await member(store, clock, "alice", "UTC", quiet="09:00-10:00")
    clock.set(datetime(2026, 3, 2, 8, 59, 50, tzinfo=UTC))
    await plan(store, clock, nudge("n", clock, DirectMessage("alice")))
    platform = RecordingPlatform(failures=[DeliveryError("timeout", permanent=False)])
    assert await run_at(store, clock, platform, clock.now()) == 0  # retried 30 s later …
    assert await run_at(store, clock, platform, datetime(2026, 3, 2, 9, 0, 20, tzinfo=UTC)) == 0
    assert platform.attempts == 1  # … which is inside her quiet hours
    assert await run_at(store, clock, platform, datetime(2026, 3, 2, 10, 0, tzinfo=UTC)) == 1


async def test_a_member_without_a_time_zone_has_the_communitys_quiet_hours(
    store: SqlStore, clock: ManualClock
) -> None:
    await member(store, clock, "alice")
    found = await space(store)
    async with store.transaction() as tx:
        await tx.settings.put(found.id, "community.timezone", "Asia/Tokyo")
    clock.set(datetime(2026, 3, 2, 13, 0, tzinfo=UTC))  # 22:00 in Tokyo
    await plan(store, clock, nudge("n", clock, DirectMessage("alice")))
    platform = RecordingPlatform()
    assert await run_at(store, clock, platform, clock.now()) == 0
    assert await store.deliveries.next_due_at() == datetime(2026, 3, 2, 23, 0, tzinfo=UTC)


async def test_someone_rounds_has_no_profile_for_gets_the_default_quiet_hours_in_utc(
    store: SqlStore, clock: ManualClock
) -> None:
    clock.set(datetime(2026, 3, 2, 22, 0, tzinfo=UTC))
    await plan(store, clock, nudge("n", clock, DirectMessage("stranger")))
    platform = RecordingPlatform()
    assert await run_at(store, clock, platform, clock.now()) == 0
    assert await store.deliveries.next_due_at() == datetime(2026, 3, 3, 8, 0, tzinfo=UTC)


async def test_a_quiet_group_message_waits_for_the_first_moment_outside_everyones_quiet_hours(
    store: SqlStore, clock: ManualClock
) -> None:
    await member(store, clock, "alice", CHICAGO)  # quiet until 14:00 UTC
    await member(store, clock, "bob", "Europe/London")  # awake from 08:00 UTC
    await plan(store, clock, nudge("pair", clock, GroupMessage(("alice", "bob"))))
    platform = RecordingPlatform()
    assert await run_at(store, clock, platform, clock.now()) == 0
    assert await store.deliveries.next_due_at() == datetime(2026, 3, 2, 14, 0, tzinfo=UTC)


async def test_a_quiet_delivery_that_would_expire_before_quiet_hours_end_is_marked_expired(
    store: SqlStore, clock: ManualClock
) -> None:
    await member(store, clock, "alice", CHICAGO)
    expires = clock.now() + timedelta(hours=2)
    await plan(store, clock, nudge("n", clock, DirectMessage("alice"), expires_at=expires))
    platform = RecordingPlatform()
    assert await run_at(store, clock, platform, clock.now()) == 0
    assert platform.attempts == 0
    assert (await statuses(store))["n"][0] == "expired"


async def test_deliveries_not_marked_quiet_and_channel_posts_go_out_at_night(
    store: SqlStore, clock: ManualClock
) -> None:
    await member(store, clock, "alice", CHICAGO)
    loud = NewDelivery("loud", "welcome", DirectMessage("alice"), Message("hi"), clock.now())
    post = nudge("post", clock, ChannelPost("C1"))
    await plan(store, clock, loud, post)
    assert await run_at(store, clock, RecordingPlatform(), clock.now()) == 2


def test_local_time_helpers_take_the_communitys_zone_for_members_without_one() -> None:
    at = datetime(2026, 3, 2, 13, 0, tzinfo=UTC)  # 22:00 in Tokyo, 13:00 in UTC
    assert next_allowed(at, Profile()) == at
    assert next_allowed(at, Profile(), fallback="Asia/Tokyo") == datetime(
        2026, 3, 2, 23, 0, tzinfo=UTC
    )
    assert next_allowed(at, Profile(timezone="UTC"), fallback="Asia/Tokyo") == at


def test_a_group_whose_quiet_hours_cover_the_whole_day_gets_the_moment_fewest_are_quiet() -> None:
    early = Profile(timezone="UTC", quiet_hours=QuietHours(time(0, 0), time(12, 0)))
    late = Profile(timezone="UTC", quiet_hours=QuietHours(time(12, 0), time(0, 0)))
    third = Profile(timezone="UTC", quiet_hours=QuietHours(time(6, 0), time(13, 0)))
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # early and third are quiet
    assert first_free(at, [early, late, third]) == datetime(2026, 3, 2, 13, 0, tzinfo=UTC)


def test_the_community_time_zone_is_a_setting_the_dispatcher_reads() -> None:
    assert build_router().settings[COMMUNITY_ZONE].default == DEFAULT_ZONE


async def test_managers_set_the_community_time_zone(transcript: Transcript) -> None:
    out = await transcript(
        """
        join alice
        /rounds config set community.timezone=asia/tokyo
        /rounds config
        """
    )
    assert "`community.timezone` = Asia/Tokyo" in out
