"""Bodies Slack really sends (from bolt-python's tests; tests/slack/payloads names each source),
replayed: an answer below 500 within 3 s, no traceback, nothing stored for a workspace that
isn't installed, no message to another organisation's member, and the bot still answering."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from storage.store import SqlStore
from tests.slack.conftest import (
    CHANNEL,
    FORM,
    MEMBER,
    SlackHarness,
    block_actions,
    command_body,
)
from tests.slack.fake_slack import TEAM, signed_headers

PAYLOADS = Path(__file__).parent / "payloads"
GUEST = "U0GUEST"
GUEST_TEAM = "T014GJXU940"  # the other organisation in bolt-python's Slack Connect payloads


def replayed(name: str) -> Any:
    return json.loads((PAYLOADS / f"{name}.json").read_text(encoding="utf-8"))["body"]


async def known_spaces(store: SqlStore) -> set[tuple[str, str]]:
    async with store.engine.connect() as connection:
        rows = await connection.execute(text("SELECT platform, external_id FROM spaces"))
        return {(row[0], row[1]) for row in rows}


def tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records if record.exc_info]


async def still_answers(slack: SlackHarness) -> None:
    """Ben's help is answered, and his welcome (his first command) is the only DM sent."""
    started = time.perf_counter()
    answer = await slack.command("help")
    assert answer.status == 200 and time.perf_counter() - started < 3
    assert answer.json()["text"].startswith("*Rounds: what you can do*")
    await slack.core.runtime.kicked()
    assert [m["channel"] for m in slack.fake.called("chat.postMessage")] == [MEMBER]


async def test_an_unsigned_ssl_check_is_answered(slack: SlackHarness, store: SqlStore) -> None:
    body = replayed("ssl_check")
    answer = await slack.post(body, {"Content-Type": FORM})
    assert (answer.status, answer.text) == (200, "")
    assert [c.method for c in slack.fake.calls] == ["auth.test"]  # at start; nothing since
    assert await known_spaces(store) == set()


@pytest.mark.parametrize(
    "name",
    [
        "slack_connect_member_joined_channel",
        "team_access_granted",
        "app_uninstalled",
        "tokens_revoked",
    ],
)
async def test_an_envelope_rounds_does_not_handle_records_nothing(
    slack: SlackHarness, store: SqlStore, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    body = json.dumps(replayed(name))
    started = time.perf_counter()
    answer = await slack.post(body, signed_headers(body, "application/json"))
    assert answer.status == 200 and time.perf_counter() - started < 3
    assert await known_spaces(store) == set()
    assert tracebacks(caplog) == []
    await still_answers(slack)
    assert await known_spaces(store) == {("slack", TEAM)}


async def test_an_event_about_another_team_records_nothing(
    slack: SlackHarness, store: SqlStore
) -> None:
    body = replayed("slack_connect_member_joined_channel")
    body["event"] = {"type": "app_home_opened", "user": "UL5CBM924", "tab": "home"}
    raw = json.dumps(body)
    answer = await slack.post(raw, signed_headers(raw, "application/json"))
    assert answer.status == 200
    assert await known_spaces(store) == set()
    assert slack.fake.called("views.publish") == []


def guest_submission(slack: SlackHarness) -> dict[str, Any]:
    """Our recorded `view_submission`, sent by a Slack Connect member of another team."""
    body = json.loads((PAYLOADS / "view_submission.json").read_text(encoding="utf-8"))
    body["user"] = {"id": GUEST, "username": "guest", "name": "guest", "team_id": GUEST_TEAM}
    meta = json.loads(body["view"]["private_metadata"])
    meta["url"] = slack.fake.response_url("guest-form")
    body["view"]["private_metadata"] = json.dumps(meta)
    return body


async def test_a_member_of_another_organisation_submitting_a_form_gets_no_welcome(
    slack: SlackHarness, store: SqlStore, caplog: pytest.LogCaptureFixture
) -> None:
    slack.fake.add_user(GUEST, "guest", team=GUEST_TEAM)
    answer = await slack.interact(guest_submission(slack))
    assert answer.status == 200
    reply = answer.json()
    assert reply["response_action"] == "update"
    assert "serves the members of the Rounds Test workspace" in json.dumps(reply["view"])
    assert slack.fake.called("chat.postMessage") == []
    assert await known_spaces(store) == set()
    assert tracebacks(caplog) == []
    await still_answers(slack)


async def test_a_member_of_another_organisation_pressing_a_button_is_answered_privately(
    slack: SlackHarness, store: SqlStore
) -> None:
    slack.fake.add_user(GUEST, "guest", team=GUEST_TEAM)
    payload = block_actions("profile.form#0", user=GUEST, channel=CHANNEL)
    payload["user"]["team_id"] = GUEST_TEAM
    payload["response_url"] = slack.fake.response_url("guest-press")
    assert (await slack.interact(payload)).status == 200
    [said] = await slack.fake.wait_for("respond/guest-press")
    assert said["response_type"] == "ephemeral" and said["replace_original"] is False
    assert said["text"].startswith("Rounds serves the members of the Rounds Test workspace")
    assert slack.fake.called("views.open") == []
    assert slack.fake.called("chat.postMessage") == []
    assert await known_spaces(store) == set()


@pytest.mark.parametrize("stated_team", [GUEST_TEAM, TEAM], ids=["payload says", "users.info says"])
async def test_a_command_from_another_organisation_is_answered_privately(
    slack: SlackHarness, store: SqlStore, stated_team: str
) -> None:
    slack.fake.add_user(GUEST, "guest", team=GUEST_TEAM)
    body = command_body(slack.fake, "profile set specialty=surgery", user=GUEST)
    body = body.replace(f"team_id={TEAM}", f"team_id={stated_team}")
    answer = await slack.signed(body)
    assert answer.status == 200
    assert answer.json() == {
        "response_type": "ephemeral",
        "text": "Rounds serves the members of the Rounds Test workspace, so it can't do this "
        "for you. Nothing was saved.",
    }
    assert slack.fake.called("chat.postMessage") == []
    assert await known_spaces(store) == set()


async def test_a_team_join_of_another_organisation_welcomes_nobody(
    slack: SlackHarness, store: SqlStore
) -> None:
    user = {"id": GUEST, "team_id": GUEST_TEAM, "name": "guest", "profile": {}}
    assert (await slack.event({"type": "team_join", "user": user}, "EvGuest")).status == 200
    await still_answers(slack)
