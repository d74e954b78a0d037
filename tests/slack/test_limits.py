"""Slack's published rate limits, enforced by the fake when asked, and Rounds keeping to them:
the fake answers 429 with `Retry-After` and counts a request that comes back too soon; Rounds'
budget paces each channel and the workspace, and a 429 holds the method back, with nothing
sent before the `Retry-After` has passed and nothing lost."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest_asyncio
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.platform import SlackPlatform
from bot.clock import ManualClock
from bot.delivery import Dispatcher, RateBudget
from bot.domain import SpaceKey
from bot.messages import ChannelPost, DirectMessage, Message, Target
from bot.ports import NewDelivery
from storage.store import SqlStore
from tests.limits import VirtualTime
from tests.slack.fake_slack import BOT_TOKEN, TEAM, FakeSlack, SlackLimits

SPACE = SpaceKey("slack", TEAM)


@pytest_asyncio.fixture
async def limited() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack(limits=SlackLimits(per_channel=1.0, workspace_per_minute=120)).start()
    yield fake
    await fake.stop()


async def post(
    fake: FakeSlack, http: aiohttp.ClientSession, channel: str
) -> aiohttp.ClientResponse:
    async with http.post(
        f"{fake.api_url}chat.postMessage",
        json={"channel": channel, "text": "hi"},
        headers={"Authorization": f"Bearer {BOT_TOKEN}"},
    ) as response:
        await response.read()
        return response


async def test_the_fake_refuses_a_second_post_to_a_channel_within_a_second() -> None:
    limited = await FakeSlack(limits=SlackLimits()).start()
    async with aiohttp.ClientSession() as http:
        assert (await post(limited, http, "C1")).status == 200
        assert (await post(limited, http, "C2")).status == 200  # another channel: fine
        refused = await post(limited, http, "C1")
        assert refused.status == 429
        assert refused.headers["Retry-After"] == "1"
        assert limited.enforcer.early == []
        again = await post(limited, http, "C1")  # before the Retry-After has passed
    await limited.stop()
    assert again.status == 429
    assert [e.scope for e in limited.enforcer.early] == ["chat.postMessage C1"]
    assert len(limited.messages) == 2


async def test_the_fake_keeps_a_workspace_budget_across_channels(limited: FakeSlack) -> None:
    async with aiohttp.ClientSession() as http:
        statuses = [(await post(limited, http, f"C{i}")).status for i in range(4)]
    assert statuses == [200, 200, 429, 429]  # 120 a minute: two at once, then two a second
    assert [e.scope for e in limited.enforcer.early] == ["chat.postMessage"]


async def plan(store: SqlStore, clock: ManualClock, *targets: Target) -> None:
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        await tx.outbox.enqueue_many(
            space.id,
            [
                NewDelivery(f"d{i}", "test", target, Message(f"hello {i}"), clock.now())
                for i, target in enumerate(targets)
            ],
        )


async def test_rounds_paces_posts_to_one_channel_a_second_apart_with_no_429(
    store: SqlStore, clock: ManualClock
) -> None:
    fake = await FakeSlack(limits=SlackLimits()).start()
    time = VirtualTime(clock)
    try:
        budget = RateBudget(clock=clock.now, shared=store.limits, platform="slack")
        time.drive(budget, fake.enforcer)
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
        platform = SlackPlatform(client, budget=budget)
        dispatcher = Dispatcher(store, {"slack": platform}, clock, budgets={"slack": budget})
        await plan(store, clock, ChannelPost("C0EVENTS"), ChannelPost("C0EVENTS"))
        started = time.now
        assert await dispatcher.run_due() == 2
        took = time.now - started
    finally:
        await fake.stop()
    assert 1.0 <= took < 2.0
    assert (fake.enforcer.refused, fake.enforcer.early) == (0, [])


async def test_a_429_holds_the_method_back_until_retry_after_and_loses_nothing(
    store: SqlStore, clock: ManualClock
) -> None:
    """The fake's workspace budget is tighter than the one Rounds starts from: Slack's 429
    pauses chat.postMessage for every channel, and the deliveries wait it out."""
    fake = await FakeSlack(limits=SlackLimits(workspace_per_minute=60)).start()
    time = VirtualTime(clock)
    try:
        budget = RateBudget(clock=clock.now, shared=store.limits, platform="slack")
        time.drive(budget, fake.enforcer)
        client = AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url)
        platform = SlackPlatform(client, budget=budget)
        dispatcher = Dispatcher(store, {"slack": platform}, clock, budgets={"slack": budget})
        await plan(store, clock, *(DirectMessage(f"U{i}") for i in range(3)))
        sent = await dispatcher.run_due()
        posts = [c for c in fake.calls if c.method == "chat.postMessage"]
        assert sent == 2  # the second got a 429; the third waited out its Retry-After
        assert [c.params["channel"] for c in posts[:3]] == ["U0", "U1", "U2"]
        assert posts[2].at - posts[1].at >= 1.0
        for _ in range(20):
            time.advance(0.35)
            sent += await dispatcher.run_due()
            if sent == 3:
                break
    finally:
        await fake.stop()
    assert sent == 3
    assert sorted(m.channel for m in fake.messages.values()) == ["D0", "D1", "D2"]
    assert fake.enforcer.early == []
