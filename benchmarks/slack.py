"""Slack HTTP mode: time to the HTTP response for signed `/rounds help` and `/rounds profile
set …` with 10,000 members, side by side with a bare Bolt app that only acks.

Both apps are served over loopback HTTP by aiohttp and answer the same signed requests;
Web API calls (auth.test, users.info) go to the local fake Slack. Rounds answers with the
reply in the HTTP response, so its time includes the core's work and the database.
Commands come from 500 active members (their users.info is cached after the warm-up).
Target: p99 ≤ 50 ms and no more than 2× the bare app. Run: `python -m benchmarks.slack`.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.service import SlackService
from benchmarks.common import NOW, ZONES, percentiles, seed_members
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.domain import SpaceKey
from bot.settings import Settings
from storage.store import SqlStore
from tests.slack.conftest import FORM, command_body
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack, signed_headers

MEMBERS = 10_000
ACTIVE = 500
RUNS = 2_000
WARM_UP = 500


def bare_bolt(fake: FakeSlack) -> web.Application:
    """The baseline: Bolt's own aiohttp server, verifying signatures and acking, nothing else."""
    app = AsyncApp(
        client=AsyncWebClient(token=BOT_TOKEN, base_url=fake.api_url),
        signing_secret=SIGNING_SECRET,
        name="bare",
    )

    async def ack_only(ack: Any) -> None:
        await ack()

    app.command("/rounds")(ack_only)
    return app.web_app(path="/slack/events")


async def serve_bare(fake: FakeSlack) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(bare_bolt(fake), access_log=None)
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
        bare_runner, bare_url = await serve_bare(fake)
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
                print(f"  /rounds {name:<12} {'bare Bolt':<12} {bare[0]:8.2f} {bare[1]:8.2f}")
                print(f"  /rounds {name:<12} {'Rounds':<12} {ours[0]:8.2f} {ours[1]:8.2f}")
                print(
                    f"  {'':<20} {'ratio':<12} {ours[0] / bare[0]:7.2f}x {ours[1] / bare[1]:7.2f}x"
                )
        await bare_runner.cleanup()
        await rounds.stop()
        await core.runtime.kicked()
        await store.close()
    await fake.stop()


if __name__ == "__main__":
    asyncio.run(main())
