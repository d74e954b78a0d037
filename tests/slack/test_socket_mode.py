"""Slack over Socket Mode, end to end: the service connects with the app-level token to the
fake's WebSocket, receives envelopes, and answers in the envelope's acknowledgement."""

from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import parse_qsl

import pytest_asyncio

from adapters.slack.service import SlackService
from bot.bootstrap import build_core
from bot.clock import ManualClock
from storage.store import SqlStore
from tests.conftest import START
from tests.slack.conftest import (
    MEMBER,
    command_body,
    event_body,
    router_with_stand_ins,
    socket_settings,
)
from tests.slack.fake_slack import APP_TOKEN, TEAM, FakeSlack


@pytest_asyncio.fixture
async def socket_slack(fake_slack: FakeSlack, store: SqlStore) -> AsyncIterator[FakeSlack]:
    core = build_core(store, ManualClock(START), router=router_with_stand_ins())
    service = SlackService(core, socket_settings(fake_slack))
    await service.start()
    yield fake_slack
    await service.stop()
    await core.runtime.kicked()


async def test_connects_with_the_app_level_token(socket_slack: FakeSlack) -> None:
    [opened] = [c for c in socket_slack.calls if c.method == "apps.connections.open"]
    assert opened.auth == f"Bearer {APP_TOKEN}"


async def test_a_command_is_answered_in_the_envelope_acknowledgement(
    socket_slack: FakeSlack,
) -> None:
    payload = dict(parse_qsl(command_body(socket_slack, "profile set specialty=surgery")))
    await socket_slack.push("env-1", "slash_commands", payload)
    ack = await socket_slack.socket_ack("env-1")
    assert ack["payload"]["response_type"] == "ephemeral"
    assert ack["payload"]["text"] == (
        "✓ Saved your profile: specialty = surgery.\n"
        "Next: set your time zone so nudges arrive at a sensible hour, "
        "e.g. `timezone=Europe/London`."
    )


async def test_a_button_opens_its_modal(socket_slack: FakeSlack) -> None:
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": MEMBER, "name": "ben", "team_id": TEAM},
        "trigger_id": "9.9.trigger",
        "container": {"type": "message", "channel_id": "D0BEN", "message_ts": "1.2"},
        "channel": {"id": "D0BEN"},
        "response_url": socket_slack.response_url("sock"),
        "actions": [{"type": "button", "action_id": "profile.form#0", "value": ""}],
    }
    await socket_slack.push("env-2", "interactive", payload)
    await socket_slack.socket_ack("env-2")
    [opened] = await socket_slack.wait_for("views.open")
    assert opened["trigger_id"] == "9.9.trigger"
    assert opened["view"]["title"]["text"] == "Your profile"


async def test_team_join_over_the_socket_sends_the_welcome_dm(socket_slack: FakeSlack) -> None:
    user = {"id": "U0DANA", "team_id": TEAM, "name": "dana", "profile": {}}
    await socket_slack.push(
        "env-3", "events_api", event_body({"type": "team_join", "user": user}, "Ev42")
    )
    [dm] = await socket_slack.wait_for("chat.postMessage")
    assert dm["channel"] == "U0DANA" and dm["text"].startswith("Welcome to the community")


async def test_a_redelivered_event_has_exactly_one_effect(socket_slack: FakeSlack) -> None:
    home = event_body({"type": "app_home_opened", "user": MEMBER, "tab": "home"}, "Ev50")
    await socket_slack.push("env-5", "events_api", home)
    await socket_slack.socket_ack("env-5")
    await socket_slack.push("env-6", "events_api", {**home, "retry_attempt": 1})
    await socket_slack.socket_ack("env-6")
    later = event_body({"type": "app_home_opened", "user": MEMBER, "tab": "home"}, "Ev51")
    await socket_slack.push("env-7", "events_api", later)
    await socket_slack.wait_for("views.publish", 2)
    assert len(socket_slack.called("views.publish")) == 2
