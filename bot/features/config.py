"""Configuration for community managers: channels per programme, managers, programme settings.

Register this feature last: `config set` takes every setting the other features declared.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context, channel_key
from bot.domain import Role
from bot.errors import UserError
from bot.messages import Message, literal, mention
from bot.options import Option, OptionKind
from bot.ports import SUBJECT
from bot.router import Channel, Command, Router
from bot.text import shown

MANAGERS = Channel("managers", "alerts for community managers", "rounds-managers")
UPCOMING: tuple[Channel, ...] = ()
"""Channels of programmes still to come. Managers may already have set them; they stay
configurable until their programme lands and declares its own (then it leaves this list)."""


def channels(router: Router) -> dict[str, Channel]:
    """Every channel managers can set: the programmes' own, then the core's."""
    found = dict(router.channels)
    for channel in (*UPCOMING, MANAGERS):
        found.setdefault(channel.name, channel)
    return found


async def show(ctx: Context, args: Mapping[str, Any]) -> None:
    ctx.reply(await render_config(ctx))


async def home(ctx: Context) -> Message | None:
    """Managers see the configuration on their home page; members don't."""
    return await render_config(ctx) if ctx.is_manager else None


async def getting_started(ctx: Context, managers: int) -> list[str]:
    """What a new community still has to set up, each with the command that does it; nothing
    once it is all done. `managers`: how many managers Rounds has made."""
    stored = await ctx.tx.settings.all(ctx.space.id)
    steps: list[tuple[bool, str]] = [
        (
            channel_key(name) in stored,
            f"Choose where {declared.purpose} go: "
            f"`/rounds config channel {name} #{declared.example or name}`",
        )
        for name, declared in channels(ctx.router).items()
    ]
    steps += [
        (
            "community.name" in stored,
            'Name your community: `/rounds config set community.name="Global Health Leaders"`',
        ),
        (
            "community.timezone" in stored,
            "Set the time zone for members who give none (now UTC): "
            "`/rounds config set community.timezone=Europe/London`",
        ),
        (
            managers > 1,
            "Share the work with a co-manager: `/rounds config manager add @member`",
        ),
    ]
    left = [step for done, step in steps if not done]
    if not left:
        return []
    done = len(steps) - len(left)
    return [f"**Getting started** ({done} of {len(steps)} done)", *(f"- {s}" for s in left), ""]


async def render_config(ctx: Context) -> Message:
    settings = await ctx.settings()
    managers = await ctx.tx.members.managers(ctx.space.id)
    lines = ["**Community configuration**", ""]
    lines += [*await getting_started(ctx, len(managers)), "**Channels**"]
    for name, declared in channels(ctx.router).items():
        channel = settings.get(channel_key(name))
        where = f"<#{channel}>" if channel else "_not set_"
        lines.append(f"- {name}: {where} ({declared.purpose})")
    names = ", ".join(mention(m.user_id) for m in managers) or "_none added_"
    lines += ["", f"**Managers**: {names} (workspace and server admins are managers too)"]
    if ctx.router.settings:
        lines += ["", "**Settings**"]
        for key, setting in sorted(ctx.router.settings.items()):
            value = literal(settings.get(key, setting.default))  # a manager typed it
            lines.append(f"- `{key}` = {value}: {setting.description}")
    lines += [
        "",
        "Change with `/rounds config channel intros #introductions`, "
        "`/rounds config manager add @member` or `/rounds config set key=value`.",
    ]
    return Message("\n".join(lines))


async def set_channel(ctx: Context, args: Mapping[str, Any]) -> None:
    programme, channel = args["programme"], args["channel"]
    purpose = channels(ctx.router)[programme].purpose
    await ctx.tx.settings.put(ctx.space.id, channel_key(programme), channel)
    await ctx.audit("config.channel", f"set the {programme} channel to <#{channel}>")
    ctx.reply(f"✓ {purpose[:1].upper()}{purpose[1:]} will now go to <#{channel}>.")


async def manage(ctx: Context, args: Mapping[str, Any]) -> None:
    verb, user_id = args["change"], args["member"]
    target = await ctx.tx.members.get(ctx.space.id, user_id)
    if verb == "add":
        assert target is not None  # the router made sure they are a member
        if target.is_manager:
            ctx.reply(f"{mention(user_id)} is already a manager. Nothing changed.")
            return
        await ctx.tx.members.set_manager(ctx.space.id, target.id, True)
        await ctx.audit("config.manager", f"added {SUBJECT} as a manager", subject=target)
        ctx.reply(f"✓ {mention(user_id)} is now a community manager.")
        return
    if target is None or not target.is_manager:
        raise UserError(
            f"{mention(user_id)} isn't a manager added here, so there's nothing to remove."
        )
    others = [m for m in await ctx.tx.members.managers(ctx.space.id) if m.id != target.id]
    if not others and not ctx.actor.is_platform_admin:
        raise UserError(
            "That would leave the community with no manager. Add another manager first."
        )
    await ctx.tx.members.set_manager(ctx.space.id, target.id, False)
    await ctx.audit("config.manager", f"removed {SUBJECT} as a manager", subject=target)
    ctx.reply(f"✓ {mention(user_id)} is no longer a community manager.")


async def set_settings(ctx: Context, args: Mapping[str, Any]) -> None:
    if not args:
        keys = ", ".join(sorted(ctx.router.settings)) or "none yet"
        raise UserError(f"Tell me which setting to change, e.g. `key=value`. Settings: {keys}.")
    changed = []
    for key, value in args.items():
        text = shown(value)
        await ctx.tx.settings.put(ctx.space.id, key, text)
        changed.append(f"`{key}` = {literal(text)}")
        await ctx.audit("config.set", f"set `{key}` to {literal(text)}")
    ctx.reply("✓ Saved: " + ", ".join(changed) + ".")


def register(router: Router) -> None:
    router.home_section(home)
    router.command(
        Command(("config",), "Show the community's configuration", show, role=Role.MANAGER)
    )
    router.command(
        Command(
            ("config", "channel"),
            "Choose the channel where a programme posts",
            set_channel,
            options=(
                Option(
                    "programme",
                    OptionKind.CHOICE,
                    "which programme",
                    required=True,
                    positional=True,
                    choices=tuple(channels(router)),
                ),
                Option(
                    "channel", OptionKind.CHANNEL, "the channel", required=True, positional=True
                ),
            ),
            role=Role.MANAGER,
            examples=("/rounds config channel intros #introductions",),
        )
    )
    router.command(
        Command(
            ("config", "manager"),
            "Add or remove a community manager",
            manage,
            options=(
                Option(
                    "change",
                    OptionKind.CHOICE,
                    "add or remove",
                    required=True,
                    positional=True,
                    choices=("add", "remove"),
                ),
                Option("member", OptionKind.MEMBER, "the member", required=True, positional=True),
            ),
            role=Role.MANAGER,
            examples=("/rounds config manager add @bob", "/rounds config manager remove @bob"),
        )
    )
    router.command(
        Command(
            ("config", "set"),
            "Change programme settings",
            set_settings,
            options=tuple(s.as_option() for s in router.settings.values()),
            role=Role.MANAGER,
            examples=('/rounds config set community.name="Global Health Leaders"',),
        )
    )
