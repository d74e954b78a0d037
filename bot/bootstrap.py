"""The composition root: the one place that wires storage, the core and the adapters together."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, TextIO

from adapters.console.console import Console, ConsolePlatform
from bot.clock import Clock, ManualClock, SystemClock
from bot.delivery import Dispatcher, RateBudget, default_worker
from bot.engine import Rounds
from bot.features.catalog import build_router
from bot.ports import ChatPlatform
from bot.router import Router
from bot.runtime import Runtime
from bot.scheduler import Ticker
from bot.settings import Settings
from storage.store import SqlStore

log = logging.getLogger(__name__)


class Service(Protocol):
    """A running platform connection (Slack, Discord) that the composition root starts."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Core:
    """Everything platform-neutral, ready for adapters to attach their platforms to."""

    store: SqlStore
    clock: Clock
    router: Router
    platforms: dict[str, ChatPlatform] = field(default_factory=dict)
    budgets: dict[str, RateBudget] = field(default_factory=dict)
    worker: str = field(default_factory=default_worker)

    send_when_planned: bool = True
    """Kick the dispatcher as soon as a command plans a delivery (the console runs due work
    itself, after every instruction)."""

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(
            self.store, self.platforms, self.clock, worker=self.worker, budgets=self.budgets
        )
        self.runtime = Runtime(self.router, self.store, self.clock, self.dispatcher)
        kick = self.runtime.kick if self.send_when_planned else None
        self.rounds = Rounds(self.router, self.store, self.clock, on_planned=kick)

    def add_platform(self, platform: ChatPlatform, budget: RateBudget | None = None) -> None:
        """Adapters attach after the core is built: the dispatcher sees these very mappings."""
        self.platforms[platform.name] = platform
        if budget is not None:
            self.budgets[platform.name] = budget


def build_core(
    store: SqlStore,
    clock: Clock,
    *,
    worker: str | None = None,
    router: Router | None = None,
    send_when_planned: bool = True,
) -> Core:
    return Core(
        store=store,
        clock=clock,
        router=router or build_router(),
        worker=worker or default_worker(),
        send_when_planned=send_when_planned,
    )


def build_console(store: SqlStore, clock: ManualClock, out: TextIO) -> tuple[Core, Console]:
    core = build_core(store, clock, worker="console", send_when_planned=False)
    console = Console(clock, out)
    core.add_platform(ConsolePlatform(console))
    console.attach(core.rounds, core.runtime)
    return core, console


async def run_console(url: str, lines: Iterable[str], out: TextIO, *, start: ManualClock) -> None:
    store = SqlStore.from_url(url)
    try:
        _, console = build_console(store, start, out)
        await console.run_lines(lines)
    finally:
        await store.close()


def platform_names(platforms: Mapping[str, ChatPlatform]) -> str:
    return ", ".join(sorted(platforms)) or "none"


async def serve(settings: Settings) -> int:
    """Run every configured platform until interrupted."""
    store = SqlStore.from_url(settings.DATABASE_URL)
    core = build_core(store, SystemClock())
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    services: list[Service] = []
    try:
        if settings.slack_enabled:
            from adapters.slack.service import SlackConfigError, SlackService

            try:
                services.append(SlackService(core, settings))
            except SlackConfigError as error:
                log.error("Slack is not configured: %s", error)
                return 2
        if settings.discord_enabled:
            from adapters.discord.service import DiscordService

            services.append(DiscordService(core, settings))
        for service in services:
            await service.start()
        ticker = Ticker(core.runtime)
        ticker.start()
        log.info("Rounds is running on %s", platform_names(core.platforms))
        await stop.wait()
        await ticker.stop()
    finally:
        for service in reversed(services):
            await service.stop()
        await store.close()
    return 0
