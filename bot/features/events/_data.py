"""Community events' part of members' data rights and of the managers' digest and chart.

Export: the member's answers to each event, and the events they created or host. Erasure:
their answers go; a seat they held in an event still to come goes to the first on its
waitlist (who is told, as when anyone frees a seat); the events they created or host stay for
everyone who answered, without them, and the managers are told which lost their host so they
can name another or cancel. Digest: the next two weeks' events with their answers; chart:
answers per week.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from bot.digest import DigestContext, DigestSection, Trend
from bot.features.events._plan import Plan
from bot.features.events._rsvp import promote
from bot.features.events.model import EVENTS, Answer, Occurrence
from bot.managers import manager_alerts
from bot.memberdata import MemberData, MemberRequest
from bot.messages import Message, literal, moment
from bot.ports import Tx

AHEAD = timedelta(days=14)
SHOWN = 5


async def export(request: MemberRequest) -> dict[str, Any]:
    mine = await request.tx.repo(EVENTS).export_member(request.space.id, request.member.id)
    return {
        "answers": [
            {
                "event": o.number,
                "title": o.details.title,
                "starts_at": o.starts_at,
                "answer": r.answer,
                "answered_at": r.answered_at,
            }
            for o, r in mine.rsvps
        ],
        "events_you_created": [
            {
                "title": s.details.title,
                "first_starts_at": s.starts_at,
                "repeats": s.repeat,
                "until": s.until.isoformat() if s.until else None,
                "created_at": s.created_at,
                "cancelled_at": s.cancelled_at,
            }
            for s in mine.created
        ],
        "events_you_host": [
            {"event": o.number, "title": o.details.title, "starts_at": o.starts_at}
            for o in mine.hosting
        ],
    }


def render_host_gone(occurrences: list[Occurrence], *, repeats: bool) -> Message:
    """`repeats`: the events are a series' sessions (the edit takes `series=yes`)."""
    first = occurrences[0]
    shown = ", ".join(f"{o.number} ({moment(o.starts_at, 'D')})" for o in occurrences[:SHOWN]) + (
        f" and {len(occurrences) - SHOWN} more" if len(occurrences) > SHOWN else ""
    )
    return Message(
        f"🗓 **{literal(first.details.title)}** has no host or organiser now: they are no longer "
        f"taking part in Rounds. Upcoming: event{'s' if len(occurrences) > 1 else ''} {shown}. "
        f"Name a host with `/rounds event edit {first.number} host=@member"
        f"{' series=yes' if repeats else ''}`, or cancel with "
        f"`/rounds event cancel {first.number}`; members who answered keep their places."
    )


async def erase(request: MemberRequest) -> None:
    tx, space_id, now, me = request.tx, request.space.id, request.now, request.member.id
    repo = tx.repo(EVENTS)
    mine = await repo.export_member(space_id, me)
    created = {s.id for s in mine.created}
    touched: dict[int, Occurrence] = {
        o.id: o for o, _ in mine.rsvps if not o.cancelled and o.starts_at > now
    }
    for series_id in created:
        for o in await repo.occurrences_of(space_id, series_id):
            if not o.cancelled and o.starts_at > now:
                touched[o.id] = o
    for o in mine.hosting:
        if not o.cancelled and o.starts_at > now:
            touched[o.id] = o
    # left without anyone to run them: their own events without another host, and the
    # events they were to host
    orphaned: dict[int, list[Occurrence]] = {}
    for o in touched.values():
        hosted_by = o.details.host_id
        if hosted_by == me or (hosted_by is None and o.series_id in created):
            orphaned.setdefault(o.series_id, []).append(o)
    await repo.erase_member(space_id, me)
    plan = Plan(tx, space_id, now, request.settings)
    for occurrence in sorted(touched.values(), key=lambda o: (o.starts_at, o.number)):
        current, _ = await plan.lock(occurrence)
        await promote(plan, current)  # their seat, if they had one, goes to the waitlist
        await plan.refresh_card(current, await repo.series(space_id, current.series_id))
    for series_id, occurrences in sorted(orphaned.items()):
        occurrences.sort(key=lambda o: (o.starts_at, o.number))
        key = f"event:series:{series_id}:host-gone:{occurrences[0].id}"
        series = await repo.series(space_id, series_id)
        repeats = series is not None and series.repeat is not None
        alerts = await manager_alerts(
            tx,
            space_id,
            key,
            "event-host-gone",
            render_host_gone(occurrences, repeats=repeats),
            now,
        )
        await plan.enqueue(alerts)


MEMBER_DATA = MemberData(
    "events", "your event answers and the events you created or host", export, erase
)


async def digest(ctx: DigestContext) -> DigestSection | None:
    repo = ctx.tx.repo(EVENTS)
    coming = [
        o
        for o in await repo.upcoming(ctx.space_id, ctx.now, 50)
        if o.starts_at >= ctx.now and o.starts_at < ctx.now + AHEAD
    ]
    if not coming:
        return None
    counts = await repo.counts(ctx.space_id, [o.id for o in coming])
    lines = []
    for o in coming[:SHOWN]:
        answers = counts[o.id]
        going = answers.get(Answer.GOING, 0)
        seats = f" of {o.details.capacity}" if o.details.capacity else ""
        line = (
            f"{moment(o.starts_at, 'f')} **{literal(o.details.title)}**: {going}{seats} going, "
            f"{answers.get(Answer.MAYBE, 0)} maybe"
        )
        waiting = answers.get(Answer.WAITLIST, 0)
        if waiting:
            line += (
                f", {waiting} on the waitlist (more seats: "
                f"`/rounds event edit {o.number} capacity={(o.details.capacity or 0) + waiting}`)."
            )
        else:
            line += f". `/rounds event {o.number}`"
        lines.append(line)
    if len(coming) > SHOWN:
        lines.append(f"…and {len(coming) - SHOWN} more in the next two weeks: `/rounds events`.")
    return DigestSection("Events in the next two weeks", tuple(lines))


async def rsvps(tx: Tx, space_id: int, bounds: Sequence[datetime]) -> list[int]:
    return await tx.repo(EVENTS).rsvps_per_week(space_id, bounds)


TREND = Trend("RSVPs", rsvps, order=20)
