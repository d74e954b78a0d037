"""Discord payloads -> core inputs, as pure functions over the raw interaction data.

A slash command's nested options become a core path and raw option text (members as `<@id>`,
channels as `<#id>`, booleans as yes/no); a modal submission becomes field values; custom ids
carry the space, the core's action id and its value, so old buttons keep working.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.discord.schema import (
    ACTION,
    BOOLEAN,
    CHANNEL,
    SUB_COMMAND,
    SUB_COMMAND_GROUP,
    TEXT_FORM,
    USER,
    Entry,
    Schema,
)
from bot.router import Command

BUTTON_PREFIX = "rounds"
FORM_PREFIX = "rounds-form"
BUTTON_TEMPLATE = rf"{BUTTON_PREFIX}:(?P<space>\d+):(?P<action>[^:]+):(?P<value>.*)"
FORM_RE = re.compile(rf"^{FORM_PREFIX}:(?P<space>\d+):(?P<form>[^:]+):(?P<context>.*)$", re.S)
MAX_CUSTOM_ID = 100


@dataclass
class Invocation:
    """A slash command as the core takes it: typed (`command`, `raw`) or as `text`."""

    entry: Entry
    command: Command | None
    raw: dict[str, str] = field(default_factory=dict)
    text: str | None = None
    focused: str | None = None
    """For autocomplete: the core name of the option being typed, and `raw` holds its text."""


def raw_value(option_type: int, value: Any) -> str:
    if option_type == USER:
        return f"<@{value}>"
    if option_type == CHANNEL:
        return f"<#{value}>"
    if option_type == BOOLEAN:
        return "yes" if value else "no"
    return str(value)


def invocation(schema: Schema, data: Mapping[str, Any]) -> Invocation | None:
    """The entry, core command and raw values of a slash command or autocomplete payload."""
    top = str(data.get("name", ""))
    group: str | None = None
    options: list[Mapping[str, Any]] = list(data.get("options") or [])
    if options and options[0].get("type") == SUB_COMMAND_GROUP:
        group = options[0]["name"]
        options = list(options[0].get("options") or [])
    if not options or options[0].get("type") != SUB_COMMAND:
        return None
    sub = options[0]["name"]
    leaves = list(options[0].get("options") or [])
    entry = schema.entry(top, group, sub)
    if entry is None:
        return None
    values = {leaf["name"]: leaf for leaf in leaves}
    action = values.pop(ACTION, {}).get("value") if entry.choice_path else None
    command = entry.command_for(action)
    result = Invocation(entry, command)
    for name, leaf in values.items():
        if leaf.get("focused"):
            result.focused = entry.names.get(name, name)
        if entry.text_form and name == TEXT_FORM:
            result.text = str(leaf.get("value", ""))
            continue
        result.raw[entry.names.get(name, name)] = raw_value(int(leaf["type"]), leaf.get("value"))
    if entry.text_form and command is not None:
        result.text = f"{command.name} {result.text or ''}".strip()
    return result


def button_id(space: str, action_id: str, value: str) -> str:
    custom_id = f"{BUTTON_PREFIX}:{space}:{action_id}:{value}"
    if len(custom_id) > MAX_CUSTOM_ID:
        raise ValueError(f"button {action_id} carries a value too long for Discord")
    return custom_id


def form_id(space: str, form: str, context: str) -> str:
    custom_id = f"{FORM_PREFIX}:{space}:{form}:{context}"
    if len(custom_id) > MAX_CUSTOM_ID:
        raise ValueError(f"form {form} carries a context too long for Discord")
    return custom_id


@dataclass(frozen=True)
class Submission:
    space: str
    form_id: str
    context: str
    values: dict[str, str]


def submission(data: Mapping[str, Any]) -> Submission | None:
    """A modal submission: which form, for which space, and the text of each field."""
    match = FORM_RE.match(str(data.get("custom_id", "")))
    if match is None:
        return None
    values: dict[str, str] = {}
    _collect(data.get("components") or [], values)
    return Submission(match["space"], match["form"], match["context"], values)


def _collect(components: list[Mapping[str, Any]], into: dict[str, str]) -> None:
    """Walk action rows (legacy) and labels (current) down to the inputs."""
    for component in components:
        if "custom_id" in component:
            if "values" in component:
                chosen = component.get("values") or []
                into[component["custom_id"]] = str(chosen[0]) if chosen else ""
            else:
                into[component["custom_id"]] = str(component.get("value") or "")
        if component.get("component"):
            _collect([component["component"]], into)
        _collect(component.get("components") or [], into)
