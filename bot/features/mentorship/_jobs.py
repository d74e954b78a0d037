"""The check-in job: proposals whose answer window passed move to the next choice, and each
active pair takes its next step on the ladder (first nudge, second nudge, managers' card).

Domain state decides what is due: a pair's `next_at` and `step`, a proposal's `respond_by`.
Each step is written with a compare-and-set on the pair's place on the ladder, in the same
transaction as its deliveries, so two processes (or a run after downtime) take it once; the
outbox's dedupe keys make planning a delivery twice harmless anyway.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from bot.context import JobContext
from bot.domain import Member
from bot.features.mentorship._flows import Scope, end, next_choice
from bot.features.mentorship._render import (
    render_lapsed_mentor,
    render_mentee_nudge,
    render_nudge,
    render_silent_card,
)
from bot.features.mentorship._schedule import (
    ESCALATE_AFTER,
    SECOND_NUDGE_AFTER,
    nudge_key,
    nudge_moment,
    pair_note_key,
    silent_key,
    snoozed_key,
)
from bot.features.mentorship.model import MENTORSHIP, Ladder, Pair, PairStatus, Step
from bot.messages import DirectMessage, Message
from bot.ports import NewDelivery, Tx

log = logging.getLogger(__name__)

BATCH = 200  # pairs per write transaction
MAX_BATCHES = 50  # per space and run; the next run goes on
BATCH_PAUSE = 0.1  # seconds between batches: a writer waiting on SQLite looks every 100 ms


async def run_checkins(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        spaces = await tx.repo(MENTORSHIP).spaces_with_due_work(job.now)
    for space_id in spaces:
        try:
            await space_checkins(job, space_id)
        except Exception:
            log.exception("mentorship check-ins failed for space %s", space_id)


async def next_checkin_at(job: JobContext) -> datetime | None:
    """When a proposal lapses or a pair's next step falls due, anywhere (the console's
    `advance` steps straight there)."""
    async with job.store.transaction() as tx:
        return await tx.repo(MENTORSHIP).next_due_at()


async def job_scope(job: JobContext, tx: Tx, space_id: int) -> Scope:
    async def send(delivery: NewDelivery) -> bool:
        planned = await tx.outbox.enqueue(space_id, delivery)
        job.planned += planned
        return planned

    settings = job.router.effective(await tx.settings.all(space_id))
    return Scope(tx, space_id, job.now, settings, send)


async def space_checkins(job: JobContext, space_id: int) -> None:
    for _ in range(MAX_BATCHES):
        async with job.store.transaction() as tx:
            scope = await job_scope(job, tx, space_id)
            lapsed = await scope.repo.lapsed(space_id, job.now, BATCH)
            for pair in lapsed:
                await lapse(scope, pair)
            due = await scope.repo.due(space_id, job.now, BATCH)
            for pair in due:
                await take_step(scope, pair)
        if len(lapsed) < BATCH and len(due) < BATCH:
            return
        await asyncio.sleep(BATCH_PAUSE)  # members' commands take the write lock meanwhile


async def lapse(scope: Scope, pair: Pair) -> None:
    """Three days without an answer: the mentor is told kindly, the mentee's next choice asked."""
    if not await scope.repo.close(scope.space_id, pair.id, PairStatus.LAPSED, scope.now):
        return  # answered (or lapsed by another process) meanwhile
    people = await scope.members(pair.mentor_id, pair.mentee_id)
    mentor, mentee = people.get(pair.mentor_id), people.get(pair.mentee_id)
    if mentor is not None and mentee is not None:
        await scope.dm(
            pair_note_key(pair.id, "lapsed", mentor.id),
            "mentorship-lapsed",
            mentor,
            render_lapsed_mentor(mentee),
            due_at=nudge_moment(scope.now, mentor.profile, scope.zone),
        )
    await next_choice(scope, pair, lapsed=True)


def nudge(
    key: str, member: Member, message: Message, at: datetime, expires_at: datetime | None
) -> NewDelivery:
    """A check-in nudge: planned for a good local hour, held at send time while the member
    is in their quiet hours (`quiet`), and of no use once the next step of the ladder came."""
    return NewDelivery(
        dedupe_key=key,
        purpose="mentorship-nudge",
        target=DirectMessage(member.user_id),
        message=message,
        due_at=at,
        expires_at=expires_at,
        quiet=True,
    )


async def take_step(scope: Scope, pair: Pair) -> None:
    people = await scope.members(pair.mentor_id, pair.mentee_id)
    if len(people) < 2 or pair.due_at is None or pair.next_at is None:
        await end(scope, pair)  # a member is gone (no leave event reached us): nothing to nudge
        return
    mentor, mentee = people[pair.mentor_id], people[pair.mentee_id]
    due_at, here = pair.due_at, Ladder(pair.due_at, pair.step, pair.next_at)
    start = max(pair.next_at, scope.now)

    def at(member: Member) -> datetime:
        return nudge_moment(start, member.profile, scope.zone)

    if pair.step is Step.ESCALATED:
        return  # managers have it; a check-in, a card's button or a reschedule moves it on
    if pair.step in (Step.WAITING, Step.SNOOZED):
        after = Ladder(due_at, Step.NUDGED, at(mentor) + SECOND_NUDGE_AFTER)
    elif pair.step is Step.NUDGED:
        after = Ladder(due_at, Step.NUDGED_AGAIN, at(mentor) + ESCALATE_AFTER)
    else:
        after = Ladder(due_at, Step.ESCALATED, None)
    if not await scope.repo.schedule(scope.space_id, pair.id, after, expect=here):
        return  # another process took this step
    if pair.step is Step.WAITING:  # the first nudge, and the mentee's lighter prompt
        first = render_nudge(pair.id, due_at, mentee, again=False)
        lighter = render_mentee_nudge(pair.id, due_at, mentor)
        for member, message in ((mentor, first), (mentee, lighter)):
            key = nudge_key(pair.id, due_at, Step.NUDGED, member.id)
            await scope.send(nudge(key, member, message, at(member), after.next_at))
    elif pair.step is Step.SNOOZED:  # the mentor's nudge again; the mentee was asked once
        key = snoozed_key(pair.id, due_at, pair.next_at, mentor.id)
        message = render_nudge(pair.id, due_at, mentee, again=False)
        await scope.send(nudge(key, mentor, message, at(mentor), after.next_at))
    elif pair.step is Step.NUDGED:
        key = nudge_key(pair.id, due_at, Step.NUDGED_AGAIN, mentor.id)
        message = render_nudge(pair.id, due_at, mentee, again=True)
        await scope.send(nudge(key, mentor, message, at(mentor), after.next_at))
    else:
        last = await scope.repo.last_checkin(scope.space_id, pair.id)
        since = last.met_at if last else pair.started_at or pair.proposed_at
        await scope.tell_managers(
            silent_key(pair.id, due_at),
            "mentorship-silent",
            render_silent_card(pair.id, mentor, mentee, since),
        )
