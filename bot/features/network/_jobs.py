"""The round job: once per round and space, pair the eligible members and plan every message
of the round (introductions, the halfway check, pauses). Pairing runs once per round (the round
record is the lock); after downtime it runs late, but once.

Writes come in short transactions, so members' commands never wait long for SQLite's single
write lock: first the round with its pairs (and the few pause/no-match notes), then the
introductions and checks in batches, then the round is marked planned. A process that stops
part-way leaves the round unplanned; the next run plans the rest from the stored pairs (the
outbox's dedupe keys make planning twice harmless).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.context import JobContext
from bot.domain import Member
from bot.features.network._pairing import Pairing, pair_members
from bot.features.network._render import render_check, render_introduction
from bot.features.network._schedule import (
    INTRO_HOUR,
    cadence,
    candidate,
    common_moment,
    local_monday,
    next_round,
    utc_offset,
)
from bot.features.network.model import NETWORK, NetworkStatus, PairInfo, Participant, RoundInfo
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE, next_allowed, next_local
from bot.managers import manager_alerts
from bot.messages import DirectMessage, GroupMessage, Message, mention
from bot.ports import SUBJECT, NewDelivery, Tx

log = logging.getLogger(__name__)

IGNORED_ROUNDS_BEFORE_PAUSE = 3
PLAN_BATCH = 1_000  # deliveries per write transaction
BATCH_PAUSE = 0.1  # seconds between them


async def run_rounds(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        spaces = await tx.repo(NETWORK).spaces_with_participants()
    for space_id in spaces:
        try:
            await pair_space(job, space_id)
        except Exception:
            log.exception("networking round failed for space %s", space_id)


async def next_pairing_at(job: JobContext) -> datetime | None:
    """When the next round is paired in any space (now, for a round left part-way)."""
    moments = []
    async with job.store.transaction() as tx:
        network = tx.repo(NETWORK)
        for space_id in await network.spaces_with_participants():
            every = cadence(job.router.effective(await tx.settings.all(space_id)))
            latest = await network.latest_round(space_id)
            if latest is not None and not latest.planned:
                moments.append(job.now)
                continue
            if len(await network.eligible(space_id, job.now)) < 2:
                participants = (await network.participants(space_id)).values()
                near_pause = IGNORED_ROUNDS_BEFORE_PAUSE - 1
                since = latest.number if latest else 0
                told = all(
                    p.told_alone_after == since
                    for p in participants
                    if p.status is NetworkStatus.ACTIVE
                )
                if told and not any(p.ignored_streak >= near_pause for p in participants):
                    # waiting for company: nothing is due until someone joins or a snooze ends
                    ends = [p.snoozed_until for p in participants if p.snoozed_until]
                    moments += [max(min(ends), job.now)] if ends else []
                    continue
            moments.append(next_round(job.now, every, latest).pair_at)
    return min(moments, default=None)


@dataclass
class Plan:
    """Everything a round writes, worked out before the write transaction starts, so the
    (single, on SQLite) write lock is held only for the writes."""

    members: list[Member]
    streaks: dict[int, int]
    paused: list[Member]
    pairing: Pairing
    zone: str
    """The community's time zone, for members who set none."""


async def pair_space(job: JobContext, space_id: int) -> None:
    async with job.store.transaction() as tx:  # reads only
        network = tx.repo(NETWORK)
        settings = job.router.effective(await tx.settings.all(space_id))
        every, zone = cadence(settings), settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE
        latest = await network.latest_round(space_id)
        if latest is not None and not latest.planned:
            unfinished: RoundInfo | None = latest
        else:
            unfinished = None
            upcoming = next_round(job.now, every, latest)
            if upcoming.pair_at > job.now:
                return
            participants = await network.participants(space_id)
            previous = await network.round_pairs(space_id, latest.id) if latest else []
            eligible = await network.eligible(space_id, job.now)
            history = await network.history(space_id)
            exclusions = await network.exclusions(space_id)
            streaks, silent = ignored_streaks(previous, participants)
            paused = list((await tx.members.by_ids(space_id, sorted(silent))).values())
    if unfinished is not None:
        log.info("networking round %s in space %s: planning the rest", unfinished.number, space_id)
        stored = await stored_groups(job, space_id, unfinished)
        await plan_messages(job, space_id, unfinished, every, stored, zone)
        return
    members = [m for m in eligible if m.id not in silent]
    if len(members) < 2 and not paused:  # (pauses are written with a round, as always)
        await wait_for_company(job, space_id, members, latest, zone)
        return
    start = upcoming.starts_at
    # the pairing is pure CPU work: off the event loop, so members' commands keep flowing
    pairing = await asyncio.to_thread(
        pair_members,
        [candidate(m, start, fallback=zone) for m in members],
        history,
        exclusions,
        seed=upcoming.number * 7919 + space_id,
    )
    async with job.store.transaction() as tx:  # the round row is the lock
        info = await tx.repo(NETWORK).start_round(
            space_id, upcoming.number, start, start + every, job.now
        )
        if info is None:
            return  # another process paired this round
        plan = Plan(members, streaks, paused, pairing, zone)
        pair_ids = await write_round(tx, job, space_id, info, plan)
    by_id = {m.id: m for m in members}
    groups = [[by_id[m] for m in group] for group in pairing.groups]
    paired = list(zip(pair_ids, groups, strict=True))
    await plan_messages(job, space_id, info, every, paired, zone)


