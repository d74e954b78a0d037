"""The composition root: the one place that wires storage, the core and the adapters together."""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TextIO

from adapters.console.console import Console, ConsolePlatform
from bot.clock import Clock, ManualClock, SystemClock
from bot.delivery import Dispatcher, RateBudget, default_worker
from bot.engine import Rounds
from bot.features.catalog import build_router
from bot.features.dashboard.service import BoardService
from bot.guard import HeldTexts
from bot.ports import ChatPlatform
from bot.router import Router
from bot.runtime import Runtime
from bot.scheduler import Ticker
from bot.serving import EXIT_CONFIG, Service, run_services
from bot.settings import Settings
from bot.web import PublicAddress, WebContext
from storage.store import SqlStore

if TYPE_CHECKING:
    from adapters.web import WebServer

log = logging.getLogger(__name__)

DRAIN_SECONDS = 5.0
"""How long a stop waits for the commands in hand before closing the connections."""


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
    address: PublicAddress = field(default_factory=PublicAddress)

    def __post_init__(self) -> None:
        self.dispatcher = Dispatcher(
            self.store, self.platforms, self.clock, worker=self.worker, budgets=self.budgets
        )
        self.runtime = Runtime(self.router, self.store, self.clock, self.dispatcher)
        kick = self.runtime.kick if self.send_when_planned else None
        self.rounds = Rounds(
            self.router,
            self.store,
            self.clock,
            on_planned=kick,
            platforms=self.platforms,
            address=self.address,
        )

    def web_context(self) -> WebContext:
        """What a programme's web route sees of the core, for one request."""
        return WebContext(self.store, self.router, self.clock.now())

    def add_platform(self, platform: ChatPlatform, budget: RateBudget | None = None) -> None:
        """Adapters attach after the core is built: the dispatcher sees these very mappings.
        A budget is shared with every process on the database and keeps the core's time."""
        self.platforms[platform.name] = platform
        if budget is not None:
            budget.platform = budget.platform or platform.name
            budget.clock = self.clock.now
            if budget.shared is None:
                budget.shared = self.store.limits
            self.budgets[platform.name] = budget


def build_core(
    store: SqlStore,
    clock: Clock,
    *,
    worker: str | None = None,
    router: Router | None = None,
    send_when_planned: bool = True,
    address: PublicAddress | None = None,
) -> Core:
    return Core(
        store=store,
        clock=clock,
        router=router or build_router(HeldTexts()),  # flagged text: in this process's memory
        worker=worker or default_worker(),
        send_when_planned=send_when_planned,
        address=address or PublicAddress(),
    )


def build_console(
    store: SqlStore, clock: ManualClock, out: TextIO, address: PublicAddress | None = None
) -> tuple[Core, Console]:
    core = build_core(store, clock, worker="console", send_when_planned=False, address=address)
    console = Console(clock, out)
    core.add_platform(ConsolePlatform(console))
    console.attach(core.rounds, core.runtime)
    return core, console


async def run_console(
    url: str,
    lines: Iterable[str],
    out: TextIO,
    *,
    start: ManualClock,
    resume: bool = False,
    http: Settings | None = None,
) -> None:
    """Run console lines; with `resume` (the interactive console), at the community's own
    virtual time when an earlier session moved it on. With `http` (the interactive console
    too), the web server runs meanwhile on `HTTP_HOST`/`HTTP_PORT`: the calendar feed and the
    managers' dashboard work on this machine, and lines are read without blocking it."""
    store = SqlStore.from_url(url)
    server: WebServer | None = None
    try:
        core, console = build_console(
            store, start, out, http.public_address if http is not None else None
        )
        if resume:
            await console.resume_clock()
        if http is None:
            await console.run_lines(lines)
            return
        server = await start_web(core, http.HTTP_HOST, http.HTTP_PORT, http.public_address)
        if server is None:
            console.note(
                f"The web server could not start on {http.HTTP_HOST}:{http.HTTP_PORT} (is the "
                "port taken? set HTTP_PORT); the dashboard is off for this session."
            )
        async for line in read_in_thread(lines):
            await console.execute(line)
    finally:
        if server is not None:
            await server.stop()
        await store.close()


async def read_in_thread(lines: Iterable[str]) -> AsyncIterator[str]:
    """Lines from a blocking source (the terminal), read by a daemon thread so that the event
    loop keeps serving HTTP meanwhile, and a quit never waits for a pending read."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[str | None] = asyncio.Queue()

    def read() -> None:
        try:
            for line in lines:
                loop.call_soon_threadsafe(queue.put_nowait, line)
        finally:
            loop.call_soon_threadsafe(queue.put_nowait, None)

    threading.Thread(target=read, name="console-input", daemon=True).start()
    while (line := await queue.get()) is not None:
        yield line


async def start_web(core: Core, host: str, port: int, address: PublicAddress) -> WebServer | None:
    """The HTTP server with the programmes' routes and the dashboard; None when the port is
    taken."""
    from adapters.web import WebServer

    server = WebServer(host, port)
    server.mount(core.router.web_routes, core.web_context)
    attach_dashboard(core, server, address)
    try:
        await server.start()
    except OSError as error:
        log.warning("web server not started: %s", error)
        return None
    return server


def attach_dashboard(core: Core, server: WebServer, address: PublicAddress) -> None:
    from web.app import Dashboard

    service = BoardService(core.store, core.router, core.clock)
    Dashboard(service, secure=address.base.startswith("https://")).attach(server.app)


def platform_names(platforms: Mapping[str, ChatPlatform]) -> str:
    return ", ".join(sorted(platforms)) or "none"


async def serve(settings: Settings) -> int:
    """Run every configured platform until SIGTERM or SIGINT, or until one gives up; the exit
    code (`bot.serving`). One HTTP server answers `GET /healthz` whatever the platforms, and
    serves the routes programmes declared (the calendar feed)."""
    from adapters.web import WebServer

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    store = SqlStore.from_url(settings.DATABASE_URL)
    core = build_core(store, SystemClock(), address=settings.public_address)
    web = WebServer(settings.HTTP_HOST, settings.HTTP_PORT)
    web.mount(core.router.web_routes, core.web_context)
    attach_dashboard(core, web, settings.public_address)
    services: list[Service] = []
    try:
        services = platform_services(core, settings, web)
        for service in services:
            web.add_check(service.name, ready_of(service))
        await web.start()
    except (ValueError, OSError) as error:  # a missing setting, or the port is taken
        log.error("cannot start: %s", error)
        await store.close()
        return EXIT_CONFIG
    ticker = Ticker(core.runtime)
    ticker.start()
    log.info("Rounds is running on %s", platform_names(core.platforms))
    try:
        code = await run_services(services, stop)
        log.info("stopping: finishing the work in hand")
        await asyncio.gather(*(service.drain(DRAIN_SECONDS) for service in services))
    finally:
        await ticker.stop()
        for service in reversed(services):
            await service.stop()
        await web.stop()
        await store.close()
    log.info("stopped")
    return code


def ready_of(service: Service) -> Callable[[], bool]:
    return lambda: service.ready


def platform_services(core: Core, settings: Settings, web: WebServer) -> list[Service]:
    """The services for every platform whose token is set (a missing setting: ValueError)."""
    services: list[Service] = []
    if settings.slack_enabled:
        from adapters.slack.service import SlackService

        services.append(SlackService(core, settings, web=web))
    if settings.discord_enabled:
        from adapters.discord.service import DiscordService

        services.append(DiscordService(core, settings))
    return services
