"""Mentorship on the managers' dashboard: pairs on track, overdue or silent with the days since
their last check-in, requests waiting for a mentor, and mentors at capacity (names only: no
goals, notes or feedback, which members wrote)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot.dashboard import Block, BoardContext, Column, Figures, Table
from bot.domain import Member
from bot.features.mentorship.model import MENTORSHIP, WAITING, Pair, PairStatus, Step
from bot.text import plural

ON_TRACK, OVERDUE, SILENT, PAUSED = "on track", "overdue", "silent", "paused"


def standing(pair: Pair) -> str:
    if pair.status is PairStatus.PAUSED:
        return PAUSED
    if pair.step is Step.ESCALATED:
        return SILENT
    return ON_TRACK if pair.step is Step.WAITING else OVERDUE


def _days(since: datetime | None, now: datetime) -> int | None:
    return None if since is None else max(0, (now - since).days)


def _name(members: dict[int, Member], member_id: int) -> str:
    found = members.get(member_id)
    return (found.display_name or found.user_id) if found else "a former member"


async def health(ctx: BoardContext) -> str:
    numbers = await ctx.tx.repo(MENTORSHIP).numbers(ctx.space_id, ctx.now)
    waiting = sum(numbers.requests.get(status, 0) for status in WAITING)
    return (
        f"{plural(numbers.on_track, 'pair')} on track, {numbers.overdue} overdue, {numbers.silent} "
        f"silent; {waiting} request{'s' if waiting != 1 else ''} waiting."
    )


async def page(ctx: BoardContext) -> Sequence[Block]:
    repo = ctx.tx.repo(MENTORSHIP)
    pairs = await repo.board_pairs(ctx.space_id)
    requests = await repo.board_requests(ctx.space_id)
    full = await repo.board_full_mentors(ctx.space_id)
    ids = {p.mentor_id for p, _ in pairs} | {p.mentee_id for p, _ in pairs}
    ids |= {r.mentee_id for r in requests} | {m for m, _, _ in full}
    members = await ctx.tx.members.by_ids(ctx.space_id, sorted(ids))
    standings = [standing(pair) for pair, _ in pairs]
    figures = Figures(
        (
            ("On track", str(standings.count(ON_TRACK))),
            ("Overdue", str(standings.count(OVERDUE))),
            ("Silent", str(standings.count(SILENT))),
            ("Paused", str(standings.count(PAUSED))),
            ("Waiting requests", str(len(requests))),
            ("Mentors at capacity", str(len(full))),
        ),
        "Pairs",
    )
    pair_rows = tuple(
        (
            _name(members, pair.mentor_id),
            _name(members, pair.mentee_id),
            state,
            pair.started_at,
            last,
            _days(last or pair.started_at, ctx.now),
        )
        for (pair, last), state in zip(pairs, standings, strict=True)
    )
    request_rows = tuple(
        (_name(members, r.mentee_id), r.status.value, r.created_at, _days(r.created_at, ctx.now))
        for r in requests
    )
    full_rows = tuple((_name(members, m), used, capacity) for m, used, capacity in full)
    return [
        figures,
        Table(
            "pairs",
            "Current pairs",
            (
                Column("Mentor"),
                Column("Mentee"),
                Column("Standing", choices=True),
                Column("Started"),
                Column("Last check-in"),
                Column("Days since", numeric=True),
            ),
            pair_rows,
            empty="No pairs yet.",
        ),
        Table(
            "requests",
            "Requests waiting for a mentor",
            (
                Column("Mentee"),
                Column("State", choices=True),
                Column("Asked"),
                Column("Days waiting", numeric=True),
            ),
            request_rows,
            empty="No requests waiting.",
        ),
        Table(
            "capacity",
            "Mentors at capacity",
            (
                Column("Mentor"),
                Column("Mentees", numeric=True),
                Column("Capacity", numeric=True),
            ),
            full_rows,
            empty="No mentor is full.",
        ),
    ]
