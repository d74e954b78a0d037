"""Fan-out efficiency: 10,000 DMs due at once, sent by the real dispatcher through the real
Slack and Discord adapters into the fake platforms enforcing their published limits.

Slack: `chat.postMessage` within the workspace budget Rounds declares (300 a minute; the fake
enforces the same, with 1 a second per channel), then again with the fake allowing only 120 a
minute (a workspace stricter than Rounds' reading: the budget must learn it from 429s), 429
with a whole-second Retry-After. Discord:
50 requests a second for the bot (a DM is two: open the DM channel, post), per-route buckets,
429 with retry_after. 1% of the members have closed DMs (Slack `messages_tab_disabled`, Discord
403/50007): each gets one try and a fallback mention, never a second DM.

Pacing, pauses and the fakes' limits run on one virtual clock (`tests/limits.VirtualTime`):
the figure is the pacing's, not this machine's, and a run takes minutes of CPU, not the hours
of platform time the rates mean. Real HTTP over loopback and a real SQLite database all the
same. Printed per platform: achieved rate as a fraction of the allowed rate (target >= 0.9),
lost, duplicated, requests before a Retry-After elapsed, refused DMs retried (all targets 0).

Run: `python -m benchmarks.fanout [COUNT]`.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass

from pydantic import SecretStr
from sqlalchemy import func, select

from adapters.discord.service import DiscordService
from adapters.slack.service import SlackService
from benchmarks.common import NOW
from bot.bootstrap import Core, build_core
from bot.clock import ManualClock
from bot.domain import SpaceKey
from bot.messages import DirectMessage, Message
from bot.ports import NewDelivery
from bot.settings import Settings
from storage.models import OutboxRow
from storage.store import SqlStore
from tests.discord.fake_discord import GUILD, DiscordLimits, FakeDiscord
from tests.limits import Enforcer, VirtualTime
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack, SlackLimits

DELIVERIES = 10_000
CLOSED_EVERY = 100
"""One member in this many has closed DMs."""
DISCORD_REQUESTS_PER_SECOND = 50.0


@dataclass
class Outcome:
    platform: str
    deliveries: int
    allowed: float
    """Requests a second the platform allows for this work."""
    requests: list[float]
    """When each admitted request arrived (virtual seconds)."""
    per_member: Counter[str]
    statuses: dict[str, int]
    enforcer: Enforcer
    refused_again: int
    real_seconds: float

    def print(self) -> None:
        span = self.requests[-1] - self.requests[0]
        achieved = (len(self.requests) - 1) / span if span > 0 else float("inf")
        closed = self.deliveries // CLOSED_EVERY
        received = sum(1 for count in self.per_member.values() if count)
        lost = self.deliveries - closed - received
        duplicated = sum(count - 1 for count in self.per_member.values() if count > 1)
        print(
            f"  {self.platform:<16} {self.deliveries:,} DMs: {achieved:5.2f} requests/s of "
            f"{self.allowed:g} allowed = {achieved / self.allowed:.3f}; "
            f"lost {lost}, duplicated {duplicated}, early {len(self.enforcer.early)}, "
            f"429s {self.enforcer.refused}, refused DMs retried {self.refused_again}; "
            f"outbox {dict(sorted(self.statuses.items()))}; "
            f"{span:,.0f} s of platform time in {self.real_seconds:.0f} s real"
        )


def members(count: int, first: int, prefix: str = "") -> list[str]:
    return [f"{prefix}{first + i}" for i in range(count)]


async def plan(store: SqlStore, key: SpaceKey, users: list[str]) -> None:
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(key, "Benchmark")
        await tx.outbox.enqueue_many(
            space.id,
            [
                NewDelivery(
                    f"fanout:{i}",
                    "network.hello",
                    DirectMessage(user),
                    Message("You're paired this week: say hello and pick a time to meet."),
                    NOW,
                )
                for i, user in enumerate(users)
            ],
        )


async def drain(core: Core, time_: VirtualTime, store: SqlStore) -> dict[str, int]:
    """Run the dispatcher until nothing is pending, moving virtual time to the next due."""
    while True:
        await core.dispatcher.run_due()
        due = await store.deliveries.next_due_at()
        if due is None:
            break
        time_.advance(max((due - core.clock.now()).total_seconds(), 0.001))
    async with store.sessions() as session:
        rows = await session.execute(
            select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        )
        return {str(row[0]): int(row[1]) for row in rows}


async def slack(count: int, folder: str, per_minute: int = 300) -> Outcome:
    """`per_minute`: the workspace budget the fake enforces (Rounds declares 300)."""
    store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/slack-{per_minute}.db")
    await store.create_schema()
    clock = ManualClock(NOW)
    core = build_core(store, clock, send_when_planned=False)
    users = members(count, 100_000, "U")
    limits = SlackLimits(workspace_per_minute=per_minute)
    fake = await FakeSlack(limits=limits, closed_dms=set(users[::CLOSED_EVERY])).start()
    time_ = VirtualTime(clock)
    settings = Settings(
        SLACK_BOT_TOKEN=SecretStr(BOT_TOKEN),
        SLACK_SIGNING_SECRET=SecretStr(SIGNING_SECRET),
        SLACK_MODE="http",
        SLACK_API_URL=fake.api_url,
        HTTP_HOST="127.0.0.1",
        HTTP_PORT=0,
        _env_file=None,  # type: ignore[call-arg]
    )
    service = SlackService(core, settings)
    await service.start()
    time_.drive(service.budget, fake.enforcer)
    await plan(store, SpaceKey("slack", TEAM), users)
    started = time.perf_counter()
    statuses = await drain(core, time_, store)
    real = time.perf_counter() - started
    posts = [c for c in fake.calls if c.method == "chat.postMessage"]
    per_member = Counter(
        "U" + m.channel[1:] for m in fake.messages.values() if m.channel.startswith("D")
    )
    assert len(posts) >= count, "not every delivery reached the fake"
    outcome = Outcome(
        f"Slack {per_minute}/min",
        count,
        per_minute / 60,
        fake.enforcer.admitted,
        per_member,
        statuses,
        fake.enforcer,
        len(fake.refused_again),
        real,
    )
    await service.stop()
    await fake.stop()
    await store.close()
    return outcome


async def discord(count: int, folder: str) -> Outcome:
    store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/discord.db")
    await store.create_schema()
    clock = ManualClock(NOW)
    core = build_core(store, clock, send_when_planned=False)
    users = members(count, 4_100_000_000_000_000_000)
    fake = await FakeDiscord(limits=DiscordLimits(), closed_dms=set(users[::CLOSED_EVERY])).start()
    time_ = VirtualTime(clock)
    settings = Settings(
        DISCORD_TOKEN=SecretStr("bench-token"),
        DISCORD_API_URL=fake.api_url,
        _env_file=None,  # type: ignore[call-arg]
    )
    service = DiscordService(core, settings, identify_delay=0)
    await service.start()
    await service.wait_until_ready()
    time_.drive(service.budget, fake.enforcer)
    fake.enforcer.admitted.clear()  # the connection's own calls are not the fan-out's
    await plan(store, SpaceKey("discord", GUILD), users)
    started = time.perf_counter()
    statuses = await drain(core, time_, store)
    real = time.perf_counter() - started
    per_member: Counter[str] = Counter()
    for message in fake.messages.values():
        user = fake.dm_channels.get(message["channel_id"])
        if user is not None:
            per_member[user] += 1
    outcome = Outcome(
        "Discord",
        count,
        DISCORD_REQUESTS_PER_SECOND,
        fake.enforcer.admitted,
        per_member,
        statuses,
        fake.enforcer,
        len(fake.refused_again),
        real,
    )
    await service.stop()
    await fake.stop()
    await store.close()
    return outcome


async def main(count: int) -> None:
    print(f"fan-out: {count:,} DMs due at once, through the adapters into rate-limited fakes")
    with tempfile.TemporaryDirectory() as folder:
        (await slack(count, folder)).print()
        (await slack(count, folder, per_minute=120)).print()  # tighter than Rounds declares
        (await discord(count, folder)).print()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else DELIVERIES))
