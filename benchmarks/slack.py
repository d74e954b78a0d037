"""Slack HTTP mode: time to the HTTP response for signed `/rounds help` and `/rounds profile
set …` with 10,000 members, side by side with a stock Bolt app that reads and writes the
member's row through SQLAlchemy before it acks (comparable work).

Both apps are served over loopback HTTP by aiohttp and answer the same signed requests;
Web API calls (auth.test, users.info) go to the local fake Slack. Rounds answers with the
reply in the HTTP response, so its time includes the core's work and the database.
Commands come from 500 active members (their users.info is cached after the warm-up).
Target: p99 ≤ 50 ms and no more than 2× the bare app. Run: `python -m benchmarks.slack`.
"""

from __future__ import annotations

import asyncio
import os
import random
import tempfile
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text as sql
from sqlalchemy.ext.asyncio import AsyncEngine

from benchmarks.common import NOW, ZONES, percentiles, seed_members, slack_over_http
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.domain import SpaceKey
from storage.db import make_engine
from storage.store import SqlStore
from tests.slack.conftest import FORM, command_body
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack, signed_headers

MEMBERS = 10_000
ACTIVE = 500
RUNS = int(os.environ.get("BENCH_RUNS", "2000"))
WARM_UP = 500


def bare_bolt(fake: FakeSlack, engine: AsyncEngine) -> web.Application:
    """The baseline: a stock Bolt app on its own aiohttp server doing comparable work: it
    verifies the signature, reads the member's row and writes it back (SQLAlchemy, the same
    engine settings as Rounds'), and acks with a reply."""
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url),
        signing_secret=SIGNING_SECRET,
        name="bare",
    )

    async def read_and_write(ack: Any, command: dict[str, Any]) -> None:
        async with engine.begin() as connection:
            row = (
                await connection.execute(
                    sql("SELECT id, specialty FROM stock WHERE user_id = :u"),
                    {"u": command["user_id"]},
                )
            ).first()
            await connection.execute(
                sql("UPDATE stock SET specialty = :s WHERE id = :i"),
                {"s": command["text"][:200], "i": row.id if row else 0},
            )
        await ack(text=f"Saved for {command['user_id']}.", response_type="ephemeral")

    app.command("/rounds")(read_and_write)
    return app.web_app(path="/slack/events")


async def stock_engine(folder: str) -> AsyncEngine:
    engine = make_engine(f"sqlite+aiosqlite:///{folder}/stock.db")
    async with engine.begin() as connection:
        await connection.execute(
            sql("CREATE TABLE stock (id INTEGER PRIMARY KEY, user_id TEXT UNIQUE, specialty TEXT)")
        )
        await connection.execute(
            sql("INSERT INTO stock (user_id, specialty) VALUES (:u, 'x')"),
            [{"u": f"U{i:06d}"} for i in range(MEMBERS)],
        )
    return engine


async def serve_bare(fake: FakeSlack, engine: AsyncEngine) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(bare_bolt(fake, engine), access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    return runner, f"http://127.0.0.1:{runner.addresses[0][1]}"


async def measure(
    http: aiohttp.ClientSession,
    url: str,
    fake: FakeSlack,
    text: Callable[[], str],
    user: Callable[[], str],
) -> list[float]:
    samples = []
    for index in range(WARM_UP + RUNS):
        body = command_body(fake, text(), user=user())
        headers = signed_headers(body, FORM)
        started = time.perf_counter()
        async with http.post(f"{url}/slack/events", data=body, headers=headers) as response:
            await response.read()
        elapsed = (time.perf_counter() - started) * 1000
        assert response.status == 200
        if index >= WARM_UP:
            samples.append(elapsed)
    return samples


async def main() -> None:
    fake = await FakeSlack().start()
    for i in range(MEMBERS):
        fake.add_user(f"U{i:06d}", f"member{i}")
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await store.create_schema()
        await seed_members(store, MEMBERS, SpaceKey("slack", TEAM))
        core = build_core(store, ManualClock(NOW))
        rounds = await slack_over_http(core, fake)
        engine = await stock_engine(folder)
        bare_runner, bare_url = await serve_bare(fake, engine)
        rng = random.Random(7)
        commands = {
            "help": lambda: "help",
            "profile set": lambda: (
                f'profile set specialty="emergency medicine" timezone={rng.choice(ZONES)} '
                'interests="quality improvement, simulation"'
            ),
        }
        active = [f"U{rng.randrange(MEMBERS):06d}" for _ in range(ACTIVE)]

        def someone() -> str:
            return rng.choice(active)

        print(f"Slack HTTP mode, {MEMBERS:,} members, SQLite, {RUNS:,} signed requests each")
        print(f"  {'command':<20} {'app':<12} {'p50 ms':>8} {'p99 ms':>8}")
        async with aiohttp.ClientSession() as http:
            for name, text in commands.items():
                bare = percentiles(await measure(http, bare_url, fake, text, someone))
                ours = percentiles(await measure(http, rounds.url, fake, text, someone))
                print(f"  /rounds {name:<12} {'stock Bolt':<12} {bare[0]:8.2f} {bare[1]:8.2f}")
                print(f"  /rounds {name:<12} {'Rounds':<12} {ours[0]:8.2f} {ours[1]:8.2f}")
                print(
                    f"  {'':<20} {'ratio':<12} {ours[0] / bare[0]:7.2f}x {ours[1] / bare[1]:7.2f}x"
                )
        await bare_runner.cleanup()
        await engine.dispose()
        await rounds.stop()
        await core.runtime.kicked()
        await store.close()
    await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
