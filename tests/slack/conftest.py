"""Slack fixtures: the fake Slack, and Rounds' Slack service serving HTTP on 127.0.0.1:0.

`slack` is the whole path a real request takes: a signed HTTP request to the service that
`rounds` starts, Bolt, the core on a real database, and Web API calls to the fake.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import aiohttp
import pytest_asyncio

from adapters.slack.service import SlackService
from bot.bootstrap import Core, build_core
from bot.clock import ManualClock
from bot.context import Context
from bot.features.catalog import build_router
from bot.messages import Message, sanitize
from bot.options import Option, OptionKind
from bot.router import Command, Router
from bot.settings import Settings
from storage.store import SqlStore
from tests.conftest import START
from tests.slack.fake_slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    signed_headers,
)

ADMIN = "U0AMARA"
MEMBER = "U0BEN"
CHANNEL = "C0GENERAL"
FORM = "application/x-www-form-urlencoded"


def slack_settings(fake: FakeSlack, **changes: Any) -> Settings:
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_MODE": "http",
        "SLACK_API_URL": fake.api_url,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": 0,
        **changes,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def socket_settings(fake: FakeSlack) -> Settings:
    return slack_settings(fake, SLACK_MODE="socket", SLACK_APP_TOKEN=APP_TOKEN)


async def rsvp_going(ctx: Context, value: str) -> None:
    """A stand-in for a programme whose button changes the message it sits on."""
    ctx.update(Message(f"RSVP: going ✓ (event {value})"))
    ctx.reply("You're on the list. See you there!")


async def announce(ctx: Context, args: Mapping[str, Any]) -> None:
    ctx.reply(Message(f"📣 {sanitize(args['text'])}"), private=False)
    ctx.reply("Announced.")


async def digest(ctx: Context, args: Mapping[str, Any]) -> None:
    ctx.reply("Here is your digest.")


def router_with_stand_ins() -> Router:
    """The real features, plus stand-ins for outputs no programme produces yet: a button that
    updates its message, a public reply followed by a private one, and a slow command."""
    router = build_router()
    router.action("rsvp.going", rsvp_going)
    text = Option("text", OptionKind.TEXT, "what to say", required=True, positional=True)
    router.command(Command(("announce",), "Say something", announce, options=(text,)))
    router.command(Command(("digest",), "A slow digest", digest, slow=True))
    return router


@dataclass
class Answer:
    status: int
    text: str

    def json(self) -> Any:
        return json.loads(self.text)


@dataclass
class SlackHarness:
    fake: FakeSlack
    core: Core
    service: SlackService
    http: aiohttp.ClientSession
    sleeps: list[float]

    async def post(self, body: str, headers: dict[str, str]) -> Answer:
        async with self.http.post(
            f"{self.service.url}/slack/events", data=body.encode(), headers=headers
        ) as response:
            return Answer(response.status, await response.text())

    async def signed(self, body: str, content_type: str = FORM) -> Answer:
        return await self.post(body, signed_headers(body, content_type))

    async def command(self, text: str, user: str = MEMBER, channel: str = CHANNEL) -> Answer:
        return await self.signed(command_body(self.fake, text, user, channel))

    async def interact(self, payload: dict[str, Any]) -> Answer:
        return await self.signed(urlencode({"payload": json.dumps(payload)}))

    async def event(
        self, event: dict[str, Any], event_id: str = "Ev0001", retry: int | None = None
    ) -> Answer:
        body = json.dumps(event_body(event, event_id))
        headers = signed_headers(body, "application/json")
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, headers)


def command_body(fake: FakeSlack, text: str, user: str = MEMBER, channel: str = CHANNEL) -> str:
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": TEAM,
            "team_domain": "rounds-test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/rounds",
            "text": text,
            "api_app_id": "A0ROUNDS",
            "is_enterprise_install": "false",
            "response_url": fake.response_url("cmd"),
            "trigger_id": "1337.42.trigger",
        }
    )


def event_body(event: dict[str, Any], event_id: str) -> dict[str, Any]:
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM,
        "api_app_id": "A0ROUNDS",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": 1_772_442_000,
        "authorizations": [{"team_id": TEAM, "user_id": "UBOT", "is_bot": True}],
    }


@pytest_asyncio.fixture
async def fake_slack() -> AsyncIterator[FakeSlack]:
    fake = await FakeSlack().start()
    fake.add_user(ADMIN, "amara", admin=True)
    fake.add_user(MEMBER, "ben")
    yield fake
    await fake.stop()


@pytest_asyncio.fixture
async def slack(fake_slack: FakeSlack, store: SqlStore) -> AsyncIterator[SlackHarness]:
    core = build_core(store, ManualClock(START), router=router_with_stand_ins())
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:  # Retry-After is recorded, not waited out
        sleeps.append(seconds)

    service = SlackService(core, slack_settings(fake_slack), sleep=sleep)
    await service.start()
    async with aiohttp.ClientSession() as http:
        yield SlackHarness(fake_slack, core, service, http, sleeps)
    await service.stop()
    await core.runtime.kicked()
