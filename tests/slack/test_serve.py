"""`rounds` itself on Slack, as a real process against the fake Slack: serving, stopping on
SIGTERM without losing the command in hand, and starting against a refused token or an
unreachable Slack. The port comes from the process's own log line (HTTP_PORT=0)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from pathlib import Path
from urllib.parse import parse_qsl

import aiohttp
import pytest

from bot.serving import EXIT_REFUSED
from tests.process import Rounds, closed_port_url
from tests.slack.conftest import FORM, MEMBER, command_body, event_body
from tests.slack.fake_slack import (
    APP_TOKEN,
    BOT_TOKEN,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    signed_headers,
)

ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:\d+)/slack/events")


def environment(fake: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/rounds.db",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_MODE": "http",
        "SLACK_API_URL": fake.api_url,
        "HTTP_HOST": "127.0.0.1",
        "HTTP_PORT": "0",
        "LOG_LEVEL": "INFO",
        **extra,
    }
    return env


async def start(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def read_until_listening(process: asyncio.subprocess.Process, log: list[str]) -> str:
    assert process.stderr is not None
    while line := (await process.stderr.readline()).decode():
        log.append(line)
        if found := LISTENING.search(line):
            return found.group(1)
    raise AssertionError("rounds exited before listening:\n" + "".join(log))


async def test_rounds_serves_slack_over_http_and_stops_cleanly(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    process = await start(environment(fake_slack, tmp_path), tmp_path)
    log: list[str] = []
    try:
        url = await asyncio.wait_for(read_until_listening(process, log), 60)
        async with aiohttp.ClientSession() as http:
            async with http.get(f"{url}/healthz") as health:
                assert health.status == 200
            body = command_body(fake_slack, "help")
            async with http.post(
                f"{url}/slack/events", data=body, headers=signed_headers(body, FORM)
            ) as r:
                assert r.status == 200
                assert (await r.json())["text"].startswith("*Rounds: what you can do*")
            user = {"id": "U0NEW", "team_id": TEAM, "name": "nia", "profile": {}}
            event = json.dumps(event_body({"type": "team_join", "user": user}, "EvServe"))
            headers = signed_headers(event, "application/json")
            async with http.post(f"{url}/slack/events", data=event, headers=headers) as r:
                assert r.status == 200
            async with http.post(
                f"{url}/slack/events", data=body, headers={"Content-Type": FORM}
            ) as r:
                assert r.status == 401
        welcomes = await fake_slack.wait_for("chat.postMessage", 2)  # ben's first command too
        assert {w["channel"] for w in welcomes} == {MEMBER, "U0NEW"}
    finally:
        process.send_signal(signal.SIGTERM)
        _, rest = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    output = "".join(log) + rest.decode()
    assert BOT_TOKEN not in output and SIGNING_SECRET not in output


async def test_http_mode_without_a_signing_secret_is_refused_clearly(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = environment(fake_slack, tmp_path)
    del env["SLACK_SIGNING_SECRET"]
    process = await start(env, tmp_path)
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 2
    assert "Slack HTTP mode needs SLACK_SIGNING_SECRET" in err.decode()


# -- starting and stopping (each test starts its own `rounds`) --------------------------------
def socket_environment(fake: FakeSlack, tmp_path: Path, **extra: str) -> dict[str, str]:
    return environment(fake, tmp_path, SLACK_MODE="socket", SLACK_APP_TOKEN=APP_TOKEN, **extra)


async def test_a_command_just_before_sigterm_is_answered_over_socket_mode(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.delays["users.info"] = 0.5  # the command is still in hand when SIGTERM comes
    rounds = await Rounds.start(socket_environment(fake_slack, tmp_path), tmp_path)
    try:
        await rounds.wait_for("Slack connected over Socket Mode")
        payload = dict(parse_qsl(command_body(fake_slack, "help")))
        await fake_slack.push("env-last", "slash_commands", payload)
        await fake_slack.wait_for("users.info")
        rounds.signal(signal.SIGTERM)
        ack = await fake_slack.socket_ack("env-last")
        assert ack["payload"]["text"].startswith("*Rounds: what you can do*")
        assert await rounds.exited() == 0
    finally:
        await rounds.kill()
    assert "Traceback" not in rounds.output
    assert rounds.count("stopping: finishing the work in hand") == 1


async def test_a_command_just_before_sigterm_is_answered_over_http(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    fake_slack.delays["users.info"] = 0.5
    rounds = await Rounds.start(environment(fake_slack, tmp_path), tmp_path)
    try:
        url = (await rounds.wait_for(LISTENING.pattern)).group(1)
        body = command_body(fake_slack, "help")
        async with aiohttp.ClientSession() as http:
            answer = asyncio.ensure_future(
                http.post(f"{url}/slack/events", data=body, headers=signed_headers(body, FORM))
            )
            await fake_slack.wait_for("users.info")
            rounds.signal(signal.SIGTERM)
            async with await answer as response:
                assert response.status == 200
                assert (await response.json())["text"].startswith("*Rounds: what you can do*")
        assert await rounds.exited() == 0
    finally:
        await rounds.kill()
    assert "Traceback" not in rounds.output


@pytest.mark.parametrize(
    ("mode", "wrong"),
    [("socket", "SLACK_APP_TOKEN"), ("http", "SLACK_BOT_TOKEN")],
)
async def test_a_refused_token_stops_rounds_with_one_line(
    fake_slack: FakeSlack, tmp_path: Path, mode: str, wrong: str
) -> None:
    settings = {"SLACK_MODE": mode, "SLACK_APP_TOKEN": APP_TOKEN, wrong: "xoxb-not-the-token"}
    rounds = await Rounds.start(environment(fake_slack, tmp_path, **settings), tmp_path)
    try:
        assert await rounds.exited() == EXIT_REFUSED
    finally:
        await rounds.kill()
    assert rounds.count(rf"Slack refused {wrong} \(invalid_auth\): fix it") == 1
    assert "Traceback" not in rounds.output
    assert "xoxb-not-the-token" not in rounds.output


async def test_an_unreachable_slack_is_retried_and_sigterm_still_stops_rounds(
    fake_slack: FakeSlack, tmp_path: Path
) -> None:
    env = socket_environment(fake_slack, tmp_path, SLACK_API_URL=closed_port_url("/api/"))
    rounds = await Rounds.start(env, tmp_path)
    try:
        url = await rounds.url()
        await rounds.wait_for(r"Slack is unreachable \(ClientConnectorError\); trying again in 2 s")
        async with aiohttp.ClientSession() as http, http.get(f"{url}/healthz") as health:
            assert health.status == 503
            assert await health.json() == {"ok": False, "slack": "down"}
        rounds.signal(signal.SIGTERM)
        assert await rounds.exited(wait=5) == 0
    finally:
        await rounds.kill()
    assert "Traceback" not in rounds.output
    assert rounds.count("retry") == 0  # one line a try: no retry inside a try
