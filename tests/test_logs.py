"""Secrets and what members wrote never reach the log: a real `rounds` serving Slack over HTTP
and Discord (against the fakes) at LOG_LEVEL=DEBUG, and console flows at DEBUG, with canary
tokens and canary member text. At INFO, no SQL statement is logged at all."""

from __future__ import annotations

import json
import logging
import signal
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest

from bot.cli import quiet_libraries
from storage.store import SqlStore
from tests.discord.fake_discord import FakeDiscord, slash
from tests.helpers import Community
from tests.process import Rounds, clean_environment
from tests.slack.conftest import FORM, MEMBER, command_body, event_body
from tests.slack.fake_slack import BOT_TOKEN, SIGNING_SECRET, TEAM, FakeSlack, signed_headers

ROOT = Path(__file__).resolve().parents[1]
DISCORD_CANARY = "MTIzNDU2Nzg5MDEy.canary-discord-token.Zx9"
WRITTEN = "canary-written-Qx7"
"""Text only a member wrote: it may be stored and shown, never logged."""
SECRETS = (BOT_TOKEN, SIGNING_SECRET, DISCORD_CANARY)


@pytest.fixture
async def fakes() -> Iterator[tuple[FakeSlack, FakeDiscord]]:  # type: ignore[misc]
    slack = await FakeSlack().start()
    slack.add_user(MEMBER, "ben")
    discord = await FakeDiscord().start()
    yield slack, discord
    await discord.stop()
    await slack.stop()


def environment(
    slack: FakeSlack, discord: FakeDiscord, tmp_path: Path, level: str
) -> dict[str, str]:
    return clean_environment(
        DATABASE_URL=f"sqlite+aiosqlite:///{tmp_path}/rounds.db",
        SLACK_BOT_TOKEN=BOT_TOKEN,
        SLACK_SIGNING_SECRET=SIGNING_SECRET,
        SLACK_MODE="http",
        SLACK_API_URL=slack.api_url,
        DISCORD_TOKEN=DISCORD_CANARY,
        DISCORD_API_URL=discord.api_url,
        LOG_LEVEL=level,
        PYTHONPATH=str(ROOT),
    )


async def serve_a_slice(slack: FakeSlack, discord: FakeDiscord, rounds: Rounds) -> None:
    """Slack commands and an event over signed HTTP, a Discord command and a button press."""
    url = (await rounds.wait_for(r"listening on (http://127\.0\.0\.1:\d+)/slack/events")).group(1)
    await discord.wait_connected(wait=60)
    async with aiohttp.ClientSession() as http:
        for text in (
            f'profile set specialty="{WRITTEN} slack" goals="{WRITTEN}"',
            f'ask title="{WRITTEN} question?" body="{WRITTEN} body"',
            f"find {WRITTEN}",
            f"no such command {WRITTEN}",
        ):
            body = command_body(slack, text)
            async with http.post(
                f"{url}/slack/events", data=body, headers=signed_headers(body, FORM)
            ) as response:
                assert response.status == 200
        message = {"type": "message", "user": MEMBER, "text": WRITTEN, "channel": "D0BEN"}
        event = json.dumps(event_body(message, "EvCanary"))
        headers = signed_headers(event, "application/json")
        async with http.post(f"{url}/slack/events", data=event, headers=headers) as response:
            assert response.status == 200
    for interaction in (
        slash("rounds", "profile", "set", options={"specialty": (3, f"{WRITTEN} discord")}),
        slash("rounds", "find", options={"text": (3, WRITTEN)}),
    ):
        await discord.dispatch("INTERACTION_CREATE", interaction)
        await discord.callback_for(interaction, wait=30)
    assert slack.team == TEAM


async def run_rounds(fakes: tuple[FakeSlack, FakeDiscord], tmp_path: Path, level: str) -> str:
    slack, discord = fakes
    rounds = await Rounds.start(environment(slack, discord, tmp_path, level), tmp_path)
    try:
        await serve_a_slice(slack, discord, rounds)
        rounds.signal(signal.SIGTERM)
        assert await rounds.exited() == 0
    finally:
        await rounds.kill()
    return rounds.output


async def test_no_secret_nor_member_text_is_logged_at_debug(
    fakes: tuple[FakeSlack, FakeDiscord], tmp_path: Path
) -> None:
    output = await run_rounds(fakes, tmp_path, "DEBUG")
    assert " DEBUG rounds" in output or " DEBUG bot." in output or " DEBUG adapters." in output
    for secret in SECRETS:
        assert secret not in output
    assert WRITTEN not in output
    assert "itoken-" not in output  # Discord interaction tokens open a 15-minute webhook


async def test_no_sql_statement_is_logged_at_info(
    fakes: tuple[FakeSlack, FakeDiscord], tmp_path: Path
) -> None:
    output = await run_rounds(fakes, tmp_path, "INFO")
    assert "Rounds is running on" in output
    assert "sqlalchemy" not in output
    assert "SELECT" not in output and "INSERT" not in output


@pytest.fixture
def debug_logging(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """The process's logging policy at LOG_LEVEL=DEBUG, undone afterwards."""
    names = ("sqlalchemy", "sqlalchemy.engine", "aiosqlite", "asyncpg", "discord", "slack_sdk")
    saved = {name: logging.getLogger(name).level for name in names}
    caplog.set_level(logging.DEBUG)
    quiet_libraries(logging.DEBUG)
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


async def test_console_flows_log_no_member_text_at_debug(
    store: SqlStore, debug_logging: pytest.LogCaptureFixture
) -> None:
    community = Community(store)
    out = await community.run(
        f"""
join alice
join bob
alice: /rounds config channel qa #questions
bob: /rounds profile set specialty="{WRITTEN}" interests="{WRITTEN}"
bob: /rounds ask title="{WRITTEN} question?" body="{WRITTEN}"
alice: /rounds answer 1 "{WRITTEN} answer"
alice: /rounds event create title="{WRITTEN} club" when="2026-03-10 18:00"
bob: /rounds find {WRITTEN}
bob: /rounds {WRITTEN}
advance 2d
"""
    )
    assert WRITTEN in out  # stored and shown
    assert debug_logging.records  # something was logged at DEBUG
    assert WRITTEN not in debug_logging.text
