"""`rounds discord sync` and `rounds` with DISCORD_TOKEN, run as real processes against the fake."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from tests.discord.fake_discord import APP_ID, GUILD, FakeDiscord, slash

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fake-token-never-logged"


def environment(fake: FakeDiscord, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=fake.api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rounds.db",
        LOG_LEVEL="INFO",
    )
    return env


async def rounds(fake: FakeDiscord, tmp_path: Path, *args: str) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        cwd=tmp_path,
        env=environment(fake, tmp_path) | {"PYTHONPATH": str(ROOT)},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_discord_sync_registers_the_commands_in_one_server(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    process = await rounds(fake, tmp_path, "discord", "sync", "--guild", GUILD)
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    assert out.decode().strip() == f"Registered /rounds, /rounds-manage in server {GUILD}."
    put = fake.calls_to("PUT", f"/applications/{APP_ID}/guilds/{GUILD}/commands")
    assert [c["name"] for c in put[0].body] == ["rounds", "rounds-manage"]


async def test_rounds_with_a_discord_token_serves_discord(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    process = await rounds(fake, tmp_path)
    try:
        await fake.wait_connected()
        interaction = slash("rounds", "help")
        await fake.dispatch("INTERACTION_CREATE", interaction)
        # a separate process on a busy 2-core machine: give its first answer time
        call = await fake.callback_for(interaction, wait=30)
        assert call.body["data"]["content"].startswith("**Rounds: what you can do**")
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, err.decode()
    assert TOKEN not in err.decode()
    assert "Rounds is running on discord" in err.decode()
    assert fake.calls_to("PUT", "/applications") == []  # no registration on start


async def test_discord_sync_reports_a_refused_server(fake: FakeDiscord, tmp_path: Path) -> None:
    fake.fail_paths.add(f"/applications/{APP_ID}/guilds/42/commands")
    process = await rounds(fake, tmp_path, "discord", "sync", "--guild", "42")
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    assert "rounds: Discord sync failed: Forbidden: 403" in err.decode()
    assert "Traceback" not in err.decode()
    assert TOKEN not in err.decode()
