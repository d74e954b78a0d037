"""The weekly digest job: once per space and week (the digest record is the lock), at the
scheduled moment or late after downtime, it gathers every programme's section and the 8-week
chart, and plans one delivery through the outbox to the managers (`manager_alerts`).

A community's first digest is the first scheduled one after its first member joined, never
one about the time before it had members.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.context import JobContext
from bot.digest import DigestContext, DigestSection
from bot.features.insight._chart import Weekly, chart, count, weeks_to
from bot.features.insight._render import render_digest, render_members
from bot.features.insight._schedule import following, latest
from bot.features.insight.model import INSIGHT
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE
from bot.managers import manager_alerts
from bot.messages import Attachment, Message

log = logging.getLogger(__name__)

CHART_WEEKS = 8
VALID_FOR = timedelta(days=6)  # a digest nobody could receive all week is not sent late


def digest_key(space_id: int, scheduled_at: datetime) -> str:
    return f"insight:digest:{space_id}:{scheduled_at:%Y-%m-%d}"


async def run_digests(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        spaces = await tx.outbox.spaces()
    for space_id in spaces:
        try:
            await digest_space(job, space_id)
        except Exception:
            log.exception("weekly digest failed for space %s", space_id)


async def next_digest_at(job: JobContext) -> datetime | None:
    moments = []
    async with job.store.transaction() as tx:
        for space_id in await tx.outbox.spaces():
            settings = job.router.effective(await tx.settings.all(space_id))
            scheduled = latest(job.now, settings)
            started = await tx.repo(INSIGHT).started_at(space_id)
            if scheduled is None or started is None:
                continue
            last = await tx.repo(INSIGHT).last_digest(space_id)
            due = scheduled > started and (last is None or last < scheduled)
            moments.append(job.now if due else following(scheduled, settings))
    return min(moments, default=None)


async def members_section(ctx: DigestContext) -> DigestSection | None:
    """The core's own section, first: who joined this week."""
    [new] = await ctx.tx.repo(INSIGHT).new_members_per_week(ctx.space_id, [ctx.since, ctx.now])
    return render_members(new, await ctx.tx.members.count(ctx.space_id))


async def gather(
    job: JobContext, space_id: int, since: datetime, until: datetime
) -> tuple[list[DigestSection], Weekly, str]:
    """Every programme's section and the chart's counts, in one read transaction."""
    async with job.store.transaction() as tx:
        settings = job.router.effective(await tx.settings.all(space_id))
        ctx = DigestContext(tx, space_id, until, since, settings)
        sections = [made] if (made := await members_section(ctx)) else []
        for section in job.router.digest_sections:
            made = await section(ctx)
            if made is not None:
                sections.append(made)
        weekly = await count(tx, job.router, space_id, weeks_to(until, CHART_WEEKS))
    return sections, weekly, settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE


async def digest_space(job: JobContext, space_id: int) -> None:
    async with job.store.transaction() as tx:
        settings = job.router.effective(await tx.settings.all(space_id))
        scheduled = latest(job.now, settings)
        if scheduled is None:
            return
        insight = tx.repo(INSIGHT)
        started = await insight.started_at(space_id)
        if started is None or scheduled <= started:
            return  # no digest about the time before anyone joined
        last = await insight.last_digest(space_id)
        if last is not None and last >= scheduled:
            return
    since = scheduled - timedelta(weeks=1)
    sections, weekly, zone = await gather(job, space_id, since, scheduled)
    send = bool(sections) or not weekly.quiet
    png = await chart(weekly, "Last 8 weeks", ZoneInfo(zone)) if send else b""
    message = Message(
        render_digest(sections, since, scheduled),
        attachment=Attachment(f"digest-{scheduled:%Y-%m-%d}.png", png, "image/png"),
    )
    async with job.store.transaction() as tx:
        if not await tx.repo(INSIGHT).mark_digest(space_id, scheduled, job.now, sent=send):
            return  # another process planned this week's digest
        if not send:
            return  # nothing happened at all: no digest to read
        key = digest_key(space_id, scheduled)
        deliveries = [
            replace(d, quiet=True, expires_at=scheduled + VALID_FOR)
            for d in await manager_alerts(tx, space_id, key, "insight-digest", message, job.now)
        ]
        job.planned += await tx.outbox.enqueue_many(space_id, deliveries)
