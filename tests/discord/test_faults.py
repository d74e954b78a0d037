"""Crashes during a fan-out, with real `rounds` processes serving the fake Discord: `kill -9`
at random moments then a restart, and two processes on one PostgreSQL database, one killed
mid-way. Every delivery ends sent; none is lost; at most one per kill is sent twice (the send
in flight when the process died)."""

from __future__ import annotations

import asyncio
import random
import signal
import sys
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from bot.domain import SpaceKey
from bot.messages import ChannelPost, Message
from bot.ports import NewDelivery
from storage.models import Base, OutboxRow
from storage.store import SqlStore
from tests.conftest import PG_URL
from tests.discord.fake_discord import GENERAL, GUILD, FakeDiscord
from tests.discord.test_cli import ROOT, environment
from tests.process import Rounds

SPACE = SpaceKey("discord", GUILD)
PREFIX = "fan-out "


def is_post(call: object) -> bool:
    return getattr(call, "method", "") == "POST" and getattr(call, "path", "").endswith("/messages")


def posts(fake: FakeDiscord) -> Counter[str]:
    """How many times each delivery's text reached the fake."""
    return Counter(
        str(m["content"]) for m in fake.messages.values() if m["content"].startswith(PREFIX)
    )


async def posted(fake: FakeDiscord, count: int, *by: Rounds, wait: float = 60.0) -> None:
    """Wait until `count` posts of the fan-out have reached the fake."""
    while sum(posts(fake).values()) < count:
        try:
            await fake.wait_for(is_post, after=len(fake.calls), wait=wait)
        except TimeoutError:
            said = "".join(line for r in by for line in r.lines if "sqlalchemy" not in line)
            raise AssertionError(f"{count} posts never came; rounds said:\n{said}") from None


async def migrate(env: dict[str, str], cwd: Path) -> None:
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "db", "upgrade"),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()


async def plan(url: str, count: int) -> None:
    store = SqlStore.from_url(url)
    now = datetime.now(UTC) - timedelta(minutes=1)
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        await tx.outbox.enqueue_many(
            space.id,
            [
                NewDelivery(f"f:{i}", "test", ChannelPost(GENERAL), Message(f"{PREFIX}{i}"), now)
                for i in range(count)
            ],
        )
    await store.close()


async def statuses(url: str) -> dict[str, int]:
    store = SqlStore.from_url(url)
    async with store.sessions() as session:
        rows = await session.execute(
            select(OutboxRow.status, func.count()).group_by(OutboxRow.status)
        )
        found = {str(row[0]): int(row[1]) for row in rows}
    await store.close()
    return found


async def settled(url: str, deliveries: int, wait: float = 120.0) -> None:
    """Wait until every row is sent: a row a killed process posted but never recorded stays
    claimed until a live process takes its claim over (and sends it again, the duplicate a
    kill may cost), which can come after every message has already been seen."""
    for _ in range(int(wait / 0.2)):
        if await statuses(url) == {"sent": deliveries}:
            return
        await asyncio.sleep(0.2)


def served(fake: FakeDiscord, tmp_path: Path, url: str) -> dict[str, str]:
    return environment(fake, tmp_path) | {"DATABASE_URL": url, "PYTHONPATH": str(ROOT)}


async def test_kill_9_during_a_fan_out_then_restart_loses_nothing(tmp_path: Path) -> None:
    deliveries, kills = 300, 2
    fake = await FakeDiscord().start()
    url = f"sqlite+aiosqlite:///{tmp_path}/rounds.db"
    env = served(fake, tmp_path, url)
    rng = random.Random()
    running: Rounds | None = None
    try:
        await migrate(env, tmp_path)
        await plan(url, deliveries)
        for _ in range(kills):
            running = await Rounds.start(env, tmp_path)
            seen = sum(posts(fake).values())
            await posted(fake, seen + rng.randrange(20, deliveries // (kills + 1)), running)
            running.signal(signal.SIGKILL)
            assert await running.exited() == -signal.SIGKILL
        running = await Rounds.start(env, tmp_path)
        while len(posts(fake)) < deliveries:
            await posted(fake, sum(posts(fake).values()) + 1, running)
        await settled(url, deliveries)
        running.signal(signal.SIGTERM)
        assert await running.exited() == 0
    finally:
        if running is not None:
            await running.kill()
        await fake.stop()
    sent = posts(fake)
    assert len(sent) == deliveries  # none lost
    assert sum(sent.values()) - deliveries <= kills  # at most the send in flight, per kill
    assert await statuses(url) == {"sent": deliveries}


async def test_two_processes_on_one_postgresql_send_each_row_once_and_survive_a_kill(
    tmp_path: Path,
) -> None:
    if PG_URL is None:
        pytest.skip("needs PostgreSQL (ROUNDS_TEST_DATABASE_URL)")
    deliveries = 300
    store = SqlStore.from_url(PG_URL)
    async with store.engine.begin() as connection:  # the processes migrate it themselves
        await connection.run_sync(Base.metadata.drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await store.close()
    fake = await FakeDiscord().start()
    env = served(fake, tmp_path, PG_URL)
    first = second = None
    try:
        await migrate(env, tmp_path)
        await plan(PG_URL, deliveries)
        first = await Rounds.start(env, tmp_path)
        second = await Rounds.start(env, tmp_path)
        await posted(fake, deliveries // 3, first, second)
        first.signal(signal.SIGKILL)
        assert await first.exited() == -signal.SIGKILL
        while len(posts(fake)) < deliveries:
            await posted(fake, sum(posts(fake).values()) + 1, second, wait=120)
        await settled(PG_URL, deliveries)
        second.signal(signal.SIGTERM)
        assert await second.exited() == 0
    finally:
        for process in (first, second):
            if process is not None:
                await process.kill()
        await fake.stop()
    sent = posts(fake)
    assert len(sent) == deliveries
    assert sum(sent.values()) - deliveries <= 1
    assert await statuses(PG_URL) == {"sent": deliveries}
