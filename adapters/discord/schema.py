"""Slash-command schema generated from the router's declared commands, and the map back.

Discord nests at most `/top group subcommand`, so a path is placed generically: one word is a
subcommand, two words are group + subcommand, a word that is both a command and a group gets a
`show` subcommand, and three-word paths share their first two words' subcommand with the last
word as a required `action` choice. Manager commands live under their own top-level command,
because Discord sets `default_member_permissions` per top-level command only.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from bot.domain import Role
from bot.options import Option, OptionKind
from bot.router import Command, Router

MEMBER_TOP = "rounds"
MANAGER_TOP = "rounds-manage"
LEAF = "show"
ACTION = "action"
TEXT_FORM = "fields"
MANAGE_GUILD = 1 << 5
MAX_OPTIONS = 25
MAX_CHOICES = 25
MAX_DESCRIPTION = 100
MAX_STRING = 6000
NAME_RE = re.compile(r"^[-_a-z0-9]{1,32}$")

# Discord application command option types
SUB_COMMAND, SUB_COMMAND_GROUP, STRING, INTEGER, BOOLEAN, USER, CHANNEL = 1, 2, 3, 4, 5, 6, 7
GUILD_CONTEXT = 0
GUILD_INSTALL = 0

TOP_DESCRIPTIONS = {
    MEMBER_TOP: "Rounds: profiles, mentorship, events and peer Q&A",
    MANAGER_TOP: "Rounds for community managers: channels, managers, settings",
}


def clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def discord_name(name: str) -> str:
    """A core name as a Discord option name (lowercase letters, digits, `-` and `_`)."""
    converted = re.sub(r"[^-_a-z0-9]", "_", name.lower())[:32]
    if not NAME_RE.match(converted):
        raise ValueError(f"{name!r} cannot be a Discord name")
    return converted


@dataclass
class Entry:
    """One Discord subcommand and how its options map back to core commands.

    `paths` holds one core path, or several when the last word became the `action` choice.
    `names` maps Discord option names to core option names. `text_form` is set when the
    command has more options than Discord allows: it takes one `fields` text option instead.
    """

    top: str
    group: str | None
    sub: str
    commands: list[Command]
    names: dict[str, str] = field(default_factory=dict)
    options: dict[str, Option] = field(default_factory=dict)
    text_form: bool = False

    @property
    def key(self) -> tuple[str, str | None, str]:
        return (self.top, self.group, self.sub)

    @property
    def choice_path(self) -> bool:
        return len(self.commands) > 1 or len(self.commands[0].path) == 3

    @property
    def slow(self) -> bool:
        return any(c.slow for c in self.commands)

    def command_for(self, action: str | None) -> Command | None:
        if not self.choice_path:
            return self.commands[0]
        return next((c for c in self.commands if c.path[-1] == action), None)


@dataclass
class Schema:
    payload: list[dict[str, Any]]
    entries: dict[tuple[str, str | None, str], Entry]
    commands: dict[tuple[str, ...], str]
    """Core path -> how it is typed on Discord, e.g. ("config",) -> "/rounds-manage config show"."""

    def entry(self, top: str, group: str | None, sub: str) -> Entry | None:
        return self.entries.get((top, group, sub))


def top_of(command: Command) -> str:
    return MANAGER_TOP if command.role is Role.MANAGER else MEMBER_TOP


def place(commands: list[Command]) -> dict[tuple[str | None, str], list[Command]]:
    """Group + subcommand names for the commands under one top-level command."""
    groups = {c.path[0] for c in commands if len(c.path) > 1}
    placed: dict[tuple[str | None, str], list[Command]] = defaultdict(list)
    for command in commands:
        path = command.path
        slot: tuple[str | None, str]
        if len(path) == 1:
            slot = (path[0], LEAF) if path[0] in groups else (None, path[0])
        elif len(path) in (2, 3):
            slot = (path[0], path[1])
        else:
            raise ValueError(f"{command.name}: Discord cannot nest a path of {len(path)} words")
        placed[slot].append(command)
    for slot, found in placed.items():
        if len(found) > 1 and any(len(c.path) != 3 for c in found):
            names = ", ".join(c.name for c in found)
            raise ValueError(f"{names}: these paths collide on Discord at {slot}")
    return placed


def build_schema(router: Router) -> Schema:
    by_top: dict[str, list[Command]] = defaultdict(list)
    for command in router.commands.values():
        by_top[top_of(command)].append(command)
    payload: list[dict[str, Any]] = []
    entries: dict[tuple[str, str | None, str], Entry] = {}
    typed: dict[tuple[str, ...], str] = {}
    for top in (MEMBER_TOP, MANAGER_TOP):
        if not by_top.get(top):
            continue
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        subs: list[dict[str, Any]] = []
        for (group, sub), commands in place(by_top[top]).items():
            entry = Entry(top, group, sub, commands)
            entries[entry.key] = entry
            spec = subcommand(entry)
            (groups[group] if group else subs).append(spec)
            for command in commands:
                typed[command.path] = " ".join(f"/{top} {group or ''} {sub}".split())
        for group, children in sorted(groups.items()):
            summaries = sorted({c.summary for c in children_commands(entries, top, group)})
            subs.append(
                {
                    "type": SUB_COMMAND_GROUP,
                    "name": discord_name(group),
                    "description": clip(f"{group.capitalize()}: " + "; ".join(summaries)),
                    "options": sorted(children, key=lambda s: s["name"]),
                }
            )
        if len(subs) > MAX_OPTIONS:
            raise ValueError(f"/{top} would have {len(subs)} entries; Discord allows 25")
        command_payload: dict[str, Any] = {
            "type": 1,
            "name": top,
            "description": TOP_DESCRIPTIONS[top],
            "options": sorted(subs, key=lambda s: s["name"]),
            "contexts": [GUILD_CONTEXT],
            "integration_types": [GUILD_INSTALL],
            "nsfw": False,
        }
        if top == MANAGER_TOP:
            command_payload["default_member_permissions"] = str(MANAGE_GUILD)
        payload.append(command_payload)
    return Schema(payload, entries, typed)


def children_commands(
    entries: dict[tuple[str, str | None, str], Entry], top: str, group: str
) -> list[Command]:
    return [c for e in entries.values() if e.top == top and e.group == group for c in e.commands]


def merged_options(entry: Entry) -> list[Option]:
    """The options of every command sharing this subcommand; required only if all require it."""
    seen: dict[str, Option] = {}
    counts: dict[str, int] = defaultdict(int)
    for command in entry.commands:
        for option in command.options:
            seen.setdefault(option.name, option)
            counts[option.name] += option.required
    merged = []
    for name, option in seen.items():
        required = counts[name] == len(entry.commands)
        merged.append(option if option.required == required else _optional(option))
    return merged


def _optional(option: Option) -> Option:
    return Option(
        option.name,
        option.kind,
        option.description,
        choices=option.choices,
        min_value=option.min_value,
        max_value=option.max_value,
        max_length=option.max_length,
    )


def subcommand(entry: Entry) -> dict[str, Any]:
    first = entry.commands[0]
    summary = (
        first.summary
        if not entry.choice_path
        else "; ".join(f"{c.path[-1]}: {c.summary}" for c in entry.commands)
    )
    options: list[dict[str, Any]] = []
    if entry.choice_path:
        actions = [c.path[-1] for c in entry.commands]
        if any(o.name == ACTION for c in entry.commands for o in c.options):
            raise ValueError(f"{first.name}: an option named {ACTION!r} collides with the path")
        options.append(
            {
                "type": STRING,
                "name": ACTION,
                "description": "what to do",
                "required": True,
                "choices": [{"name": a, "value": a} for a in actions],
            }
        )
    core_options = merged_options(entry)
    if len(core_options) + len(options) > MAX_OPTIONS:
        entry.text_form = True
        options.append(
            {
                "type": STRING,
                "name": TEXT_FORM,
                "description": clip("field=value … as in the text form"),
                "required": False,
                "max_length": MAX_STRING,
            }
        )
    else:
        for option in core_options:
            name = discord_name(option.name)
            if name in entry.names:
                raise ValueError(f"{first.name}: options collide on Discord as {name!r}")
            entry.names[name] = option.name
            entry.options[name] = option
            options.append(option_payload(name, option))
    options.sort(key=lambda o: not o.get("required", False))  # Discord: required ones first
    return {
        "type": SUB_COMMAND,
        "name": discord_name(entry.sub),
        "description": clip(summary),
        "options": options,
    }


def option_payload(name: str, option: Option) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "description": clip(option.description or option.name),
        "required": option.required,
    }
    kind = option.kind
    if kind is OptionKind.INTEGER:
        data["type"] = INTEGER
        if option.min_value is not None:
            data["min_value"] = option.min_value
        if option.max_value is not None:
            data["max_value"] = option.max_value
    elif kind is OptionKind.BOOLEAN:
        data["type"] = BOOLEAN
    elif kind is OptionKind.MEMBER:
        data["type"] = USER
    elif kind is OptionKind.CHANNEL:
        data["type"] = CHANNEL
    else:
        data["type"] = STRING
        data["max_length"] = min(option.length_limit, MAX_STRING)
        if kind is OptionKind.CHOICE and len(option.choices) <= MAX_CHOICES:
            data["choices"] = [{"name": c, "value": c} for c in option.choices]
        elif kind in (OptionKind.CHOICE, OptionKind.TIMEZONE):
            data["autocomplete"] = True
    return data
