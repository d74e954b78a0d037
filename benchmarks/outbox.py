"""Outbox throughput: claim and send 10,000 due deliveries to a recording platform, no rate
limit. Target: ≥ 1,000 per second. Run: `python -m benchmarks.outbox`."""

from __future__ import annotations

import asyncio
import tempfile
import time

from benchmarks.common import NOW, SPACE
from bot.clock import ManualClock
from bot.delivery import Dispatcher
from bot.domain import SpaceKey
from bot.messages import DirectMessage, Message, Target
from bot.ports import NewDelivery
from storage.store import SqlStore

DELIVERIES = 10_000


class RecordingPlatform:
    name = "bench"

    def __init__(self) -> None:
        self.sent = 0

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        self.sent += 1
        return str(self.sent)


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await store.create_schema()
        async with store.transaction() as tx:
            space = await tx.spaces.get_or_create(SPACE)
            for i in range(DELIVERIES):
                await tx.outbox.enqueue(
                    space.id,
                    NewDelivery(
                        f"bench:{i}",
                        "bench",
                        DirectMessage(f"U{i:06d}"),
                        Message(f"Reminder {i}: your check-in is due this week."),
                        NOW,
                    ),
                )
        platform = RecordingPlatform()
        dispatcher = Dispatcher(store, {"bench": platform}, ManualClock(NOW), batch=500)
        started = time.perf_counter()
        sent = await dispatcher.run_due()
        elapsed = time.perf_counter() - started
        assert sent == platform.sent == DELIVERIES
        print(
            f"outbox: {sent:,} deliveries claimed, sent and recorded in {elapsed:.2f} s "
            f"= {sent / elapsed:,.0f} per second (SQLite, batch 500)"
        )
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
