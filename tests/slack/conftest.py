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
    Posted,
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
    clock: ManualClock
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

    async def press_on(self, message: Posted, label: str, user: str = MEMBER) -> str:
        """`user` presses the button labelled `label` on a message the fake holds, as Slack
        sends it: with that message's channel, ts and a response URL that edits it. Returns
        the response URL's name, to wait for what was said through it."""
        [button] = [b for b in buttons(message.params) if b["text"]["text"] == label]
        name = f"press-{message.ts}-{user}"
        payload = block_actions(
            button["action_id"], button["value"], user=user, channel=message.channel
        )
        payload["container"]["message_ts"] = message.ts
        payload["message"] = {"ts": message.ts, **message.params}
        payload["response_url"] = self.fake.response_url(name, message)
        answer = await self.interact(payload)
        assert answer.status == 200, answer.text
        return f"respond/{name}"

    async def event(
        self, event: dict[str, Any], event_id: str = "Ev0001", retry: int | None = None
    ) -> Answer:
        body = json.dumps(event_body(event, event_id))
        headers = signed_headers(body, "application/json")
        if retry is not None:
            headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
        return await self.post(body, headers)


def section_text(payload: dict[str, Any]) -> str:
    return "\n".join(b["text"]["text"] for b in payload["blocks"] if b.get("text"))


def buttons(payload: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for b in payload["blocks"] if b["type"] == "actions" for e in b["elements"]]


def block_actions(
    action_id: str,
    value: str = "",
    *,
    user: str = MEMBER,
    home: bool = False,
    channel: str = "D0BEN",
) -> dict[str, Any]:
    """A `block_actions` payload for a press on a message in `channel` (or the Home tab)."""
    payload: dict[str, Any] = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "rounds-test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0ROUNDS",
        "trigger_id": "2001.42.trigger",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "block_id": "b1",
                "value": value,
                "text": {"type": "plain_text", "text": "Press"},
                "action_ts": "1772442000.000200",
            }
        ],
    }
    if home:
        payload["container"] = {"type": "view", "view_id": "V0HOME"}
        payload["view"] = {"id": "V0HOME", "type": "home"}
    else:
        payload["container"] = {
            "type": "message",
            "message_ts": "1772442000.000100",
            "channel_id": channel,
            "is_ephemeral": False,
        }
        name = "directmessage" if channel.startswith("D") else channel.lower()
        payload["channel"] = {"id": channel, "name": name}
        payload["message"] = {"ts": "1772442000.000100", "text": "…"}
        payload["response_url"] = "{base}/respond/press"
    return payload


def submission(view: dict[str, Any], values: dict[str, str], user: str = MEMBER) -> dict[str, Any]:
    """What Slack sends when the member presses Submit on the modal we opened."""
    state: dict[str, Any] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        typed = values.get(block["block_id"])
        if element["type"] == "static_select":
            chosen = {"text": {"type": "plain_text", "text": typed}, "value": typed}
            state[block["block_id"]] = {
                "value": {"type": "static_select", "selected_option": chosen if typed else None}
            }
        else:
            state[block["block_id"]] = {"value": {"type": "plain_text_input", "value": typed}}
    return {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "rounds-test"},
        "user": {"id": user, "username": user.lower(), "name": user.lower(), "team_id": TEAM},
        "api_app_id": "A0ROUNDS",
        "trigger_id": "3001.42.trigger",
        "view": {**view, "id": "V0MODAL", "state": {"values": state}},
    }


async def press(slack: SlackHarness, action_id: str, value: str = "", **kw: Any) -> int:
    payload = block_actions(action_id, value, **kw)
    if "response_url" in payload:
        payload["response_url"] = slack.fake.response_url("press")
    return (await slack.interact(payload)).status


def command_body(
    fake: FakeSlack, text: str, user: str = MEMBER, channel: str = CHANNEL, *, reply_to: str = "cmd"
) -> str:
    """A `/rounds` command as Slack posts it; answers after the first go to `reply_to`."""
    return urlencode(
        {
            "token": "legacy-verification-token",
            "team_id": fake.team,
            "team_domain": "rounds-test",
            "channel_id": channel,
            "channel_name": "general",
            "user_id": user,
            "user_name": user.lower(),
            "command": "/rounds",
            "text": text,
            "api_app_id": "A0ROUNDS",
            "is_enterprise_install": "false",
            "response_url": fake.response_url(reply_to),
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
    clock = ManualClock(START)
    core = build_core(store, clock, router=router_with_stand_ins())
    sleeps: list[float] = []

    async def sleep(seconds: float) -> None:  # Retry-After is recorded, not waited out
        sleeps.append(seconds)

    service = SlackService(core, slack_settings(fake_slack), sleep=sleep)
    await service.start()
    async with aiohttp.ClientSession() as http:
        yield SlackHarness(fake_slack, core, clock, service, http, sleeps)
    await service.stop()
    await core.runtime.kicked()
