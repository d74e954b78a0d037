"""Shared set-up for benchmarks: a community of N members in a real SQLite file."""

from __future__ import annotations

import asyncio
import json
import statistics
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
from sqlalchemy import insert

from bot.domain import SpaceKey

if TYPE_CHECKING:
    from adapters.slack.service import SlackService
    from bot.bootstrap import Core
    from tests.slack.fake_slack import FakeSlack
from storage.models import MemberRow
from storage.store import SqlStore

ROOT = Path(__file__).resolve().parents[1]
SPACE = SpaceKey("bench", "T-BENCH")
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SPECIALTIES = ("emergency medicine", "paediatrics", "surgery", "nursing", "pharmacy", "oncology")
ZONES = ("America/Chicago", "Europe/London", "Africa/Lagos", "Asia/Kolkata", "Australia/Sydney")


def bench_user_id(index: int) -> str:
    return f"U{index:06d}"


async def seed_members(
    store: SqlStore,
    count: int,
    key: SpaceKey = SPACE,
    user_id: Callable[[int], str] = bench_user_id,
) -> int:
    """Insert `count` members with filled profiles; returns the space id."""
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(key, "Benchmark")
    rows = [
        {
            "space_id": space.id,
            "user_id": user_id(i),
            "display_name": f"member{i}",
            "joined_at": NOW,
            "welcomed_at": NOW,
            "is_manager": i == 0,
            "name": f"Member {i}",
            "profession": "resident",
            "specialty": SPECIALTIES[i % len(SPECIALTIES)],
            "timezone": ZONES[i % len(ZONES)],
            "interests": json.dumps(["quality improvement", f"topic {i % 50}"]),
            "goals": "[]",
        }
        for i in range(count)
    ]
    async with store.sessions() as session, session.begin():
        for start in range(0, count, 2000):
            await session.execute(insert(MemberRow), rows[start : start + 2000])
    return space.id


def percentiles(samples_ms: list[float]) -> tuple[float, float]:
    ordered = sorted(samples_ms)
    p50 = statistics.median(ordered)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return p50, p99


def rounds_on_slack(url: str, fake: FakeSlack, **settings: str) -> dict[str, str]:
    """The environment of a real `rounds` process serving Slack in HTTP mode against the fake
    (production settings otherwise), on the database at `url`; `settings` add to it."""
    from tests.process import clean_environment
    from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET

    return clean_environment(
        DATABASE_URL=url,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_MODE="http",
        SLACK_API_URL=fake.api_url,
        PYTHONPATH=str(ROOT),
        **settings,
    )


async def healthy(http: aiohttp.ClientSession, base: str) -> None:
    """Wait until the process at `base` says every platform is ready (`GET /healthz` 200)."""
    while True:
        async with http.get(f"{base}/healthz") as health:
            if health.status == 200:
                return
        await asyncio.sleep(0.01)


async def slack_over_http(core: Core, fake: FakeSlack) -> SlackService:
    """Rounds' Slack adapter in HTTP mode, started with production settings against the fake
    Slack (the service the Slack benchmarks send signed requests to)."""
    from adapters.slack.service import SlackService
    from bot.settings import Settings
    from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET

    settings = Settings(  # type: ignore[call-arg]
        _env_file=None,
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_MODE="http",
        SLACK_API_URL=fake.api_url,
        HTTP_PORT=0,
    )
    rounds = SlackService(core, settings)
    await rounds.start()
    return rounds
