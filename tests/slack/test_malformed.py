"""Signed requests whose bodies Slack would never send (cut short, wrong types, missing parts)
get a 4xx without reaching a listener, and the next good request is answered as usual."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest

from bot.domain import SpaceKey
from storage.store import SqlStore
from tests.helpers import stored_member
from tests.slack.conftest import MEMBER, SlackHarness, block_actions, event_body
from tests.slack.fake_slack import TEAM, signed_headers

SPACE = SpaceKey("slack", TEAM)
JSON = "application/json"
FORM = "application/x-www-form-urlencoded"


def payload(value: object) -> str:
    return urlencode({"payload": json.dumps(value)})


JOIN = event_body({"type": "team_join", "user": {"id": MEMBER, "name": "ben"}}, "Ev1")
MALFORMED: dict[str, tuple[bytes, str]] = {
    "event cut short": (json.dumps(JOIN)[:40].encode(), JSON),
    "event as a JSON list": (b"[1, 2, 3]", JSON),
    "event callback without an event": (json.dumps({**JOIN, "event": None}).encode(), JSON),
    "event that is a string": (json.dumps({**JOIN, "event": "team_join"}).encode(), JSON),
    "not UTF-8": (b"\xff\xfe\x00payload", FORM),
    "interaction payload cut short": (urlencode({"payload": '{"type": "block_ac'}).encode(), FORM),
    "interaction payload that is a number": (payload(42).encode(), FORM),
    "press whose actions are a string": (
        payload({**block_actions("profile.form"), "actions": "profile.form"}).encode(),
        FORM,
    ),
    "press without a user": (
        payload({**block_actions("profile.form"), "user": None}).encode(),
        FORM,
    ),
    "submission whose view is a list": (
        payload({"type": "view_submission", "user": {"id": MEMBER}, "view": []}).encode(),
        FORM,
    ),
    "submission whose state is a string": (
        payload(
            {"type": "view_submission", "user": {"id": MEMBER}, "view": {"state": "values"}}
        ).encode(),
        FORM,
    ),
}


@pytest.mark.parametrize("case", MALFORMED.values(), ids=MALFORMED.keys())
async def test_a_malformed_body_gets_400_and_the_next_command_is_answered(
    slack: SlackHarness, store: SqlStore, case: tuple[bytes, str]
) -> None:
    body, content_type = case
    headers = signed_headers(body.decode("utf-8", "replace"), content_type)
    async with slack.http.post(
        f"{slack.service.url}/slack/events", data=body, headers=headers
    ) as response:
        status = response.status
    # Slack signs text: bytes that are not UTF-8 cannot carry a valid signature (401)
    assert status == (400 if body.decode("utf-8", "replace").encode() == body else 401)
    assert await stored_member(store, MEMBER, SPACE) is None
    answer = await slack.command("help")
    assert answer.status == 200
    assert answer.json()["text"].startswith("*Rounds: what you can do*")
