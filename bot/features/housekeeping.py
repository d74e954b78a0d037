"""Housekeeping: forget platform event ids once no retry can come any more, and purge finished
outbox rows after `outbox.keep` (ARCHITECTURE.md §4)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from bot.context import JobContext
from bot.options import OptionKind, parse_duration
from bot.router import Job, Router, Setting

log = logging.getLogger(__name__)

KEEP_EVENT_IDS = timedelta(days=1)  # Slack retries for minutes; a day is plenty
OUTBOX_KEEP = "outbox.keep"
DEFAULT_OUTBOX_KEEP = "30d"


async def forget_old_events(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        await tx.inbound.forget_before(job.now - KEEP_EVENT_IDS)


async def next_to_forget(job: JobContext) -> datetime | None:
    async with job.store.transaction() as tx:
        oldest = await tx.inbound.oldest()
    return oldest + KEEP_EVENT_IDS if oldest is not None else None


async def purge_outbox(job: JobContext) -> None:
    """Finished deliveries (already without their message) go once each space's `outbox.keep`
    has passed; until then their keys keep a replanned message from going out twice."""
    default = parse_duration(DEFAULT_OUTBOX_KEEP)
    assert default is not None
    purged = 0
    async with job.store.transaction() as tx:
        for space_id in await tx.outbox.spaces():
            settings = job.router.effective(await tx.settings.all(space_id))
            keep = parse_duration(settings.get(OUTBOX_KEEP, DEFAULT_OUTBOX_KEEP)) or default
            purged += await tx.outbox.purge_finished(space_id, job.now - keep)
    if purged:
        log.info("purged %d finished outbox rows", purged)


async def next_to_purge(job: JobContext) -> datetime | None:
    moments = []
    async with job.store.transaction() as tx:
        for space_id in await tx.outbox.spaces():
            oldest = await tx.outbox.oldest_finished(space_id)
            if oldest is not None:
                settings = job.router.effective(await tx.settings.all(space_id))
                keep = parse_duration(settings.get(OUTBOX_KEEP, DEFAULT_OUTBOX_KEEP))
                moments.append(oldest + (keep or timedelta(days=30)))
    return min(moments, default=None)


def register(router: Router) -> None:
    router.setting(
        Setting(
            OUTBOX_KEEP,
            OptionKind.DURATION,
            DEFAULT_OUTBOX_KEEP,
            "how long finished deliveries are kept (their message is never kept)",
        )
    )
    router.job(Job("housekeeping.events", timedelta(hours=6), forget_old_events, next_to_forget))
    router.job(Job("housekeeping.outbox", timedelta(hours=6), purge_outbox, next_to_purge))
