"""`rounds discord sync` and `rounds` with DISCORD_TOKEN, run as real processes against the fake:
serving (with `GET /healthz`), stopping on SIGTERM without losing the interaction in hand, and
starting against a refused token or an unreachable Discord."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp

from bot.serving import EXIT_REFUSED
from tests.discord.fake_discord import APP_ID, GUILD, FakeDiscord, slash
from tests.process import Rounds, closed_port_url

PAYLOADS = Path(__file__).parent / "payloads"

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "fake-token-never-logged"


def environment(fake: FakeDiscord, tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env.update(
        DISCORD_TOKEN=TOKEN,
        DISCORD_API_URL=fake.api_url,
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rounds.db",
        LOG_LEVEL="INFO",
        HTTP_HOST="127.0.0.1",
        HTTP_PORT="0",
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
        data = call.body["data"]  # a help longer than a message's 2000 characters is an embed
        shown = data["content"] or data["embeds"][0]["description"]
        assert shown.startswith("**Rounds: what you can do**")
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


# -- serving, stopping and starting (each test starts its own `rounds`) -----------------------
def served(fake: FakeDiscord, tmp_path: Path, **settings: str) -> dict[str, str]:
    return environment(fake, tmp_path) | settings


async def health(url: str) -> tuple[int, object]:
    async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as response:
        return response.status, await response.json()


async def test_rounds_on_discord_serves_the_calendar_feed_at_public_url(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    public = "https://rounds.example.org"
    rounds = await Rounds.start(served(fake, tmp_path, PUBLIC_URL=public), tmp_path)
    try:
        url = await rounds.url()
        await rounds.wait_for("Discord connected")
        interaction = slash("rounds-manage", "event", "feed", admin=True)
        await fake.dispatch("INTERACTION_CREATE", interaction)
        call = await fake.callback_for(interaction, wait=30)
        said = call.body["data"]["content"]
        link = re.search(r"https://rounds\.example\.org(/calendar/[0-9a-f]{32}\.ics)", said)
        assert link is not None, said
        assert "PUBLIC_URL" not in said  # it is set: no warning
        async with aiohttp.ClientSession() as http:
            async with http.get(url + link.group(1)) as feed:
                assert feed.status == 200
                assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
                assert (await feed.read()).startswith(b"BEGIN:VCALENDAR")
            async with http.get(f"{url}/calendar/{'0' * 32}.ics") as unknown:
                assert unknown.status == 404
        rounds.signal(signal.SIGTERM)
        assert await rounds.exited() == 0
    finally:
        await rounds.kill()


async def test_rounds_on_discord_survives_an_unreadable_event_and_reports_its_health(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    rounds = await Rounds.start(served(fake, tmp_path), tmp_path)
    try:
        url = await rounds.url()
        await rounds.wait_for("Discord connected")
        assert await health(url) == (200, {"ok": True, "discord": "ready"})
        unreadable = json.loads((PAYLOADS / "slash_command_docs_example.json").read_text())
        body = unreadable["body"] | {"application_id": APP_ID, "version": 1}
        await fake.dispatch("INTERACTION_CREATE", body | {"attachment_size_limit": 8388608})
        interaction = slash("rounds", "help")
        await fake.dispatch("INTERACTION_CREATE", interaction)
        call = await fake.callback_for(interaction, wait=30)
        data = call.body["data"]  # a help longer than a message's 2000 characters is an embed
        shown = data["content"] or data["embeds"][0]["description"]
        assert shown.startswith("**Rounds: what you can do**")

        fake.gateway_open = False  # an outage: discord.py keeps trying to reconnect
        await fake.close_all()
        await rounds.wait_for("Attempting a reconnect")
        assert await health(url) == (503, {"ok": False, "discord": "down"})
        rounds.signal(signal.SIGTERM)
        assert await rounds.exited() == 0
    finally:
        await rounds.kill()
    assert rounds.count("dropped a INTERACTION_CREATE event .* \\(KeyError: 'flags'\\)") == 1
    assert "Traceback" not in rounds.output


async def test_an_interaction_just_before_sigterm_is_answered(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    fake.callback_delay = 0.5  # the answer is still on its way when SIGTERM comes
    rounds = await Rounds.start(served(fake, tmp_path), tmp_path)
    try:
        await rounds.wait_for("Discord connected")
        interaction = slash("rounds", "help")
        await fake.dispatch("INTERACTION_CREATE", interaction)
        await fake.callback_for(interaction, wait=30)
        rounds.signal(signal.SIGTERM)
        assert await rounds.exited() == 0
    finally:
        await rounds.kill()
    assert "Traceback" not in rounds.output
    assert "failed" not in rounds.output
    assert rounds.count("stopping: finishing the work in hand") == 1


async def test_a_refused_token_stops_rounds_with_one_line(tmp_path: Path) -> None:
    fake = await FakeDiscord(token="the-real-token").start()
    try:
        rounds = await Rounds.start(served(fake, tmp_path), tmp_path)
        assert await rounds.exited() == EXIT_REFUSED
    finally:
        await rounds.kill()
        await fake.stop()
    assert rounds.count(r"Discord refused DISCORD_TOKEN \(401 Unauthorized\): fix it") == 1
    assert "Traceback" not in rounds.output
    assert TOKEN not in rounds.output


async def test_an_unreachable_discord_is_retried_and_sigterm_still_stops_rounds(
    fake: FakeDiscord, tmp_path: Path
) -> None:
    env = served(fake, tmp_path, DISCORD_API_URL=closed_port_url("/api/v10"))
    rounds = await Rounds.start(env, tmp_path)
    try:
        url = await rounds.url()
        await rounds.wait_for(
            r"Discord is unreachable \(ClientConnectorError\); trying again in 2 s"
        )
        assert await health(url) == (503, {"ok": False, "discord": "down"})
        rounds.signal(signal.SIGTERM)
        assert await rounds.exited(wait=5) == 0
    finally:
        await rounds.kill()
    assert "Traceback" not in rounds.output
