"""What members and managers type: join, snooze, leave, status, exclude, the report, and the
"Did you meet?" buttons."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.features.network._render import ANSWERS, render_answered
from bot.features.network._schedule import cadence, local_monday, next_round
from bot.features.network.model import NETWORK, NetworkRepo, NetworkStatus, PairInfo
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE
from bot.messages import Button, ButtonStyle, Message, mention, moment
from bot.options import format_duration


def network(ctx: Context) -> NetworkRepo:
    return ctx.tx.repo(NETWORK)


async def next_round_text(ctx: Context) -> str:
    every = cadence(await ctx.settings())
    latest = await network(ctx).latest_round(ctx.space.id)
    start = next_round(ctx.now, every, latest).starts_at
    zone = await ctx.setting(COMMUNITY_ZONE) or DEFAULT_ZONE
    return moment(local_monday(start, ctx.member, fallback=zone), "F")


async def join(ctx: Context, args: Mapping[str, Any]) -> None:
    participant = await network(ctx).participant(ctx.space.id, ctx.member.id)
    if participant and participant.status is NetworkStatus.ACTIVE:
        ctx.reply(f"You're already in. Your next pairing arrives {await next_round_text(ctx)}.")
        return
    await network(ctx).set_status(ctx.space.id, ctx.member.id, NetworkStatus.ACTIVE, ctx.now)
    every = format_duration(cadence(await ctx.settings()))
    text = (
        f"✓ You're in! Every {every.replace('w', ' weeks').replace('1 weeks', 'week')} you'll be "
        f"paired with a peer from another institution. First pairing: {await next_round_text(ctx)}."
    )
    if not ctx.member.profile.interests:
        text += '\nTip: add interests for better matches: `/rounds profile set interests="…"`.'
    if not ctx.member.profile.timezone:
        text += "\nTip: set your time zone so pairings arrive at 10:00 your time."
    ctx.reply(text)


async def require_participant(ctx: Context) -> None:
    participant = await network(ctx).participant(ctx.space.id, ctx.member.id)
    if participant is None or participant.status is NetworkStatus.LEFT:
        raise UserError("You haven't joined networking rounds. Join with `/rounds network join`.")


async def snooze(ctx: Context, args: Mapping[str, Any]) -> None:
    await require_participant(ctx)
    weeks = int(args["weeks"])
    until = ctx.now + timedelta(weeks=weeks)
    await network(ctx).set_status(
        ctx.space.id, ctx.member.id, NetworkStatus.SNOOZED, ctx.now, snoozed_until=until
    )
    ctx.reply(
        f"✓ Snoozed for {weeks} week{'s' if weeks > 1 else ''}: no pairings until "
        f"{moment(until, 'D')}. Come back sooner with `/rounds network join`."
    )


async def leave(ctx: Context, args: Mapping[str, Any]) -> None:
    await require_participant(ctx)
    await network(ctx).set_status(ctx.space.id, ctx.member.id, NetworkStatus.LEFT, ctx.now)
    ctx.reply("✓ You've left networking rounds. Rejoin any time with `/rounds network join`.")


NOT_IN = "You're not in networking rounds. Join with `/rounds network join`."
JOIN_ACTION = "network.join"


async def status(ctx: Context, args: Mapping[str, Any]) -> None:
    lines = await status_lines(ctx)
    ctx.reply("\n".join(lines) if lines else NOT_IN)


async def status_lines(ctx: Context) -> list[str]:
    """The member's networking state; empty when they are not in networking rounds."""
    participant = await network(ctx).participant(ctx.space.id, ctx.member.id)
    if participant is None or participant.status is NetworkStatus.LEFT:
        return []
    lines = []
    counts = await network(ctx).counts(ctx.space.id)
    if participant.status is NetworkStatus.ACTIVE and counts.get(NetworkStatus.ACTIVE, 0) < 2:
        lines.append(
            "You're in networking rounds. Nobody else has joined yet: your first pairing comes "
            "in the round after someone does."
        )
    elif participant.status is NetworkStatus.ACTIVE:
        lines.append(f"You're in networking rounds. Next pairing: {await next_round_text(ctx)}.")
    elif participant.status is NetworkStatus.SNOOZED and participant.snoozed_until:
        lines.append(
            f"You're snoozed until {moment(participant.snoozed_until, 'D')}. "
            "Back sooner with `/rounds network join`."
        )
    else:
        lines.append(
            "Your rounds are paused because the last three went unanswered. "
            "Rejoin with `/rounds network join`."
        )
    current = await network(ctx).current_pair(ctx.space.id, ctx.member.id)
    if current is not None and current[0].ends_at > ctx.now:
        round_info, pair = current
        others = [m for m in pair.member_ids if m != ctx.member.id]
        members = await ctx.tx.members.by_ids(ctx.space.id, others)
        names = " and ".join(mention(members[m].user_id) for m in others if m in members)
        last_day = moment(round_info.ends_at - timedelta(hours=12), "D")
        lines.append(f"This round ({last_day} is the last day): {names}.")
    return lines


