"""Discord round trip with 10,000 members: from INTERACTION_CREATE leaving the fake gateway to
the interaction callback arriving at the fake REST API, for `/rounds help` and
`/rounds profile set`. Real discord.py, the real adapter and core, SQLite. The fake runs in the
same process and event loop, so its own work is included. Target: p99 ≤ 50 ms.
Run: `python -m benchmarks.discord`.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
from collections.abc import Callable
from typing import Any

from pydantic import SecretStr

from adapters.discord.service import DiscordService
from benchmarks.common import NOW, ZONES, percentiles, seed_members
from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.domain import SpaceKey
from bot.settings import Settings
from storage.store import SqlStore
from tests.discord.fake_discord import GUILD, FakeDiscord, slash

MEMBERS = 10_000
RUNS = 1_000
FIRST_USER = 4_100_000_000_000_000_000


def user_id(index: int) -> str:
    return str(FIRST_USER + index)


async def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        store = SqlStore.from_url(f"sqlite+aiosqlite:///{folder}/bench.db")
        await store.create_schema()
        await seed_members(store, MEMBERS, SpaceKey("discord", GUILD), user_id)
        fake = await FakeDiscord().start()
        settings = Settings(
            DISCORD_TOKEN=SecretStr("bench-token"),
            DISCORD_API_URL=fake.api_url,
            _env_file=None,  # type: ignore[call-arg]
        )
        service = DiscordService(build_core(store, ManualClock(NOW)), settings, identify_delay=0)
        await service.start()
        await service.wait_until_ready()
        rng = random.Random(7)
        commands: dict[str, Callable[[str], dict[str, Any]]] = {
            "help": lambda who: slash("rounds", "help", user_id=who),
            "profile set": lambda who: slash(
                "rounds",
                "profile",
                "set",
                user_id=who,
                options={
                    "specialty": (3, "emergency medicine"),
                    "timezone": (3, rng.choice(ZONES)),
                    "interests": (3, "quality improvement, simulation"),
                },
            ),
        }
        print(f"Discord round trip, {MEMBERS:,} members, SQLite, {RUNS:,} runs each")
        for name, build in commands.items():
            samples = []
            for run in range(100 + RUNS):  # the first 100 warm up
                interaction = build(user_id(rng.randrange(MEMBERS)))
                mark = len(fake.calls)
                sent_at = await fake.dispatch("INTERACTION_CREATE", interaction)
                call = await fake.callback_for(interaction, after=mark)
                assert "Sorry" not in call.body["data"]["content"]
                if run >= 100:
                    samples.append((call.at - sent_at) * 1000)
            p50, p99 = percentiles(samples)
            print(f"  /rounds {name:<12} p50 {p50:6.2f} ms   p99 {p99:6.2f} ms")
        await service.stop()
        await fake.stop()
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
