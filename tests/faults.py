"""A fan-out planned straight into the outbox, and what became of it: the posts that reached a
fake platform (counted by text, so a duplicate shows) and the outbox's statuses. Shared by the
crash tests (`tests/discord/test_faults.py`) and the crash and outage benchmarks."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import func, select, text

from bot.domain import SpaceKey
from bot.messages import Message, Target
from bot.ports import NewDelivery
from storage.models import Base, OutboxRow
from storage.store import SqlStore

if TYPE_CHECKING:
    from tests.discord.fake_discord import FakeDiscord
    from tests.process import Rounds
    from tests.slack.fake_slack import FakeSlack

ROOT = Path(__file__).resolve().parents[1]
PREFIX = "fan-out "
DISCORD_TOKEN = "fake-token-never-logged"


def discord_settings(fake: FakeDiscord) -> dict[str, str]:
    """The settings that make `rounds` serve the fake Discord."""
    return {"DISCORD_TOKEN": DISCORD_TOKEN, "DISCORD_API_URL": fake.api_url}


def slack_settings(fake: FakeSlack) -> dict[str, str]:
    """The settings that make `rounds` serve the fake Slack in HTTP mode."""
    from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET

    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_MODE": "http",
        "SLACK_API_URL": fake.api_url,
    }


def discord_posts(fake: FakeDiscord, prefix: str = PREFIX) -> Counter[str]:
    """How many times each delivery's text reached the fake Discord."""
    return Counter(
        str(m["content"]) for m in fake.messages.values() if str(m["content"]).startswith(prefix)
    )


def slack_posts(fake: FakeSlack, prefix: str = PREFIX) -> Counter[str]:
    """How many times each delivery's text reached the fake Slack."""
    return Counter(
        text
        for m in fake.messages.values()
        if (text := str(m.params.get("text", ""))).startswith(prefix)
    )


async def reached(
    count: int, seen: Callable[[], int], *by: Rounds, wait: float = 60.0, step: float = 0.01
) -> None:
    """Wait until `seen()` (posts that reached a fake) is at least `count`; fails with what
    the processes `by` said when that takes longer than `wait` seconds."""
    deadline = time.monotonic() + wait
    while seen() < count:
        if time.monotonic() > deadline:
            said = "".join(line for r in by for line in r.lines if "sqlalchemy" not in line)
            raise AssertionError(f"{count} posts never came; rounds said:\n{said}")
        await asyncio.sleep(step)


async def empty(url: str) -> None:
    """Drop every table of a PostgreSQL database, so `rounds db upgrade` starts from nothing."""
    store = SqlStore.from_url(url)
    async with store.engine.begin() as connection:
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await store.close()


async def plan(
    url: str,
    space: SpaceKey,
    count: int,
    target: Callable[[int], Target],
    *,
    due_at: Callable[[int], datetime] | None = None,
    prefix: str = PREFIX,
) -> None:
    """`count` deliveries in `space`: number i goes to `target(i)`, says `prefix` + i, and is
    due at `due_at(i)` (by default a minute ago: all due at once)."""
    store = SqlStore.from_url(url)
    ago = datetime.now(UTC) - timedelta(minutes=1)
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(space)
        await tx.outbox.enqueue_many(
            found.id,
            [
                NewDelivery(
                    f"{prefix.strip()}:{i}",
                    "test",
                    target(i),
                    Message(f"{prefix}{i}"),
                    due_at(i) if due_at is not None else ago,
                )
                for i in range(count)
            ],
        )
    await store.close()


async def statuses(url: str) -> dict[str, int]:
    """How many outbox rows are in each status."""
    store = SqlStore.from_url(url)
    async with store.sessions() as session:
        rows = await session.execute(
            select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        )
        found = {str(row[0]): int(row[1]) for row in rows}
    await store.close()
    return found


async def settled(url: str, deliveries: int, wait: float = 120.0) -> bool:
    """Wait until every row is sent: a row a killed process posted but never recorded stays
    claimed until a live process takes its claim over (and sends it again, the duplicate a
    kill may cost), which can come after every message has already been seen."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        if await statuses(url) == {"sent": deliveries}:
            return True
        await asyncio.sleep(0.2)
    return False


async def unsent(url: str) -> Counter[tuple[str, str]]:
    """Rows not sent, by status and the reason recorded (a failure always has one)."""
    store = SqlStore.from_url(url)
    query = select(OutboxRow.status, OutboxRow.last_error).where(OutboxRow.status != "sent")
    async with store.sessions() as session:
        found = Counter((str(r[0]), str(r[1] or "")) for r in await session.execute(query))
    await store.close()
    return found


async def senders(url: str) -> Counter[str]:
    """Sent rows by the worker (process) that sent them."""
    store = SqlStore.from_url(url)
    query = (
        select(OutboxRow.claimed_by, func.count())
        .where(OutboxRow.status == "sent")
        .group_by(OutboxRow.claimed_by)
    )
    async with store.sessions() as session:
        found = Counter({str(r[0]): int(r[1]) for r in await session.execute(query)})
    await store.close()
    return found


def lost(sent: Counter[str], deliveries: int, prefix: str = PREFIX) -> int:
    """Deliveries 0 … `deliveries` - 1 that never reached the platform."""
    return sum(1 for i in range(deliveries) if sent[f"{prefix}{i}"] == 0)


def duplicated(sent: Counter[str]) -> int:
    """Posts beyond the first of each delivery."""
    return sum(count - 1 for count in sent.values() if count > 1)
