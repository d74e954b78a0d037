"""Help, generated from the declared commands, showing only what the member's role may use."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.domain import Role
from bot.errors import UserError
from bot.messages import Message, literal
from bot.options import Option, OptionKind
from bot.router import TOP, Command, Router


async def visible(ctx: Context) -> list[Command]:
    """The commands the member's role allows, less those the space's settings keep from
    members (a manager sees every one of theirs)."""
    settings = await ctx.settings()
    return [
        c
        for c in ctx.router.commands.values()
        if c.role in ctx.roles and (ctx.is_manager or c.shown_if is None or c.shown_if(settings))
    ]


def render_overview(commands: list[Command], sections: Mapping[tuple[str, ...], str]) -> Message:
    """Members' commands under their programme's heading, in the order they were declared;
    managers' commands after, in one list."""
    grouped: dict[str, list[Command]] = {}
    for command in commands:
        if command.role is not Role.MANAGER:
            grouped.setdefault(sections.get(command.path) or "More", []).append(command)
    managing = sorted((c for c in commands if c.role is Role.MANAGER), key=lambda c: c.path)
    lines = ["**Rounds: what you can do**"]
    for heading, listed in grouped.items():
        lines.append(f"\n**{heading}**")
        lines += [f"- `{TOP} {c.name}`: {c.summary}" for c in listed]
    if managing:
        lines.append("\n**For community managers**")
        lines += [f"- `{TOP} {c.name}`: {c.summary}" for c in managing]
        lines.append(f"Setting up? `{TOP} config` lists what's left to do.")
    lines.append(
        f"\nFor details on one, type `{TOP} help <command>`, e.g. `{TOP} help profile set`."
    )
    return Message("\n".join(lines))


def describe(option: Option) -> str:
    text = option.description
    if option.kind is OptionKind.CHOICE:
        text += f" (one of: {', '.join(option.choices)})"
    elif option.rule:
        text += f" ({option.rule})"
    if option.required:
        text += ", required"
    return text


def render_command(command: Command, more: list[Command] | None = None) -> Message:
    """One command in detail; `more` are the commands under it (`profile` → `profile set`)."""
    lines = [f"**{TOP} {command.name}**: {command.summary}", f"Usage: `{command.usage}`"]
    if command.options:
        lines.append("")
        lines.extend(f"- `{o.name}`: {describe(o)}" for o in command.options)
    examples = list(command.examples)
    for sub in more or []:
        lines += ["", f"**{TOP} {sub.name}**: {sub.summary}", f"Usage: `{sub.usage}`"]
        lines.extend(f"- `{o.name}`: {describe(o)}" for o in sub.options)
        examples += sub.examples[:1]
    if examples:
        lines.append("\nExamples:")
        lines.extend(f"- `{example}`" for example in examples)
    return Message("\n".join(lines))


def render_group(path: tuple[str, ...], commands: list[Command]) -> Message:
    """A group of commands (`network`): each one, with its usage."""
    lines = [f"**{TOP} {' '.join(path)}**: {len(commands)} commands"]
    for command in sorted(commands, key=lambda c: c.path):
        lines.append(f"- `{command.usage}`: {command.summary}")
    lines.append(f"\nFor details on one, type `{TOP} help {commands[0].name}`.")
    return Message("\n".join(lines))


async def show_help(ctx: Context, args: Mapping[str, Any]) -> None:
    topic = str(args.get("command", "")).strip().lower()
    if topic.startswith(TOP):
        topic = topic[len(TOP) :].strip()
    commands = await visible(ctx)
    if not topic:
        ctx.reply(render_overview(commands, ctx.router.sections))
        return
    path = tuple(topic.split())
    exact = ctx.router.commands.get(path)
    if exact is not None and exact.role not in ctx.roles:
        raise UserError(f"`{TOP} {literal(topic)}` is for community {exact.role.value}s.")
    under = [c for c in commands if c.path[: len(path)] == path and c.path != path]
    if exact is not None:
        ctx.reply(render_command(exact, sorted(under, key=lambda c: c.path)))
        return
    if under:
        ctx.reply(render_group(path, under))
        return
    raise UserError(f"There's no `{TOP} {literal(topic)}`. Type `{TOP} help` to see every command.")


def register(router: Router) -> None:
    router.command(
        Command(
            ("help",),
            "See what you can do, or details on one command",
            show_help,
            options=(
                Option(
                    "command",
                    OptionKind.TEXT,
                    "the command to explain, e.g. profile set",
                    positional=True,
                    greedy=True,
                    max_length=100,
                ),
            ),
            examples=("/rounds help", "/rounds help profile set"),
        )
    )
