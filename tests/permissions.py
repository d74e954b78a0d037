"""The permission matrix's rows: every manager-only command the router declares, as a member
would type it on Slack or the console, and as Discord would send it, with plausible values."""

from __future__ import annotations

from typing import Any

from adapters.discord.schema import build_schema
from bot.domain import Role
from bot.features.catalog import build_router
from bot.options import Option, OptionKind
from bot.router import Command
from tests.discord.fake_discord import BOB, GENERAL, slash

REFUSAL = "Only community managers can do that."
TYPED = {
    OptionKind.INTEGER: "2",
    OptionKind.BOOLEAN: "yes",
    OptionKind.DATETIME: "2026-03-10 18:00",
    OptionKind.DURATION: "2w",
    OptionKind.TIMEZONE: "Europe/London",
}


def manager_commands() -> list[Command]:
    router = build_router()
    return [c for c in router.commands.values() if c.role is Role.MANAGER]


def value(option: Option, *, member: str, channel: str) -> str:
    if option.choices:
        return option.choices[0]
    if option.kind is OptionKind.MEMBER:
        return member
    if option.kind is OptionKind.CHANNEL:
        return channel
    return TYPED.get(option.kind, "1")


def typed(command: Command, *, member: str = "@bob", channel: str = "#general") -> str:
    """`/rounds …` with every option given (so only the role can refuse it)."""
    parts = ["/rounds", command.name]
    for option in command.options:
        shown = value(option, member=member, channel=channel)
        parts.append(shown if option.positional else f'{option.name}="{shown}"')
    return " ".join(parts)


DISCORD_TYPES = {OptionKind.INTEGER: 4, OptionKind.BOOLEAN: 5, OptionKind.MEMBER: 6}


def interaction(command: Command, user_id: str) -> dict[str, Any]:
    """The interaction Discord sends for `command` (under `/rounds-manage`) typed by `user_id`."""
    schema = build_schema(build_router())
    [entry] = [e for e in schema.entries.values() if command in e.commands]
    options: dict[str, tuple[int, Any]] = {}
    for name, option in entry.options.items():
        if entry.text_form or not option.required:
            continue
        raw = value(option, member=BOB, channel=GENERAL)
        kind = 7 if option.kind is OptionKind.CHANNEL else DISCORD_TYPES.get(option.kind, 3)
        options[name] = (kind, {4: int, 5: lambda v: True}.get(kind, str)(raw))
    names = [n for n in (entry.group, entry.sub) if n]
    return slash(entry.top, *names, options=options, user_id=user_id)
