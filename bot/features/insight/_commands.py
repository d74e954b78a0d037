"""Managers' commands: `/rounds stats [weeks=N]` (the chart on demand, privately) and
`/rounds audit [n]` (the latest configuration and moderation changes)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.context import Context
from bot.features.insight._chart import chart, count, weeks_to
from bot.features.insight._render import render_audit, render_stats
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE
from bot.messages import Attachment, Message

DEFAULT_WEEKS = 8
DEFAULT_ENTRIES = 20


async def stats(ctx: Context, args: Mapping[str, Any]) -> None:
    weeks = int(args.get("weeks", DEFAULT_WEEKS))
    # up to this very moment, what happened at it included (a member who joined just now)
    until = ctx.now + timedelta(seconds=1)
    weekly = await count(ctx.tx, ctx.router, ctx.space.id, weeks_to(until, weeks))
    zone = ZoneInfo(await ctx.setting(COMMUNITY_ZONE) or DEFAULT_ZONE)
    title = f"Last {weeks} week{'s' if weeks != 1 else ''}"
    png = await chart(weekly, title, zone)
    ctx.reply(
        Message(
            render_stats(weekly, weeks, await ctx.channel("managers")),
            attachment=Attachment(f"rounds-stats-{weeks}w.png", png, "image/png"),
        )
    )


async def audit(ctx: Context, args: Mapping[str, Any]) -> None:
    entries = await ctx.tx.audit.recent(ctx.space.id, int(args.get("n", DEFAULT_ENTRIES)))
    named = {e.actor_id for e in entries} | {e.subject_id for e in entries}
    members = await ctx.tx.members.by_ids(ctx.space.id, sorted(m for m in named if m))
    ctx.reply(render_audit(entries, members))
