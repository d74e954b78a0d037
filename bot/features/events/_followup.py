"""`/rounds event followup <id> "…"`: after an event has started, its host (or its creator, or
a manager) sends a message to everyone who answered Going, outside their quiet hours."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from bot.context import Context
from bot.errors import UserError
from bot.features.events._find import find, may_manage
from bot.features.events._plan import CHANNEL, Plan, notice_key
from bot.features.events._render import render_followup
from bot.features.events.model import Answer, Occurrence
from bot.messages import DirectMessage
from bot.ports import NewDelivery


async def check_followup(ctx: Context, args: Mapping[str, Any]) -> Occurrence:
    occurrence, series = await find(ctx, int(args["id"]))
    may_manage(ctx, occurrence, series)
    if occurrence.cancelled:
        raise UserError(f"Event {occurrence.number} was cancelled, so nobody went.")
    if occurrence.starts_at > ctx.now:
        raise UserError(
            f"Event {occurrence.number} hasn't happened yet: a follow-up goes to everyone who "
            f"went, once it has started. To change the card, use `/rounds event edit "
            f"{occurrence.number} …`."
        )
    return occurrence


async def followup(ctx: Context, args: Mapping[str, Any]) -> None:
    occurrence = await check_followup(ctx, args)
    plan = await Plan.of(ctx)
    current, _ = await plan.lock(occurrence)
    went = await plan.repo.rsvps(ctx.space.id, current.id, (Answer.GOING,))
    if not went:
        ctx.reply(f"Nobody answered Going for event {current.number}, so there's nobody to tell.")
        return
    count = current.followups + 1
    await plan.save(replace(current, followups=count))
    members = await ctx.tx.members.by_ids(ctx.space.id, [r.member_id for r in went])
    message = render_followup(current, await plan.host(current), str(args["text"]))
    await plan.enqueue(
        [
            NewDelivery(
                dedupe_key=notice_key(current.id, f"followup:{count}", member.id),
                purpose="event-followup",
                target=DirectMessage(member.user_id),
                message=message,
                due_at=ctx.now,
                fallback_channel=CHANNEL,
                quiet=True,
            )
            for member in members.values()
        ],
    )
    ctx.reply(
        f"✓ Your follow-up is on its way to the {len(members)} member"
        f"{'s' if len(members) != 1 else ''} who went (outside their quiet hours)."
    )
