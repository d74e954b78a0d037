"""The follow-up ladder, planned from the questions' own state (safe to run twice, and after
a restart: each step is marked done in the same transaction that plans its messages).

- unanswered after `qa.followup` (24 h): up to 3 members who answered before and whose
  specialty or interests match the tags get a DM, at most one such DM per member per day;
- unanswered after three times that (72 h): the managers channel;
- answered, nothing accepted 7 days after the first answer: one "Did this help?" DM.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from bot.context import JobContext
from bot.domain import Member
from bot.features.qa._posting import dm, helped_key, peer_key, stuck_key
from bot.features.qa._render import render_did_this_help, render_peer_nudge, render_stuck
from bot.features.qa.model import QA, Question, Stage, author_of, known
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE, next_allowed
from bot.managers import manager_alerts
from bot.messages import DirectMessage
from bot.options import parse_duration
from bot.ports import NewDelivery, Tx

log = logging.getLogger(__name__)

FOLLOWUP = "qa.followup"
DEFAULT_FOLLOWUP = "24h"
MANAGERS_AFTER = 3  # times the follow-up delay
HELP_AFTER = timedelta(days=7)
PEERS_PER_QUESTION = 3
DRAFTS_KEPT = timedelta(days=2)
NUDGE_VALID = timedelta(days=2)


def followup_after(settings: Mapping[str, str]) -> timedelta:
    return parse_duration(settings.get(FOLLOWUP) or DEFAULT_FOLLOWUP) or timedelta(hours=24)


def topics(member: Member) -> set[str]:
    """A member's specialty, interests and goals, and each of their words, lowercased."""
    items = [member.profile.specialty or "", *member.profile.interests, *member.profile.goals]
    found: set[str] = set()
    for item in items:
        phrase = " ".join(item.lower().replace("-", " ").split())
        if phrase:
            found.add(phrase)
            found.update(phrase.split())
    return found


def matches(member: Member, question: Question) -> int:
    """How many of the question's tags the member's profile names."""
    mine = topics(member)
    return sum(1 for tag in question.tags if tag.replace("-", " ") in mine)


async def next_follow_up(job: JobContext) -> datetime | None:
    """When the ladder next has a step to take (the console's `advance` steps to it)."""
    moments: list[datetime] = []
    async with job.store.transaction() as tx:
        qa = tx.repo(QA)
        for space_id in await qa.spaces_with_questions():
            after = followup_after(job.router.effective(await tx.settings.all(space_id)))
            for stage, delay in (
                (Stage.PEERS, after),
                (Stage.MANAGERS, after * MANAGERS_AFTER),
                (Stage.HELPED, HELP_AFTER),
            ):
                first = await qa.earliest(space_id, stage)
                if first is not None:
                    moments.append(first + delay)
    return min(moments, default=None)


async def follow_up(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        spaces = await tx.repo(QA).spaces_with_questions()
    for space_id in spaces:
        try:
            async with job.store.transaction() as tx:
                await follow_up_space(job, tx, space_id)
        except Exception:
            log.exception("Q&A follow-up failed for space %s", space_id)


async def follow_up_space(job: JobContext, tx: Tx, space_id: int) -> None:
    qa = tx.repo(QA)
    settings = job.router.effective(await tx.settings.all(space_id))
    after = followup_after(settings)
    zone = settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE
    await qa.purge_drafts(space_id, job.now - DRAFTS_KEPT)
    unanswered = await qa.due(space_id, Stage.PEERS, job.now - after)
    if unanswered:
        await ask_peers(job, tx, space_id, unanswered, zone)
    stuck = await qa.due(space_id, Stage.MANAGERS, job.now - after * MANAGERS_AFTER)
    days = max(1, round((after * MANAGERS_AFTER) / timedelta(days=1)))
    for question in stuck:
        for delivery in await manager_alerts(
            tx, space_id, stuck_key(question.id), "qa-stuck", render_stuck(question, days), job.now
        ):
            await tx.outbox.enqueue(space_id, delivery)
    await qa.mark_done(space_id, [q.id for q in stuck], Stage.MANAGERS, job.now)
    waiting = await qa.due(space_id, Stage.HELPED, job.now - HELP_AFTER)
    askers = await tx.members.by_ids(space_id, known(*(q.author_id for q in waiting)))
    for question in waiting:
        asker = author_of(askers, question.author_id)
        answers = await qa.answers(space_id, question.id)
        if asker is None or not answers:
            continue
        await tx.outbox.enqueue(
            space_id,
            dm(
                helped_key(question.id),
                "qa-did-this-help",
                asker,
                render_did_this_help(question, answers),
                next_allowed(job.now, asker.profile, fallback=zone),
                fallback=not question.anonymous,
                quiet=True,
            ),
        )
    await qa.mark_done(space_id, [q.id for q in waiting], Stage.HELPED, job.now)


async def ask_peers(
    job: JobContext, tx: Tx, space_id: int, questions: list[Question], zone: str
) -> None:
    """Up to three matching members who answered before, per question; a member already
    asked today (for any question) is skipped, which the per-day dedupe key enforces."""
    day = job.now.date().isoformat()
    helpers = await tx.members.by_ids(space_id, await tx.repo(QA).answerers(space_id))
    for question in questions:
        ranked = sorted(
            (m for m in helpers.values() if m.id != question.author_id and matches(m, question)),
            key=lambda m: (-matches(m, question), m.id),
        )
        asked = 0
        for member in ranked:
            if asked == PEERS_PER_QUESTION:
                break
            nudge = NewDelivery(
                dedupe_key=peer_key(member.id, day),
                purpose="qa-peer-nudge",
                target=DirectMessage(member.user_id),
                message=render_peer_nudge(question),
                due_at=next_allowed(job.now, member.profile, fallback=zone),
                expires_at=job.now + NUDGE_VALID,
                quiet=True,  # waits out the member's quiet hours at send time, too
            )
            asked += await tx.outbox.enqueue(space_id, nudge)
    await tx.repo(QA).mark_done(space_id, [q.id for q in questions], Stage.PEERS, job.now)
