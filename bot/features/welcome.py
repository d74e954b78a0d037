"""Welcome: a new member gets a warm DM that asks them to fill in their profile."""

from __future__ import annotations

from bot.context import Context
from bot.messages import Button, ButtonStyle, DirectMessage, Message, literal, mention
from bot.options import OptionKind
from bot.ports import NewDelivery
from bot.router import Router, Setting
from bot.text import PROFILE_EXAMPLE, PROFILE_FORM_ACTION


def render_welcome(user_id: str, community: str, *, manager: bool = False) -> Message:
    text = (
        f"Welcome to {community}, {mention(user_id)}! 👋\n"
        "Rounds connects emerging healthcare leaders: peers across institutions, mentors, "
        "workshops, and answers to hard questions.\n\n"
        "**One thing to do now:** fill in your profile (two minutes) so peers and mentors can "
        "find you. Press the button, or type:\n"
        f"`{PROFILE_EXAMPLE}`\n\n"
        "Type `/rounds help` any time to see everything you can do."
    )
    if manager:
        text += (
            "\n\n**You manage Rounds here.** `/rounds config` lists the few things to set up "
            "(where each programme posts, the community's name and time zone)."
        )
    return Message(
        text,
        buttons=(Button("Fill in my profile", PROFILE_FORM_ACTION, style=ButtonStyle.PRIMARY),),
    )


async def welcome(ctx: Context) -> None:
    if (await ctx.setting("welcome.enabled")) != "yes":
        return
    community = literal(await ctx.setting("community.name") or "the community")
    await ctx.deliver(
        NewDelivery(
            dedupe_key=f"welcome:{ctx.member.id}",
            purpose="welcome",
            target=DirectMessage(ctx.member.user_id),
            message=render_welcome(ctx.member.user_id, community, manager=ctx.is_manager),
            due_at=ctx.now,
            fallback_channel="intros",
        )
    )


def register(router: Router) -> None:
    router.setting(
        Setting(
            "community.name",
            OptionKind.TEXT,
            "the community",
            "the name used in messages",
            example='"Global Health Leaders"',
        )
    )
    router.setting(
        Setting(
            "community.timezone",  # bot.localtime.COMMUNITY_ZONE, read at send time
            OptionKind.TIMEZONE,
            "UTC",
            "time zone for members who set none (quiet hours, sending hours)",
        )
    )
    router.setting(
        Setting("welcome.enabled", OptionKind.BOOLEAN, "yes", "DM new members a welcome")
    )
    router.on_member_joined(welcome)