async def home(ctx: Context) -> Message:
    lines = await status_lines(ctx)
    if lines:
        return Message("**Networking rounds**\n" + "\n".join(lines))
    return Message(
        "**Networking rounds**\nMeet a peer from another institution every few weeks, "
        "matched on shared interests and time zones.",
        buttons=(Button("Join networking rounds", JOIN_ACTION, style=ButtonStyle.PRIMARY),),
    )


async def join_by_button(ctx: Context, value: str) -> None:
    await join(ctx, {})


async def exclude(ctx: Context, args: Mapping[str, Any]) -> None:
    user_id = args["member"]
    if user_id == ctx.member.user_id:
        raise UserError("You can't be paired with yourself anyway 🙂")
    other = await ctx.tx.members.get(ctx.space.id, user_id)
    assert other is not None  # the router made sure they are a member
    added = await network(ctx).exclude(ctx.space.id, ctx.member.id, other.id)
    if added:
        ctx.reply(f"✓ You won't be paired with {mention(user_id)}. They are not told.")
    else:
        ctx.reply(f"You had already excluded {mention(user_id)}. Nothing changed.")


async def report(ctx: Context, args: Mapping[str, Any]) -> None:
    counts = await network(ctx).counts(ctx.space.id)
    lines = [
        "**Networking rounds**",
        f"- Opted in: {counts.get(NetworkStatus.ACTIVE, 0)}"
        f" (snoozed {counts.get(NetworkStatus.SNOOZED, 0)},"
        f" paused {counts.get(NetworkStatus.PAUSED, 0)}, left {counts.get(NetworkStatus.LEFT, 0)})",
    ]
    latest = await network(ctx).latest_round(ctx.space.id)
    if latest is None:
        lines.append("- No round has run yet.")
    else:
        pairs = await network(ctx).round_pairs(ctx.space.id, latest.id)
        paired = sum(len(p.member_ids) for p in pairs)
        answers = [a for p in pairs for a in p.answers.values()]
        answered = sum(a is not None for a in answers)
        met = sum(a == "met" for a in answers)
        rate = f"{met / paired:.0%}" if paired else "n/a"
        lines += [
            f"- Latest round (starting {moment(latest.starts_at, 'D')}): "
            f"{len(pairs)} group{'s' if len(pairs) != 1 else ''}, {paired} members paired",
            f"- Answered “Did you meet?”: {answered} of {paired}; met: {met} ({rate})",
        ]
    ctx.reply("\n".join(lines))


async def answer(ctx: Context, value: str) -> None:
    pair_text, _, choice = value.partition(":")
    pair = await network(ctx).pair(ctx.space.id, int(pair_text)) if pair_text.isdigit() else None
    if pair is None or choice not in ANSWERS:
        ctx.reply("That button no longer works. Type `/rounds network status` to see your round.")
        return
    if ctx.member.id not in pair.member_ids:
        ctx.reply("That question was for someone else's pairing.")
        return
    await network(ctx).answer(ctx.space.id, pair.id, ctx.member.id, choice, ctx.now)
    partners = await ctx.tx.members.by_ids(
        ctx.space.id, [m for m in pair.member_ids if m != ctx.member.id]
    )
    ctx.update(render_answered(list(partners.values()), choice))
    ctx.reply(await answered_text(ctx, pair, choice))


async def answered_text(ctx: Context, pair: PairInfo, choice: str) -> str:
    """Thanks for the answer, and what happens next for the member as things stand now
    (the button may be on a message from weeks ago)."""
    thanks = {
        "met": "✓ Wonderful, thank you!",
        "later": "No problem.",
        "skip": "Thanks for letting us know.",
    }[choice]
    participant = await network(ctx).participant(ctx.space.id, ctx.member.id)
    status = participant.status if participant else NetworkStatus.LEFT
    if status is NetworkStatus.LEFT:
        return (
            f"{thanks} You've left networking rounds, so no new partner is coming; "
            "rejoin any time with `/rounds network join`."
        )
    if status is NetworkStatus.PAUSED:
        return f"{thanks} Your rounds are paused; rejoin with `/rounds network join`."
    if status is NetworkStatus.SNOOZED and participant and participant.snoozed_until:
        return f"{thanks} You're snoozed until {moment(participant.snoozed_until, 'D')}."
    current = await network(ctx).current_pair(ctx.space.id, ctx.member.id)
    ongoing = current is not None and current[1].id == pair.id and current[0].ends_at > ctx.now
    if choice == "later" and ongoing:
        return f"{thanks} There's still time this round; a short call counts."
    if choice == "met":
        return f"{thanks} We'll keep pairing you with new peers."
    return f"{thanks} Your next partner arrives {await next_round_text(ctx)}."
