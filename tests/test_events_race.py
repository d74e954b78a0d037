"""Capacity under concurrency: answers to one event arriving at once never give away more seats
than it has (on SQLite and, with ROUNDS_TEST_DATABASE_URL, PostgreSQL), and the waitlist keeps
its order."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.bootstrap import Core, build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import SpaceKey
from bot.features.events.model import EVENTS, Answer
from storage.store import SqlStore

SPACE = SpaceKey("console", "T-RACE")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def actor(name: str) -> Actor:
    return Actor(SPACE, name, display_name=name)


async def event_with_seats(core: Core, capacity: int, members: list[str]) -> int:
    rounds = core.rounds
    await rounds.member_joined(actor("amara"), manager_if_first=True)
    for name in members:
        await rounds.member_joined(actor(name))
    created = await rounds.command(
        actor("amara"),
        f'event create title="Last seat" when="2026-03-10 18:00" tz=UTC capacity={capacity}',
    )
    assert "✓ Event 1 is on" in created.replies[0].message.text
    async with core.store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        occurrence = await tx.repo(EVENTS).occurrence(space.id, 1)
    assert occurrence is not None
    return occurrence.id


async def answers(store: SqlStore, occurrence_id: int) -> dict[Answer, list[int]]:
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        rsvps = await tx.repo(EVENTS).rsvps(space.id, occurrence_id, tuple(Answer))
    found: dict[Answer, list[int]] = {}
    for rsvp in rsvps:
        found.setdefault(rsvp.answer, []).append(rsvp.member_id)
    return found


async def test_two_answers_for_the_last_seat_at_once_one_wins(store: SqlStore) -> None:
    core = build_core(store, ManualClock(NOW), send_when_planned=False)
    occurrence_id = await event_with_seats(core, 1, ["ben", "cara"])
    value = f"{occurrence_id}:going"
    ben, cara = await asyncio.gather(
        core.rounds.action(actor("ben"), "event.rsvp", value),
        core.rounds.action(actor("cara"), "event.rsvp", value),
    )
    said = sorted(o.replies[0].message.text.split(" ")[0] for o in (ben, cara))
    texts = [o.replies[0].message.text for o in (ben, cara)]
    assert sum("You're going ✓" in t for t in texts) == 1, said
    assert sum("you're on the waitlist (number 1 in line)" in t for t in texts) == 1
    found = await answers(store, occurrence_id)
    assert len(found[Answer.GOING]) == 1 and len(found[Answer.WAITLIST]) == 1


async def test_a_crowd_answering_at_once_fills_the_seats_exactly(
    store: SqlStore, database_url: str
) -> None:
    """Ten members in two processes (two engines on one database) for three seats."""
    names = [f"m{i}" for i in range(10)]
    core = build_core(store, ManualClock(NOW), send_when_planned=False)
    occurrence_id = await event_with_seats(core, 3, names)
    other_store = SqlStore.from_url(database_url)
    other = build_core(other_store, ManualClock(NOW), send_when_planned=False)
    value = f"{occurrence_id}:going"
    try:
        await asyncio.gather(
            *(
                (core if i % 2 else other).rounds.action(actor(name), "event.rsvp", value)
                for i, name in enumerate(names)
            )
        )
    finally:
        await other_store.close()
    found = await answers(store, occurrence_id)
    assert len(found[Answer.GOING]) == 3
    assert len(found[Answer.WAITLIST]) == 7
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        waiting = await tx.repo(EVENTS).rsvps(space.id, occurrence_id, (Answer.WAITLIST,))
    assert [r.seq for r in waiting] == sorted(r.seq for r in waiting)
    assert len({r.seq for r in waiting}) == 7  # each answer has its own place in line
