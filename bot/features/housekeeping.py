"""Housekeeping: forget platform event ids once no retry can come any more."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import JobContext
from bot.router import Job, Router

KEEP_EVENT_IDS = timedelta(days=1)  # Slack retries for minutes; a day is plenty


async def forget_old_events(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        await tx.inbound.forget_before(job.now - KEEP_EVENT_IDS)


async def next_to_forget(job: JobContext) -> datetime | None:
    async with job.store.transaction() as tx:
        oldest = await tx.inbound.oldest()
    return oldest + KEEP_EVENT_IDS if oldest is not None else None


def register(router: Router) -> None:
    router.job(Job("housekeeping.events", timedelta(hours=6), forget_old_events, next_to_forget))
