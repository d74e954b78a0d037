"""Mentorship's part of members' data rights and of the managers' digest and chart.

Export: the member's offer to mentor, their requests (with the mentors suggested), every pair
they were in and its check-ins (their own notes only). Erasure: pairs under way end as when a
member leaves, with a neutral note to the partner that names nobody, and a mentee whose mentor
is erased gets fresh suggestions; then every row about them goes. Digest: pairs on track,
overdue and silent, waiting requests and mentors at capacity; chart: check-ins per week.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from bot.digest import DigestContext, DigestSection, Trend
from bot.domain import Member
from bot.features.mentorship._flows import Scope
from bot.features.mentorship._mentors import let_go
from bot.features.mentorship.model import MENTORSHIP, WAITING, PairStatus, RequestStatus
from bot.memberdata import FORMER_MEMBER, MemberData, MemberRequest
from bot.ports import NewDelivery, Tx
from bot.text import plural


def named(member: Member | None) -> str:
    return f"{member.label} ({member.user_id})" if member else FORMER_MEMBER


async def export(request: MemberRequest) -> dict[str, Any]:
    repo, space_id, me = request.tx.repo(MENTORSHIP), request.space.id, request.member.id
    mentor = await repo.mentor(space_id, me)
    mine = await repo.export_member(space_id, me)
    others = {p.other(me) for p in mine.pairs}
    others |= {s.mentor_id for _, suggested in mine.requests for s in suggested}
    known = await request.tx.members.by_ids(space_id, sorted(others))
    pairs = {p.id: p for p in mine.pairs}
    return {
        "offer_to_mentor": None
        if mentor is None
        else {
            "mentees_at_once": mentor.capacity,
            "areas": list(mentor.areas),
            "paused_at": mentor.paused_at,
            "paused_until": mentor.paused_until,
            "left_mentoring_at": mentor.left_at,
        },
        "times_suggested_as_a_mentor": mine.suggested,
        "requests": [
            {
                "goals": r.goals,
                "outside_your_institution": r.outside,
                "status": r.status,
                "asked_at": r.created_at,
                "mentors_suggested": [
                    {
                        "rank": s.rank,
                        "mentor": named(known.get(s.mentor_id)),
                        "why": s.reason,
                        "outcome": s.outcome,
                    }
                    for s in suggested
                ],
            }
            for r, suggested in mine.requests
        ],
        "mentorships": [
            {
                "you_are": "mentor" if p.mentor_id == me else "mentee",
                "with": named(known.get(p.other(me))),
                "status": p.status,
                "matched_by_a_manager": p.by_hand,
                "proposed_at": p.proposed_at,
                "started_at": p.started_at,
                "ended_at": p.ended_at,
                "check_in_every_days": p.every.days if p.every else None,
                "next_check_in_due": p.due_at,
                "your_feedback": p.mentor_feedback if p.mentor_id == me else p.mentee_feedback,
            }
            for p in mine.pairs
        ],
        "check_ins": [
            {
                "with": named(known.get(pairs[c.pair_id].other(me))),
                "met_at": c.met_at,
                "logged_by": "you" if c.member_id == me else "them",
                "your_note": c.note if c.member_id == me else None,
            }
            for c in mine.checkins
        ],
    }


async def erase(request: MemberRequest) -> None:
    tx, space_id = request.tx, request.space.id

    async def send(delivery: NewDelivery) -> bool:
        return bool(await tx.outbox.enqueue_many(space_id, [delivery]))

    scope = Scope(tx, space_id, request.now, request.settings, send)
    await let_go(scope, request.member, erased=True)
    await tx.repo(MENTORSHIP).erase_member(space_id, request.member.id)


MEMBER_DATA = MemberData(
    "mentorship", "your mentorship offers, requests, pairings and check-ins", export, erase
)


async def digest(ctx: DigestContext) -> DigestSection | None:
    repo = ctx.tx.repo(MENTORSHIP)
    numbers = await repo.standing(ctx.space_id)
    [logged] = await repo.checkins_per_week(ctx.space_id, [ctx.since, ctx.now])
    active = numbers.pairs.get(PairStatus.ACTIVE, 0)
    paused = numbers.pairs.get(PairStatus.PAUSED, 0)
    waiting = sum(numbers.requests.get(s, 0) for s in WAITING)
    if not (active or paused or waiting or logged):
        return None
    lines = [
        f"{plural(active, 'active pair')}: {numbers.on_track} on track, {numbers.overdue} "
        f"overdue, {numbers.silent} silent ({paused} paused); {plural(logged, 'check-in')} "
        "logged this week. Details: `/rounds mentor report`."
    ]
    if waiting:
        with_you = numbers.requests.get(RequestStatus.UNMATCHED, 0)
        line = f"{plural(waiting, 'request')} waiting for a mentor"
        if with_you:
            line += (
                f", {with_you} with no match: propose one with "
                "`/rounds mentor match @mentee @mentor`."
            )
        else:
            line += ": see `/rounds mentor report`."
        lines.append(line)
    if numbers.mentors_full:
        lines.append(
            f"{numbers.mentors_full} of {plural(numbers.mentors, 'mentor')} at capacity; "
            "members offer to mentor with `/rounds mentor offer`."
        )
    return DigestSection("Mentorship", tuple(lines))


async def checkins(tx: Tx, space_id: int, bounds: Sequence[datetime]) -> list[int]:
    return await tx.repo(MENTORSHIP).checkins_per_week(space_id, bounds)


TREND = Trend("Check-ins", checkins, order=10)
