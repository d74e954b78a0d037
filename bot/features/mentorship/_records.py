"""For the record: a member's check-in log (and its CSV, for promotion portfolios) and the
managers' report on how the programme is going."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.domain import Member
from bot.features.mentorship.model import (
    MENTORSHIP,
    Checkin,
    Numbers,
    Pair,
    PairStatus,
    RequestStatus,
)
from bot.localtime import local
from bot.messages import Attachment, Message, literal, mention, moment

SHOWN = 20
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(text: str) -> str:
    """Member text as a spreadsheet shows it, never as a formula it would run."""
    return "'" + text if text.startswith(FORMULA_START) else text


def log_line(member: Member, checkin: Checkin, pair: Pair, other: Member | None) -> str:
    name = mention(other.user_id) if other else "a former member"
    role = "you mentor them" if pair.mentor_id == member.id else "your mentor"
    line = f"- {moment(checkin.met_at, 'D')} · with {name} ({role})"
    if checkin.member_id != member.id:
        return line + f" · logged by {name}"
    return line + (f" · “{literal(checkin.note)}”" if checkin.note else "")


async def log(ctx: Context, args: Mapping[str, Any]) -> None:
    entries = await ctx.tx.repo(MENTORSHIP).checkins(ctx.space.id, ctx.member.id)
    others = await ctx.tx.members.by_ids(
        ctx.space.id, sorted({pair.other(ctx.member.id) for _, pair in entries})
    )
    if not entries:
        ctx.reply("No check-ins yet. Log one with `/rounds checkin @member [note]`.")
        return
    if args.get("export"):
        ctx.reply(export(ctx.member, entries, others))
        return
    lines = ["**Your check-ins** (newest first)"]
    lines += [
        log_line(ctx.member, checkin, pair, others.get(pair.other(ctx.member.id)))
        for checkin, pair in entries[:SHOWN]
    ]
    if len(entries) > SHOWN:
        lines.append(
            f"…and {len(entries) - SHOWN} earlier. `/rounds mentor log export` has them all."
        )
    ctx.reply("\n".join(lines))


def export(
    member: Member, entries: list[tuple[Checkin, Pair]], others: Mapping[int, Member]
) -> Message:
    """The log as a CSV: date and time in the member's own time zone, oldest first; notes are
    only the member's own."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["date", "time", "with", "your role", "logged by", "your note"])
    for checkin, pair in reversed(entries):
        other = others.get(pair.other(member.id))
        here = local(checkin.met_at, member.profile)
        mine = checkin.member_id == member.id
        writer.writerow(
            [
                here.strftime("%Y-%m-%d"),
                here.strftime("%H:%M %Z"),
                cell(other.label if other else "a former member"),
                "mentor" if pair.mentor_id == member.id else "mentee",
                "you" if mine else cell(other.label if other else "them"),
                cell(checkin.note or "") if mine else "",
            ]
        )
    count = len(entries)
    return Message(
        f"Your mentorship log: {count} check-in{'s' if count != 1 else ''}, as a CSV file "
        "(dates in your time zone) for your portfolio.",
        attachment=Attachment("mentorship-log.csv", out.getvalue().encode("utf-8"), "text/csv"),
    )


def render_report(numbers: Numbers) -> Message:
    pairs, requests = numbers.pairs, numbers.requests
    active = pairs.get(PairStatus.ACTIVE, 0)
    waiting = sum(
        requests.get(s, 0)
        for s in (RequestStatus.OPEN, RequestStatus.ASKING, RequestStatus.UNMATCHED)
    )
    average = (
        f"{numbers.average_days:.1f}" if numbers.average_days is not None else "n/a (none yet)"
    )
    ended = pairs.get(PairStatus.ENDED, 0)
    lines = [
        "**Mentorship**",
        f"- Active pairs: {active} (on track {numbers.on_track}, overdue {numbers.overdue}, "
        f"silent {numbers.silent}); paused {pairs.get(PairStatus.PAUSED, 0)}; "
        f"ended {ended}",
        f"- Average days between check-ins: {average}",
        f"- Mentors: {numbers.mentors}, at capacity {numbers.mentors_full}",
        f"- Waiting requests: {waiting} (choosing {requests.get(RequestStatus.OPEN, 0)}, "
        f"a mentor deciding {requests.get(RequestStatus.ASKING, 0)}, "
        f"with managers {requests.get(RequestStatus.UNMATCHED, 0)})",
        f"- Feedback received: {numbers.feedback}",
    ]
    if numbers.silent or requests.get(RequestStatus.UNMATCHED, 0):
        lines.append("\nSilent pairs and unmatched requests have cards in the managers channel.")
    return Message("\n".join(lines))


async def report(ctx: Context, args: Mapping[str, Any]) -> None:
    ctx.reply(render_report(await ctx.tx.repo(MENTORSHIP).numbers(ctx.space.id, ctx.now)))
