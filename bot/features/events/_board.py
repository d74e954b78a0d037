"""Community events on the managers' dashboard: upcoming occurrences with their RSVPs and
waitlists, and past ones with the answers members gave. Events are shown by number, kind and
time: their titles and descriptions are members' words, which stay in chat."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dashboard import Block, BoardContext, Column, Note, Table
from bot.features.events.model import EVENTS, Answer, Occurrence

UPCOMING = 50
PAST = 50


def _label(occurrence: Occurrence) -> str:
    return f"Event {occurrence.number} ({occurrence.details.kind.value})"


async def health(ctx: BoardContext) -> str:
    repo = ctx.tx.repo(EVENTS)
    upcoming = await repo.upcoming(ctx.space_id, ctx.now, UPCOMING)
    counts = await repo.counts(ctx.space_id, [o.id for o in upcoming])
    going = sum(c.get(Answer.GOING, 0) for c in counts.values())
    waiting = sum(c.get(Answer.WAITLIST, 0) for c in counts.values())
    plural = "s" if len(upcoming) != 1 else ""
    return f"{len(upcoming)} upcoming event{plural}, {going} going, {waiting} on waitlists."


async def page(ctx: BoardContext) -> Sequence[Block]:
    repo = ctx.tx.repo(EVENTS)
    upcoming = await repo.upcoming(ctx.space_id, ctx.now, UPCOMING)
    past = await repo.board_past(ctx.space_id, ctx.now, PAST)
    counts = await repo.counts(ctx.space_id, [o.id for o in [*upcoming, *past]])
    coming = tuple(
        (
            _label(o),
            o.starts_at,
            o.details.capacity,
            counts.get(o.id, {}).get(Answer.GOING, 0),
            counts.get(o.id, {}).get(Answer.MAYBE, 0),
            counts.get(o.id, {}).get(Answer.WAITLIST, 0),
        )
        for o in upcoming
    )
    went = tuple(
        (
            _label(o),
            o.starts_at,
            "cancelled" if o.cancelled else "held",
            counts.get(o.id, {}).get(Answer.GOING, 0),
            counts.get(o.id, {}).get(Answer.MAYBE, 0),
            counts.get(o.id, {}).get(Answer.NO, 0),
        )
        for o in past
    )
    n = Column
    return [
        Note(
            "Events are listed by number: `/rounds event 12` in chat shows one in full "
            "(titles and descriptions are members' words and stay there)."
        ),
        Table(
            "upcoming",
            "Upcoming",
            (
                n("Event"),
                n("Starts"),
                n("Seats", numeric=True),
                n("Going", numeric=True),
                n("Maybe", numeric=True),
                n("Waitlist", numeric=True),
            ),
            coming,
            empty="No events coming up.",
        ),
        Table(
            "past",
            f"The last {PAST} past events",
            (
                n("Event"),
                n("Started"),
                n("State", choices=True),
                n("Going", numeric=True),
                n("Maybe", numeric=True),
                n("Can't go", numeric=True),
            ),
            went,
            empty="No past events yet.",
        ),
    ]