def ignored_streaks(
    previous: list[PairInfo], participants: Mapping[int, Participant]
) -> tuple[dict[int, int], set[int]]:
    """Rounds ignored in a row, after the last round; and who reached the pause."""
    streaks: dict[int, int] = {}
    for pair in previous:
        for member_id, given in pair.answers.items():
            participant = participants.get(member_id)
            if participant is None or participant.status is not NetworkStatus.ACTIVE:
                continue
            streaks[member_id] = 0 if given is not None else participant.ignored_streak + 1
    silent = {m for m, streak in streaks.items() if streak >= IGNORED_ROUNDS_BEFORE_PAUSE}
    return streaks, silent


PAUSED = (
    "We've paused your networking rounds: the last three pairings went unanswered, and we "
    "don't want to fill your inbox. Rejoin any time with `/rounds network join`."
)
UNMATCHED = (
    "No networking match for you this round, sorry: there was no one left to pair you with. "
    "You're first in line next round."
)


ALONE = (
    "You're the first one in networking rounds here 🎉 There's nobody to pair you with yet, "
    "so we'll wait: your first pairing comes in the round after another member joins. "
    "Nothing to do till then."
)


def alone_for_managers(member: Member) -> Message:
    return Message(
        f"Networking rounds need more members: only {mention(member.user_id)} has joined, so "
        "no pairs can be made. Invite members to join with `/rounds network join`; rounds "
        "start by themselves once two have."
    )


async def wait_for_company(
    job: JobContext, space_id: int, members: list[Member], latest: RoundInfo | None, zone: str
) -> None:
    """No round for fewer than two: the one member waiting is told once, and so are the
    managers; then nothing more is sent until a round can pair them."""
    if not members:
        return
    [member] = members
    since = latest.number if latest else 0  # a new notice only after rounds ran meanwhile
    async with job.store.transaction() as tx:
        network = tx.repo(NETWORK)
        participant = await network.participant(space_id, member.id)
        if participant is None or participant.told_alone_after == since:
            return
        await network.mark_told_alone(space_id, member.id, since)
        told = [
            NewDelivery(
                dedupe_key=f"network:alone:{since}:{member.id}",
                purpose="network-alone",
                target=DirectMessage(member.user_id),
                message=Message(ALONE),
                due_at=next_allowed(job.now, member.profile, fallback=zone),
                quiet=True,
            )
        ]
        told += await manager_alerts(
            tx,
            space_id,
            f"network:alone:{since}",
            "manager-alert",
            alone_for_managers(member),
            job.now,
        )
        job.planned += await tx.outbox.enqueue_many(space_id, told)


def note(info: RoundInfo, what: str, member: Member, text: str, due_at: datetime) -> NewDelivery:
    """One DM about the member's networking rounds (`what`: paused, unmatched)."""
    return NewDelivery(
        dedupe_key=f"network:{info.number}:{what}:{member.id}",
        purpose=f"network-{what}",
        target=DirectMessage(member.user_id),
        message=Message(text),
        due_at=due_at,
        quiet=True,
    )


