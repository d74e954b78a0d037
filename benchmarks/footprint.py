"""Footprint: a real `rounds` process serving Slack (HTTP mode) and Discord against the local
fakes. Start-up time is from spawning the process to `GET /healthz` answering 200 (both
platforms connected, migrations applied); resident memory (VmRSS) is read when idle, then again
after 500 signed commands from different members, with an empty database and with 10,000
members in it (SQLite, already at the newest schema: a new database adds its migrations, about a
second); then SIGTERM, and the time it takes to stop cleanly. Targets: ≤ 2 s to
ready, ≤ 200 MB.

Run: `python -m benchmarks.footprint`.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import aiohttp

from benchmarks.common import healthy, rounds_on_slack, seed_members
from bot.domain import SpaceKey
from storage.migrate import upgrade
from storage.store import SqlStore
from tests.discord.fake_discord import FakeDiscord
from tests.process import Rounds
from tests.slack.conftest import FORM, command_body
from tests.slack.fake_slack import TEAM, FakeSlack, signed_headers

COMMANDS = 500


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


@dataclass
class Footprint:
    ready: float
    idle: float
    busy: float
    stopped: float
    code: int


async def measure(members: int) -> Footprint:
    slack = await FakeSlack().start()
    for i in range(max(members, COMMANDS)):
        slack.add_user(f"U{i:06d}", f"member{i}")
    discord = await FakeDiscord().start()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/footprint.db"
        await asyncio.to_thread(upgrade, url)
        if members:
            store = SqlStore.from_url(url)
            await seed_members(store, members, SpaceKey("slack", TEAM))
            await store.close()
        env = rounds_on_slack(
            url, slack, DISCORD_TOKEN="footprint-token", DISCORD_API_URL=discord.api_url
        )
        started = time.monotonic()
        rounds = await Rounds.start(env, Path(folder))
        try:
            base = (await rounds.wait_for(r"listening on (http://127\.0\.0\.1:\d+)")).group(1)
            async with aiohttp.ClientSession() as http:
                await healthy(http, base)
                ready = time.monotonic() - started
                await asyncio.sleep(2)
                idle = rss_mb(rounds.process.pid)
                rng = random.Random(3)
                for i in range(COMMANDS):
                    who = f"U{rng.randrange(max(members, COMMANDS)):06d}"
                    text = "help" if i % 2 else f'find "topic {i % 50}"'
                    body = command_body(slack, text, user=who)
                    async with http.post(
                        f"{base}/slack/events", data=body, headers=signed_headers(body, FORM)
                    ) as response:
                        await response.read()
                await asyncio.sleep(2)
                busy = rss_mb(rounds.process.pid)
            stopping = time.monotonic()
            rounds.signal(signal.SIGTERM)
            code = await rounds.exited(60)
            stopped = time.monotonic() - stopping
        finally:
            await rounds.kill()
    await discord.stop()
    await slack.stop()
    return Footprint(ready, idle, busy, stopped, code)


async def main() -> None:
    print(f"rounds with Slack (HTTP) and Discord against the fakes, SQLite, {sys.platform}")
    for members in (0, 10_000):
        found = await measure(members)
        print(
            f"  {members:>6,} members: ready in {found.ready:.2f} s; RSS idle {found.idle:.0f} MB, "
            f"after {COMMANDS} commands {found.busy:.0f} MB; stopped on SIGTERM in "
            f"{found.stopped:.2f} s (exit {found.code})"
        )


if __name__ == "__main__":
    asyncio.run(main())
