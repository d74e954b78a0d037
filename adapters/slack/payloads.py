"""Slack payloads as core inputs: pure functions, tested against recorded payloads.

Nothing here calls Slack or the core. `Who` is what a payload says about the member; whether
they are a workspace admin comes from `users.info` (see `directory.py`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from adapters.slack.render import ACTION_SEPARATOR, FORM_CALLBACK, Origin
from bot.domain import SpaceKey

PLATFORM = "slack"


def space_of(team_id: str) -> SpaceKey:
    return SpaceKey(PLATFORM, team_id)


@dataclass(frozen=True)
class Who:
    """A member as a payload names them: their team, id, and the channel they acted in."""

    team_id: str
    user_id: str
    name: str = ""
    channel_id: str | None = None
    user_team: str = ""
    """The team the payload says the member belongs to, when it says (Slack Connect members
    belong to another organisation's team)."""


@dataclass(frozen=True)
class SlashCommand:
    who: Who
    text: str
    trigger_id: str | None
    response_url: str | None


@dataclass(frozen=True)
class ButtonPress:
    who: Who
    action_id: str
    value: str
    trigger_id: str | None
    response_url: str | None
    on_home: bool
    """Pressed on the App Home tab (no response URL: the tab is published again)."""


@dataclass(frozen=True)
class FormSubmission:
    who: Who
    form_id: str
    context: str
    values: dict[str, str]
    field_names: tuple[str, ...]
    origin: Origin


@dataclass(frozen=True)
class Joined:
    who: Who
    is_admin: bool


def slash_command(body: Mapping[str, Any]) -> SlashCommand:
    who = Who(
        team_id=str(body.get("team_id", "")),
        user_id=str(body.get("user_id", "")),
        name=str(body.get("user_name", "")),
        channel_id=body.get("channel_id") or None,
    )
    return SlashCommand(
        who=who,
        text=str(body.get("text", "")),
        trigger_id=body.get("trigger_id") or None,
        response_url=body.get("response_url") or None,
    )


def _object(value: Any) -> Mapping[str, Any]:
    """A part of a payload that should be an object; an empty one when it is anything else."""
    return value if isinstance(value, Mapping) else {}


def _team(body: Mapping[str, Any]) -> str:
    team = _object(body.get("team"))
    user = _object(body.get("user"))
    return str(team.get("id") or user.get("team_id") or "")


def _user_team(body: Mapping[str, Any]) -> str:
    return str(_object(body.get("user")).get("team_id") or "")


def _user(body: Mapping[str, Any]) -> tuple[str, str]:
    user = _object(body.get("user"))
    return str(user.get("id", "")), str(user.get("username") or user.get("name") or "")


def core_action_id(slack_action_id: str) -> str:
    """`profile.form#0` → `profile.form` (buttons are numbered to keep Slack's ids unique)."""
    base, separator, index = slack_action_id.rpartition(ACTION_SEPARATOR)
    return base if separator and index.isdigit() else slack_action_id


def button_press(body: Mapping[str, Any]) -> ButtonPress | None:
    actions = body.get("actions") or []
    if not isinstance(actions, list) or not actions or not isinstance(actions[0], Mapping):
        return None
    action = actions[0]
    container = _object(body.get("container"))
    channel = _object(body.get("channel")).get("id") or container.get("channel_id")
    user_id, name = _user(body)
    return ButtonPress(
        who=Who(_team(body), user_id, name, channel or None, _user_team(body)),
        action_id=core_action_id(str(action.get("action_id", ""))),
        value=str(action.get("value") or ""),
        trigger_id=body.get("trigger_id") or None,
        response_url=body.get("response_url") or None,
        on_home=container.get("type") == "view",
    )


def input_value(element: Mapping[str, Any]) -> str:
    """The text of one modal input, whatever kind of element it is."""
    selected = element.get("selected_option")
    if isinstance(selected, Mapping):
        return str(selected.get("value", ""))
    value = element.get("value")
    return "" if value is None else str(value)


def form_submission(body: Mapping[str, Any]) -> FormSubmission:
    view = _object(body.get("view"))
    try:
        meta = json.loads(str(view.get("private_metadata") or "{}"))
    except ValueError:
        meta = {}
    if not isinstance(meta, dict):
        meta = {}
    state = _object(_object(view.get("state")).get("values"))
    values = {
        str(block_id): input_value(_object(next(iter(inputs.values()), {})))
        for block_id, inputs in state.items()
        if isinstance(inputs, dict)
    }
    blocks = view.get("blocks") if isinstance(view.get("blocks"), list) else []
    names = tuple(
        str(b.get("block_id", ""))
        for b in blocks or []
        if isinstance(b, Mapping) and b.get("type") == "input"
    )
    user_id, name = _user(body)
    channel = str(meta.get("channel") or "") or None
    origin = Origin(channel, str(meta.get("url") or "") or None, bool(meta.get("home")))
    return FormSubmission(
        who=Who(_team(body), user_id, name, channel, _user_team(body)),
        form_id=str(meta.get("form", "")),
        context=str(meta.get("context", "")),
        values=values,
        field_names=names or tuple(values),
        origin=origin,
    )


def is_form(view: Mapping[str, Any]) -> bool:
    return view.get("callback_id") == FORM_CALLBACK


def joined(body: Mapping[str, Any]) -> Joined | None:
    """`team_join`: the new member, and whether Slack already says they are an admin."""
    event = _object(body.get("event"))
    user = event.get("user") or {}
    if not isinstance(user, dict) or not user.get("id") or user.get("is_bot"):
        return None
    profile = _object(user.get("profile"))
    name = profile.get("display_name") or profile.get("real_name") or user.get("name") or ""
    team = str(body.get("team_id") or "")
    admin = bool(user.get("is_admin") or user.get("is_owner"))
    who = Who(team, str(user["id"]), str(name), user_team=str(user.get("team_id") or ""))
    return Joined(who, admin)


def left(body: Mapping[str, Any]) -> Who | None:
    """`user_change` for a deactivated member (`deleted`): they left the workspace.

    Every other `user_change` (a new status, a renamed profile) is not a leave.
    """
    event = body.get("event") or {}
    user = event.get("user") or {}
    if not isinstance(user, dict) or not user.get("id") or not user.get("deleted"):
        return None
    if user.get("is_bot"):
        return None
    team = str(body.get("team_id") or "")
    user_team = str(user.get("team_id") or "")
    return Who(team, str(user["id"]), str(user.get("name") or ""), user_team=user_team)


def home_opened(body: Mapping[str, Any]) -> Who | None:
    event = _object(body.get("event"))
    if event.get("tab", "home") != "home" or not isinstance(event.get("user"), str):
        return None
    return Who(str(body.get("team_id", "")), str(event["user"]))


def event_type(body: Mapping[str, Any]) -> str | None:
    """The type of an Events API callback's event; None for anything else."""
    if body.get("type") != "event_callback":
        return None
    event = body.get("event")
    return str(event.get("type") or "") if isinstance(event, dict) else ""


def envelope_team(body: Mapping[str, Any]) -> str:
    """The team an Events API envelope is about. For a Slack Connect channel shared with
    another organisation this can be that organisation's team, not the installed one."""
    return str(body.get("team_id") or "")


def event_key(body: Mapping[str, Any]) -> tuple[str, str] | None:
    """(team, event id) of an Events API callback, for deduplicating Slack's retries."""
    if body.get("type") != "event_callback" or not body.get("event_id"):
        return None
    return str(body.get("team_id", "")), str(body["event_id"])


class Malformed(ValueError):
    """A signed request whose body Slack would never send (cut short, wrong types)."""


@dataclass(frozen=True)
class Inbound:
    """A signed request to the events URL: what it is, and its parsed body."""

    kind: str
    """`command`, `block_actions`, `view_submission`, `event` or `other` (Bolt's business)."""
    body: dict[str, Any]


def inbound(raw: bytes, content_type: str) -> Inbound:
    """What a signed request to the events URL carries. Raises `Malformed` for a body that is
    not what its content type says, or whose parts have the wrong types."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("not UTF-8") from None
    if content_type == "application/json":
        body = _json_object(text)
        kind = "event" if body.get("type") == "event_callback" else "other"
        if kind == "event" and not isinstance(body.get("event"), dict):
            raise Malformed("an event callback without an event")
        return Inbound(kind, body)
    if content_type != "application/x-www-form-urlencoded":
        return Inbound("other", {})
    fields = dict(parse_qsl(text, keep_blank_values=True))
    if "payload" in fields:
        body = _json_object(fields["payload"])
        kind = str(body.get("type") or "")
        if kind == "block_actions":
            _shaped(body, actions=list, user=dict)
        elif kind == "view_submission":
            _shaped(body, view=dict, user=dict)
            if not isinstance(body["view"].get("state", {}), dict):
                raise Malformed("view.state is not an object")
        else:
            kind = "other"
        return Inbound(kind, body)
    if "command" in fields:
        return Inbound("command", fields)
    return Inbound("other", fields)


def _json_object(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        raise Malformed("not JSON") from None
    if not isinstance(body, dict):
        raise Malformed("not a JSON object")
    return body


def _shaped(body: Mapping[str, Any], **kinds: type) -> None:
    for name, kind in kinds.items():
        if not isinstance(body.get(name), kind):
            raise Malformed(f"{name} is not a {kind.__name__}")
