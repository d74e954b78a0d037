"""The reminder job: once an occurrence is close (its largest offset plus a day), plan the
reminders of all who answered Going or Maybe, and mark it planned; answers keep them up to date
after that. Running it twice plans nothing twice (dedupe keys, the planned mark)."""

from __future__ import annotations

import logging
from datetime import datetime

from bot.context import JobContext
from bot.features.events._plan import Plan
from bot.features.events._schedule import offsets_of, planning_lead
from bot.features.events.model import EVENTS

log = logging.getLogger(__name__)


async def plan_reminders(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        spaces = await tx.repo(EVENTS).spaces_to_plan()
    for space_id in spaces:
        try:
            await plan_space(job, space_id)
        except Exception:
            log.exception("planning event reminders failed for space %s", space_id)


async def plan_space(job: JobContext, space_id: int) -> None:
    async with job.store.transaction() as tx:
        settings = job.router.effective(await tx.settings.all(space_id))
        lead = planning_lead(offsets_of(settings))
        due = await tx.repo(EVENTS).to_plan(space_id, job.now + lead)
    for occurrence in due:  # one short transaction each: answers keep flowing meanwhile
        async with job.store.transaction() as tx:
            plan = Plan(tx, space_id, job.now, settings)
            current, _ = await plan.lock(occurrence)
            if current.reminders_planned_at is None and not current.cancelled:
                await plan.reminders(current)
            job.planned += plan.planned
    if due:
        log.info("planned the reminders of %d event(s) in space %s", len(due), space_id)


async def next_planning_at(job: JobContext) -> datetime | None:
    """When the next occurrence comes close enough for its reminders to be planned."""
    moments = []
    async with job.store.transaction() as tx:
        repo = tx.repo(EVENTS)
        for space_id in await repo.spaces_to_plan():
            start = await repo.next_to_plan(space_id)
            if start is not None:
                settings = job.router.effective(await tx.settings.all(space_id))
                moments.append(start - planning_lead(offsets_of(settings)))
    return min(moments, default=None)
