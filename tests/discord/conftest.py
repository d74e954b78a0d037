"""Fixtures for the Discord adapter: a fake Discord, and the real service connected to it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
import pytest_asyncio
from discord.gateway import DiscordWebSocket
from discord.http import Route
from pydantic import SecretStr

from adapters.discord.service import DiscordService
from bot.bootstrap import Core, build_core
from bot.clock import ManualClock
from bot.router import Router
from bot.settings import Settings
from storage.store import SqlStore
from tests.discord.fake_discord import FakeDiscord

StartService = Callable[..., Awaitable[DiscordService]]


@pytest.fixture(autouse=True)
def restore_discord_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The service points discord.py's class-level URLs at the fake; put them back after."""
    monkeypatch.setattr(Route, "BASE", Route.BASE)
    monkeypatch.setattr(DiscordWebSocket, "DEFAULT_GATEWAY", DiscordWebSocket.DEFAULT_GATEWAY)


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    server = await FakeDiscord().start()
    yield server
    await server.stop()


def settings_for(fake: FakeDiscord, **extra: object) -> Settings:
    return Settings(
        DISCORD_TOKEN=SecretStr("fake-token"),
        DISCORD_API_URL=fake.api_url,
        _env_file=None,  # type: ignore[call-arg]
        **extra,  # type: ignore[arg-type]
    )


@pytest.fixture
def core(store: SqlStore, clock: ManualClock) -> Core:
    return build_core(store, clock)


@pytest_asyncio.fixture
async def start_service(core: Core) -> AsyncIterator[StartService]:
    """Start the real service against a fake; every service started is stopped at the end."""
    started: list[DiscordService] = []

    async def start(
        fake: FakeDiscord,
        *,
        on: Core | None = None,
        router: Router | None = None,
        defer_after: float = 2.0,
        **settings: object,
    ) -> DiscordService:
        target = on or core
        if router is not None:
            target = build_core(core.store, core.clock, router=router)
        service = DiscordService(
            target,
            settings_for(fake, **settings),
            defer_after=defer_after,
            identify_delay=0,
            guild_ready_timeout=0.05,
        )
        started.append(service)
        await service.start()
        await service.wait_until_ready()
        return service

    yield start
    for service in reversed(started):
        await service.stop()


@pytest_asyncio.fixture
async def service(
    fake: FakeDiscord, start_service: StartService, core: Core
) -> AsyncIterator[DiscordService]:
    yield await start_service(fake)
    await core.runtime.kicked()  # sends a test started (welcome DMs) finish before disconnecting
