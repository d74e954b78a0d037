"""Introduction cards in the intros channel, "Say hello", and the one gentle reminder for
members who haven't introduced themselves after three days."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time, timedelta
from typing import Any

from bot.context import Context, JobContext, channel_key
from bot.domain import Member
from bot.features.intros._directory import HELLO_ACTION
from bot.features.intros.model import INTROS
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE, local, next_allowed, next_local
from bot.messages import (
    Button,
    ButtonStyle,
    ChannelPost,
    DirectMessage,
    Message,
    channel,
    mention,
    sanitize,
)
from bot.ports import NewDelivery
from bot.text import profile_fields

POST_ACTION = "intros.post"
REMIND_AFTER = timedelta(days=3)
REMIND_WINDOW = timedelta(days=7)  # members who joined long before the feature get no nudge
DAY_STARTS, DAY_ENDS = time(9, 0), time(18, 0)
NO_CHANNEL = (
    "Introductions need a channel first. A community manager can set it with "
    "`/rounds config channel intros #introductions`."
)


def card_key(member_id: int, where: str, version: int) -> str:
    """A card's outbox key. The channel is part of it: a card only replaces (edits) the
    previous card when both are in the same channel."""
    return f"intro:{member_id}:{where}:{version}"


def reminder_key(member_id: int) -> str:
    return f"intro-reminder:{member_id}"


def hello_key(sender_id: int, target_id: int, day: str) -> str:
    return f"hello:{sender_id}:{target_id}:{day}"


def render_card(member: Member) -> Message:
    p = member.profile
    headline = " · ".join(sanitize(x) for x in (p.profession, p.stage, p.specialty) if x)
    lines = [f"👋 Meet **{sanitize(member.label)}** ({mention(member.user_id)})"]
    if headline:
        lines.append(headline)
    fields = profile_fields(p, with_zone=False)
    button = Button("Say hello", HELLO_ACTION, member.user_id, ButtonStyle.PRIMARY)
    return Message("\n".join(lines), tuple(fields), (button,))


async def tell_managers_no_channel(ctx: Context) -> None:
    day = ctx.now.date().isoformat()
    for manager in await ctx.tx.members.managers(ctx.space.id):
        await ctx.deliver(
            NewDelivery(
                dedupe_key=f"hint:intros-channel:{manager.id}:{day}",
                purpose="manager-hint",
                target=DirectMessage(manager.user_id),
                message=Message(
                    f"{mention(ctx.member.user_id)} tried to post an introduction, but there is "
                    "no intros channel yet. Set one with "
                    "`/rounds config channel intros #introductions`."
                ),
                due_at=ctx.now,
            )
        )


async def post_intro(ctx: Context, args: Mapping[str, Any]) -> None:
    where = await ctx.channel("intros")
    if where is None:  # answered, not raised: the hint to managers must be kept
        if ctx.is_manager:
            ctx.reply(NO_CHANNEL)
        else:
            await tell_managers_no_channel(ctx)
            ctx.reply(NO_CHANNEL + " I've let the managers know.")
        return
    member = ctx.member
    if member.profile.filled < 2:  # nothing written yet; the command was typed right
        ctx.reply(
            "Your card would be nearly empty. Fill in your profile first, e.g. "
            '`/rounds profile set role=resident specialty="emergency medicine" '
            'interests="quality improvement"`, then `/rounds intro` again.'
        )
        return
    intros = ctx.tx.repo(INTROS)
    card = await intros.card(ctx.space.id, member.id)
    version = (card.version if card else 0) + 1
    before = card.channel_id if card and card.version else None
    await ctx.deliver(
        NewDelivery(
            dedupe_key=card_key(member.id, where, version),
            purpose="intro",
            target=ChannelPost(where),
            message=render_card(member),
            due_at=ctx.now,
            replaces=card_key(member.id, where, version - 1) if before == where else None,
        )
    )
    if before is not None and before != where:  # the old card now points to the new one
        await ctx.deliver(
            NewDelivery(
                dedupe_key=f"{card_key(member.id, before, version - 1)}:moved",
                purpose="intro-moved",
                target=ChannelPost(before),
                message=render_moved(member, where),
                due_at=ctx.now,
                replaces=card_key(member.id, before, version - 1),
            )
        )
    await intros.record_post(ctx.space.id, member.id, version, where, ctx.now)
    await ctx.tx.outbox.cancel(ctx.space.id, reminder_key(member.id))
    if before is not None and before != where:
        said = (
            f"✓ Posted your introduction in {channel(where)}, the new intros channel; "
            f"your old card in {channel(before)} now points there."
        )
    elif before is not None:
        said = f"✓ Updated your introduction in {channel(where)}."
    else:
        said = f"✓ Your introduction is up in {channel(where)}."
    ctx.reply(f"{said} Peers can press “Say hello” to reach you.")


def render_moved(member: Member, where: str) -> Message:
    return Message(f"👋 **{sanitize(member.label)}**'s introduction has moved to {channel(where)}.")


async def say_hello(ctx: Context, value: str) -> None:
    if value == ctx.member.user_id:
        ctx.reply("That's your own card 🙂 Others can press it to say hello to you.")
        return
    target = await ctx.tx.members.get(ctx.space.id, value)
    if target is None:
        ctx.reply("That member has left the community, so the hello can't be delivered.")
        return
    sender = ctx.member
    about = sanitize(
        " · ".join(x for x in (sender.profile.profession, sender.profile.specialty) if x)
    )
    text = f"👋 {mention(sender.user_id)} says hello!"
    if about:
        text += f" ({about})"
    text += (
        "\nThey saw your introduction and would like to connect. "
        "Send them a message to say hello back!"
    )
    planned = await ctx.deliver(
        NewDelivery(
            dedupe_key=hello_key(sender.id, target.id, ctx.now.date().isoformat()),
            purpose="hello",
            target=DirectMessage(target.user_id),
            message=Message(text),
            due_at=ctx.now,
            fallback_channel="intros",
            quiet=True,
        )
    )
    if planned:
        ctx.reply(f"✓ Said hello to {mention(target.user_id)}; they'll get a DM from Rounds.")
    else:
        ctx.reply(f"You already said hello to {mention(target.user_id)} today.")


def reminder_text(member: Member) -> Message:
    return Message(
        f"Hi {mention(member.user_id)}, a gentle nudge: peers here would love to know who you "
        "are. Post your introduction with `/rounds intro` (it uses your profile; add to it "
        "first with `/rounds profile set …` if you like). This is the only reminder you'll get."
    )


def sensible_moment(now: datetime, member: Member, zone: str = DEFAULT_ZONE) -> datetime:
    """Now if it is daytime for the member, else their next 10:00; never in quiet hours.
    A member with no time zone of their own is taken to live in the community's (`zone`)."""
    p = member.profile
    here = local(now, p, fallback=zone).time()
    later = next_local(now, p, time(10), fallback=zone)
    return next_allowed(now if DAY_STARTS <= here < DAY_ENDS else later, p, fallback=zone)


