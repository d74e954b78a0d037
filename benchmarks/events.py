"""Community events at scale: 500 events over the next 30 days, 200 answers each, 2,000 members
with time zones, on SQLite.

- Reminder planning for a day: the reminder job run hourly for 24 hours, each run planning
  every reminder of the events that came close enough (48 h before they start): members'
  answers and profiles read, each member's due times worked out (quiet hours included), the
  DMs and the channel post written to the outbox, the event marked planned. Target: under 1 s.
- RSVP handling: `Rounds.action` for a Going / Maybe / Can't go press, end to end (the
  occurrence's lock, the answer, the waitlist, reminders planned or taken back, the card's
  next version in the outbox, one transaction). Target: p99 under 20 ms.

Run: `python -m benchmarks.events`.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from datetime import timedelta

from sqlalchemy import func, insert, select

from benchmarks.common import NOW, SPACE, bench_user_id, percentiles, seed_members
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor, JobContext
from bot.features.events import plan_reminders
from bot.features.events.model import EVENTS
from storage.event_rows import EventOccurrenceRow, EventRsvpRow
from storage.models import OutboxRow
from storage.store import SqlStore

MEMBERS = 2_000
EVENTS_COUNT = 500
ANSWERS = 200
SPREAD = timedelta(days=30)
PRESSES = 2_000


async def seed(store: SqlStore, clock: ManualClock) -> list[int]:
    """The events, created through the command as a manager would; answers in bulk."""
    space_id = await seed_members(store, MEMBERS)
    core = build_core(store, clock, send_when_planned=False)
    manager = Actor(SPACE, bench_user_id(0), display_name="manager")
    await core.rounds.command(manager, "config channel events #events")
    rng = random.Random(10)
    step = SPREAD / EVENTS_COUNT
    for index in range(EVENTS_COUNT):
        start = NOW + timedelta(days=2, hours=5) + step * index
        capacity = f" capacity={ANSWERS + 20}" if index % 4 == 0 else ""
        outcome = await core.rounds.command(
            manager,
            f'event create title="Workshop {index}" when="{start:%Y-%m-%d %H:%M}" tz=UTC '
            f"duration=90m{capacity}",
        )
        assert "✓ Event" in outcome.replies[0].message.text, outcome.replies[0].message.text
    async with store.sessions() as session:
        occurrences = list(
            (
                await session.execute(
                    select(EventOccurrenceRow.id).where(EventOccurrenceRow.space_id == space_id)
                )
            ).scalars()
        )
        member_ids = list(range(1, MEMBERS + 1))
        rows = []
        for occurrence_id in occurrences:
            for seq, member_id in enumerate(rng.sample(member_ids, ANSWERS), start=1):
                answer = "going" if seq % 3 else "maybe"
                rows.append(
                    {
                        "occurrence_id": occurrence_id,
                        "member_id": member_id,
                        "space_id": space_id,
                        "answer": answer,
                        "seq": seq,
                        "answered_at": NOW,
                    }
                )
        for start in range(0, len(rows), 5_000):
            await session.execute(insert(EventRsvpRow), rows[start : start + 5_000])
        await session.commit()
    return occurrences


async def outbox_count(store: SqlStore) -> int:
    async with store.sessions() as session:
        return int(
            await session.scalar(
                select(func.count())
                .select_from(OutboxRow)
                .where(OutboxRow.purpose == "event-reminder")
            )
            or 0
        )


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await store.create_schema()
        clock = ManualClock(NOW)
        started = time.perf_counter()
        occurrences = await seed(store, clock)
        print(
            f"events, SQLite: {EVENTS_COUNT} events over {SPREAD.days} days, {ANSWERS} answers "
            f"each, {MEMBERS:,} members (seeded in {time.perf_counter() - started:.1f} s)"
        )
        core = build_core(store, clock, send_when_planned=False)
        router = core.router

        started = time.perf_counter()
        for hour in range(1, 25):
            await plan_reminders(JobContext(store, router, NOW + timedelta(hours=hour)))
        day = time.perf_counter() - started
        planned = await outbox_count(store)
        print(f"  reminder planning for a day (24 hourly runs): {day:.2f} s, {planned:,} reminders")

        rng = random.Random(7)
        answers = ("going", "maybe", "no")
        samples: list[float] = []
        clock.set(NOW + timedelta(hours=1))
        later = occurrences[len(occurrences) // 10 :]  # events not started during the run
        for run in range(PRESSES + 200):
            actor = Actor(SPACE, bench_user_id(rng.randrange(1, MEMBERS)))
            value = f"{rng.choice(later)}:{rng.choice(answers)}"
            began = time.perf_counter()
            outcome = await core.rounds.action(actor, "event.rsvp", value)
            if run >= 200:  # the first 200 warm up
                samples.append((time.perf_counter() - began) * 1000)
            assert outcome.replies and "Sorry" not in outcome.replies[0].message.text
        p50, p99 = percentiles(samples)
        print(f"  RSVP press, {PRESSES:,} presses: p50 {p50:.2f} ms, p99 {p99:.2f} ms")
        async with store.transaction() as tx:
            space = await tx.spaces.get_or_create(SPACE)
            assert await tx.repo(EVENTS).upcoming(space.id, NOW, 10)
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
