"""Discord's published rate limits, enforced by the fake when asked, and Rounds keeping to them
through its budget: the headers of each answer say when a route's window is used up, and
nothing more goes to that route until it resets; a global 429 holds every send back until its
`retry_after` has passed. Nothing is lost, nothing is sent twice, nothing goes too soon."""

from __future__ import annotations

import aiohttp

from adapters.discord.limits import route_scope
from bot.bootstrap import Core
from bot.domain import SpaceKey
from bot.messages import ChannelPost, DirectMessage, Message, Target
from bot.ports import NewDelivery
from tests.discord.conftest import StartService
from tests.discord.fake_discord import (
    GENERAL,
    GUILD,
    MESSAGES_ROUTE,
    DiscordLimits,
    FakeDiscord,
    route_of,
)
from tests.limits import VirtualTime

SPACE = SpaceKey("discord", GUILD)


def test_a_calls_bucket_is_its_route_and_major_parameter() -> None:
    assert route_scope("POST", f"/channels/{GENERAL}/messages") == (
        f"POST /channels/{{channel}}/messages:{GENERAL}"
    )
    assert route_scope("PATCH", f"/channels/{GENERAL}/messages/123") == (
        f"PATCH /channels/{{channel}}/messages/{{id}}:{GENERAL}"
    )
    assert route_scope("POST", "/users/@me/channels") == "POST /users/@me/channels:"
    assert route_of("POST", f"/channels/{GENERAL}/messages") == (MESSAGES_ROUTE, GENERAL)


async def test_the_fake_reports_a_routes_window_and_refuses_past_it() -> None:
    fake = await FakeDiscord(limits=DiscordLimits()).start()
    statuses, remaining = [], []
    async with aiohttp.ClientSession() as http:
        for _ in range(6):
            async with http.post(
                f"{fake.api_url}/channels/{GENERAL}/messages", json={"content": "hi"}
            ) as response:
                statuses.append(response.status)
                remaining.append(response.headers.get("X-RateLimit-Remaining"))
                body = await response.json()
    await fake.stop()
    assert statuses == [200] * 5 + [429]
    assert remaining == ["4", "3", "2", "1", "0", "0"]
    assert 4 < body["retry_after"] <= 5 and body["global"] is False


async def plan(core: Core, *targets: Target) -> None:
    async with core.store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        await tx.outbox.enqueue_many(
            space.id,
            [
                NewDelivery(f"d{i}", "test", target, Message(f"hello {i}"), core.clock.now())
                for i, target in enumerate(targets)
            ],
        )


async def test_a_used_up_window_holds_its_route_back_without_a_429(
    start_service: StartService, core: Core
) -> None:
    fake = await FakeDiscord(limits=DiscordLimits()).start()
    try:
        await start_service(fake)
        await plan(core, *[ChannelPost(GENERAL)] * 7)
        assert await core.dispatcher.run_due() == 5
        scope = route_scope("POST", f"/channels/{GENERAL}/messages")
        resumes = core.budgets["discord"].resumes_at(core.clock.now(), scope)
        assert resumes is not None and resumes > core.clock.now()
        assert len(fake.calls_to("POST", f"/channels/{GENERAL}/messages")) == 5
    finally:
        await fake.stop()
    assert (fake.enforcer.refused, fake.enforcer.early) == (0, [])


async def test_a_global_429_holds_every_send_back_until_it_has_passed(
    start_service: StartService, core: Core
) -> None:
    fake = await FakeDiscord(limits=DiscordLimits(global_per_second=4)).start()
    try:
        await start_service(fake)
        time = VirtualTime(core.clock)  # type: ignore[arg-type]
        time.drive(core.budgets["discord"], fake.enforcer)
        users = [str(4100000000000000000 + i) for i in range(4)]
        await plan(core, *(DirectMessage(u) for u in users))
        sent = await core.dispatcher.run_due()
        assert sent < 4 and fake.enforcer.refused == 1
        for _ in range(40):
            time.advance(0.1)
            sent += await core.dispatcher.run_due()
            if sent == 4:
                break
    finally:
        await fake.stop()
    assert sent == 4
    assert sorted(u for u in users if fake.dms_to(u)) == users
    assert all(len(fake.dms_to(u)) == 1 for u in users)
    assert fake.enforcer.early == []