async def next_reminder_at(job: JobContext) -> datetime | None:
    """When the next member becomes due for their reminder (None: nobody is waiting)."""
    cutoff = job.now - REMIND_AFTER
    async with job.store.transaction() as tx:
        waiting = await tx.repo(INTROS).needing_reminder(
            job.now + REMIND_WINDOW, cutoff - REMIND_WINDOW, 1, setting=channel_key("intros")
        )
    return waiting[0].joined_at + REMIND_AFTER if waiting else None


async def plan_reminders(job: JobContext) -> None:
    cutoff = job.now - REMIND_AFTER
    async with job.store.transaction() as tx:
        intros = tx.repo(INTROS)
        members = await intros.needing_reminder(
            cutoff, cutoff - REMIND_WINDOW, 500, setting=channel_key("intros")
        )
        zones: dict[int, str] = {}
        for member in members:  # only spaces with an intros channel: the nudge says to post
            if member.space_id not in zones:
                settings = await tx.settings.all(member.space_id)
                zones[member.space_id] = settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE
            await tx.outbox.enqueue(
                member.space_id,
                NewDelivery(
                    dedupe_key=reminder_key(member.id),
                    purpose="intro-reminder",
                    target=DirectMessage(member.user_id),
                    message=reminder_text(member),
                    due_at=sensible_moment(job.now, member, zones[member.space_id]),
                    quiet=True,
                ),
            )
            await intros.mark_reminder(member.space_id, member.id, job.now)
            job.planned += 1


async def home(ctx: Context) -> Message | None:
    where = await ctx.channel("intros")
    if where is None:
        return None
    card = await ctx.tx.repo(INTROS).card(ctx.space.id, ctx.member.id)
    if card is not None and card.posted_at is not None:
        return Message(
            f"**Introductions**\nYour card is in {channel(where)}. After changing your profile, "
            "refresh it with `/rounds intro`.",
            buttons=(Button("Refresh my introduction", POST_ACTION),),
        )
    return Message(
        f"**Introductions**\nPeers in {channel(where)} would love to know who you are.",
        buttons=(Button("Post my introduction", POST_ACTION, style=ButtonStyle.PRIMARY),),
    )


async def post_by_button(ctx: Context, value: str) -> None:
    await post_intro(ctx, {})
