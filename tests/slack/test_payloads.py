"""Slack payloads → core inputs, as pure functions over recorded payloads (tests/slack/payloads)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from adapters.slack import payloads
from adapters.slack.render import Origin
from tests.slack.conftest import command_body
from tests.slack.fake_slack import FakeSlack

RECORDED = Path(__file__).parent / "payloads"


def recorded(name: str) -> dict[str, Any]:
    return json.loads((RECORDED / f"{name}.json").read_text(encoding="utf-8"))


def test_a_slash_command_names_the_member_channel_and_text() -> None:
    body = dict(
        parse_qsl(command_body(FakeSlack(base_url="https://hooks.example"), "profile @ann"))
    )
    command = payloads.slash_command(body)
    assert command.who == payloads.Who("T0ROUNDS", "U0BEN", "u0ben", "C0GENERAL")
    assert command.text == "profile @ann"
    assert command.trigger_id == "1337.42.trigger"
    assert command.response_url == "https://hooks.example/respond/cmd"


def test_a_button_press_in_a_message_strips_the_button_number() -> None:
    press = payloads.button_press(recorded("block_actions_message"))
    assert press is not None
    assert press.action_id == "profile.form" and press.value == ""
    assert press.who == payloads.Who("T0ROUNDS", "U0BEN", "ben.osei", "D0BEN", "T0ROUNDS")
    assert press.response_url == "https://hooks.slack.com/actions/T0ROUNDS/1/abc"
    assert not press.on_home


def test_a_button_press_on_the_home_tab_has_no_response_url() -> None:
    press = payloads.button_press(recorded("block_actions_home"))
    assert press is not None
    assert (press.action_id, press.value, press.on_home) == ("rsvp.going", "event:12", True)
    assert press.response_url is None and press.who.channel_id is None


def test_action_ids_keep_their_own_hashes() -> None:
    assert payloads.core_action_id("qa.accept#12") == "qa.accept"
    assert payloads.core_action_id("qa.tag#urgent") == "qa.tag#urgent"
    assert payloads.core_action_id("plain") == "plain"


def test_a_modal_submission_reads_every_kind_of_input_and_where_it_came_from() -> None:
    submission = payloads.form_submission(recorded("view_submission"))
    assert submission.form_id == "profile.edit"
    assert submission.values == {"name": "Ben Osei", "role": "resident", "specialty": ""}
    assert submission.field_names == ("name", "role", "specialty")
    assert submission.origin == Origin(
        "C0GENERAL", "https://hooks.slack.com/commands/T0ROUNDS/9/xyz", False
    )


def test_a_submission_with_mangled_metadata_is_still_read() -> None:
    body = recorded("view_submission")
    body["view"]["private_metadata"] = "not json"
    submission = payloads.form_submission(body)
    assert submission.form_id == "" and submission.origin == Origin()


def test_team_join_is_a_member_joining_and_owners_are_admins() -> None:
    joined = payloads.joined(recorded("team_join"))
    who = payloads.Who("T0ROUNDS", "U0CHIOMA", "Chioma", user_team="T0ROUNDS")
    assert joined == payloads.Joined(who, True)


def test_bots_joining_are_not_members() -> None:
    body = recorded("team_join")
    body["event"]["user"]["is_bot"] = True
    assert payloads.joined(body) is None


def test_a_deactivated_member_in_user_change_is_a_member_leaving() -> None:
    # shaped as Slack's documented user_change example (docs.slack.dev/reference/events/
    # user_change), with `deleted` set as Slack sends it when an admin deactivates someone
    body = recorded("user_change_deleted")
    assert payloads.left(body) == payloads.Who(
        "T0ROUNDS", "U0CHIOMA", "chioma.eze", user_team="T0ROUNDS"
    )


def test_other_user_changes_are_not_leaves() -> None:
    body = recorded("user_change_deleted")
    body["event"]["user"]["deleted"] = False  # a new status or name
    assert payloads.left(body) is None
    body["event"]["user"].update(deleted=True, is_bot=True)
    assert payloads.left(body) is None
    assert payloads.left({"event": {"type": "user_change"}}) is None


def test_home_opened_and_event_keys() -> None:
    body = recorded("app_home_opened")
    assert payloads.home_opened(body) == payloads.Who("T0ROUNDS", "U0BEN")
    assert payloads.event_key(body) == ("T0ROUNDS", "Ev0HOME")
    body["event"]["tab"] = "messages"
    assert payloads.home_opened(body) is None
    assert payloads.event_key(recorded("view_submission")) is None
