"""Crashes during a fan-out, with real `rounds` processes serving the fake Discord: `kill -9`
at random moments then a restart, and two processes on one PostgreSQL database, one killed
mid-way. Every delivery ends sent; none is lost; at most one per kill is sent twice (the send
in flight when the process died)."""

from __future__ import annotations

import random
import signal
from pathlib import Path

import pytest

from bot.domain import SpaceKey
from bot.messages import ChannelPost
from tests.conftest import PG_URL
from tests.discord.fake_discord import GENERAL, GUILD, FakeDiscord
from tests.faults import (
    ROOT,
    discord_posts,
    discord_settings,
    duplicated,
    empty,
    lost,
    plan,
    reached,
    settled,
    statuses,
)
from tests.process import Rounds, clean_environment, migrate

SPACE = SpaceKey("discord", GUILD)


def served(fake: FakeDiscord, url: str) -> dict[str, str]:
    return clean_environment(**discord_settings(fake), DATABASE_URL=url, PYTHONPATH=str(ROOT))


async def posted(fake: FakeDiscord, count: int, *by: Rounds, wait: float = 60.0) -> None:
    """Wait until `count` posts of the fan-out have reached the fake."""
    await reached(count, lambda: sum(discord_posts(fake).values()), *by, wait=wait)


def in_general(_: int) -> ChannelPost:
    return ChannelPost(GENERAL)


async def test_kill_9_during_a_fan_out_then_restart_loses_nothing(tmp_path: Path) -> None:
    deliveries, kills = 300, 2
    fake = await FakeDiscord().start()
    url = f"sqlite+aiosqlite:///{tmp_path}/rounds.db"
    env = served(fake, url)
    rng = random.Random()
    running: Rounds | None = None
    try:
        await migrate(env, tmp_path)
        await plan(url, SPACE, deliveries, in_general)
        for _ in range(kills):
            running = await Rounds.start(env, tmp_path)
            seen = sum(discord_posts(fake).values())
            await posted(fake, seen + rng.randrange(20, deliveries // (kills + 1)), running)
            running.signal(signal.SIGKILL)
            assert await running.exited() == -signal.SIGKILL
        running = await Rounds.start(env, tmp_path)
        await reached(deliveries, lambda: len(discord_posts(fake)), running)
        assert await settled(url, deliveries)
        running.signal(signal.SIGTERM)
        assert await running.exited() == 0
    finally:
        if running is not None:
            await running.kill()
        await fake.stop()
    sent = discord_posts(fake)
    assert lost(sent, deliveries) == 0
    assert duplicated(sent) <= kills  # at most the send in flight, per kill
    assert await statuses(url) == {"sent": deliveries}


async def test_two_processes_on_one_postgresql_send_each_row_once_and_survive_a_kill(
    tmp_path: Path,
) -> None:
    if PG_URL is None:
        pytest.skip("needs PostgreSQL (ROUNDS_TEST_DATABASE_URL)")
    deliveries = 300
    await empty(PG_URL)  # `rounds db upgrade` makes it anew
    fake = await FakeDiscord().start()
    env = served(fake, PG_URL)
    first = second = None
    try:
        await migrate(env, tmp_path)
        await plan(PG_URL, SPACE, deliveries, in_general)
        first = await Rounds.start(env, tmp_path)
        second = await Rounds.start(env, tmp_path)
        await posted(fake, deliveries // 3, first, second)
        first.signal(signal.SIGKILL)
        assert await first.exited() == -signal.SIGKILL
        await reached(deliveries, lambda: len(discord_posts(fake)), second, wait=120)
        assert await settled(PG_URL, deliveries)
        second.signal(signal.SIGTERM)
        assert await second.exited() == 0
    finally:
        for process in (first, second):
            if process is not None:
                await process.kill()
        await fake.stop()
    sent = discord_posts(fake)
    assert lost(sent, deliveries) == 0
    assert duplicated(sent) <= 1
    assert await statuses(PG_URL) == {"sent": deliveries}