async def write_round(
    tx: Tx, job: JobContext, space_id: int, info: RoundInfo, plan: Plan
) -> list[int]:
    """The round itself: its pairs, streaks and pauses, and the notes to the few members
    who are paused or unmatched (the introductions follow in `plan_messages`)."""
    network = tx.repo(NETWORK)
    await network.set_streaks(space_id, plan.streaks)
    await network.reactivate(space_id, job.now)  # snoozes that ended
    await network.set_statuses(space_id, [m.id for m in plan.paused], NetworkStatus.PAUSED, job.now)
    for member in plan.paused:  # Rounds' own moderation step: managers see it in the audit
        await tx.audit.record(
            space_id,
            job.now,
            "network.pause",
            f"paused {SUBJECT}'s networking rounds after three unanswered rounds",
            actor_id=None,
            subject_id=member.id,
        )
    pair_ids = await network.add_pairs(space_id, info.id, plan.pairing.groups)
    by_id = {m.id: m for m in plan.members}
    zone = plan.zone
    notes = [
        note(info, "paused", m, PAUSED, next_allowed(job.now, m.profile, fallback=zone))
        for m in plan.paused
    ]
    notes += [
        note(
            info,
            "unmatched",
            by_id[m],
            UNMATCHED,
            local_monday(info.starts_at, by_id[m], fallback=zone),
        )
        for m in plan.pairing.unmatched
    ]
    await tx.outbox.enqueue_many(space_id, notes)
    log.info(
        "networking round %s in space %s: %s groups, %s unmatched",
        info.number,
        space_id,
        len(plan.pairing.groups),
        len(plan.pairing.unmatched),
    )
    return pair_ids


async def stored_groups(
    job: JobContext, space_id: int, info: RoundInfo
) -> list[tuple[int, list[Member]]]:
    """A round's groups as stored (to finish planning a round a process left part-way)."""
    async with job.store.transaction() as tx:
        pairs = await tx.repo(NETWORK).round_pairs(space_id, info.id)
        ids = sorted({m for pair in pairs for m in pair.member_ids})
        by_id = await tx.members.by_ids(space_id, ids)
    return [(pair.id, [by_id[m] for m in pair.member_ids if m in by_id]) for pair in pairs]


async def plan_messages(
    job: JobContext,
    space_id: int,
    info: RoundInfo,
    every: timedelta,
    groups: list[tuple[int, list[Member]]],
    zone: str,
) -> None:
    """Every group's introduction and check, in short write transactions."""
    offsets = {
        m.id: utc_offset(m, info.starts_at, fallback=zone) for _, group in groups for m in group
    }
    planned: list[NewDelivery] = []
    for pair_id, group in groups:
        if len(group) > 1:  # a member who left since has no introduction to get
            planned += pair_deliveries(info, pair_id, group, offsets, every, zone)
    for start in range(0, len(planned), PLAN_BATCH):
        async with job.store.transaction() as tx:
            await tx.outbox.enqueue_many(space_id, planned[start : start + PLAN_BATCH])
        # A pause between batches lets members' commands take SQLite's write lock: a writer
        # that is waiting looks again every 100 ms at most.
        await asyncio.sleep(BATCH_PAUSE)
    async with job.store.transaction() as tx:
        await tx.repo(NETWORK).mark_planned(space_id, info.id, job.now)


def pair_deliveries(
    info: RoundInfo,
    pair_id: int,
    group: list[Member],
    offsets: dict[int, float],
    every: timedelta,
    zone: str,
) -> list[NewDelivery]:
    """A group's introduction (at 10:00 Monday for whoever wakes last, outside everyone's
    quiet hours) and each member's "Did you meet?" halfway through the round."""
    monday = max(local_monday(info.starts_at, m, fallback=zone) for m in group)
    intro_at = common_moment(monday, group, fallback=zone)
    planned = [
        NewDelivery(
            dedupe_key=f"network:{info.number}:pair:{pair_id}",
            purpose="network-intro",
            target=GroupMessage(tuple(m.user_id for m in group)),
            message=render_introduction(
                group, offsets, info.ends_at - timedelta(hours=12), pair_id
            ),
            due_at=intro_at,
            quiet=True,
        )
    ]
    halfway = info.starts_at + every / 2
    for member in group:
        partners = [m for m in group if m.id != member.id]
        planned.append(
            NewDelivery(
                dedupe_key=f"network:{info.number}:check:{pair_id}:{member.id}",
                purpose="network-check",
                target=DirectMessage(member.user_id),
                message=render_check(pair_id, partners),
                due_at=next_allowed(
                    next_local(halfway, member.profile, INTRO_HOUR, fallback=zone),
                    member.profile,
                    fallback=zone,
                ),
                expires_at=info.ends_at + timedelta(days=3),
                quiet=True,
            )
        )
    return planned
