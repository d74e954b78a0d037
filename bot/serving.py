"""What an adapter uses of the core (`Host`, never the composition root's `Core`), and how
`rounds` runs each platform connection (`Service`): connect with backoff, stay connected, and
stop gracefully (stop taking new work, finish the work in hand, then close)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from bot.delivery import RateBudget
from bot.engine import Rounds
from bot.ports import ChatPlatform
from bot.router import Router

log = logging.getLogger(__name__)

EXIT_STOPPED = 0
EXIT_DOWN = 1
"""A connection was lost and could not be restored: a supervisor should restart the bot."""
EXIT_CONFIG = 2
EXIT_REFUSED = 3
"""A platform refused a token: restarting will not help until the token is fixed."""

QUIET_SECONDS = 0.05


class Host(Protocol):
    """The core as an adapter sees it: the front door, the declared commands, and a place to
    attach the platform's proactive sender (with its rate budget)."""

    @property
    def rounds(self) -> Rounds: ...

    @property
    def router(self) -> Router: ...

    def add_platform(self, platform: ChatPlatform, budget: RateBudget | None = None) -> None: ...


class Service(Protocol):
    """One platform connection, as the composition root runs it."""

    name: str

    @property
    def ready(self) -> bool:
        """Connected and taking work (what `GET /healthz` reports)."""
        ...

    async def run(self) -> None:
        """Connect and stay connected. Raises `PlatformRefused` or `PlatformDown` on giving up."""
        ...

    async def drain(self, seconds: float) -> None:
        """Stop taking new work and wait, at most `seconds`, for the work in hand."""
        ...

    async def stop(self) -> None:
        """Close the connection (after a drain, if none was done)."""
        ...


class PlatformRefused(Exception):
    """The platform refused a token or a setting: permanent until someone fixes it."""


class PlatformUnreachable(Exception):
    """One connection attempt failed for a reason that may pass (network, 5xx, timeout)."""


class PlatformDown(Exception):
    """Reconnecting failed: the process should exit so that a supervisor restarts it."""


@dataclass(frozen=True)
class Backoff:
    first: float = 1.0
    most: float = 60.0

    def delays(self) -> Iterator[float]:
        delay = self.first
        while True:
            yield delay
            delay = min(delay * 2, self.most)


BACKOFF = Backoff()


async def connect_with_retries(
    connect: Callable[[], Awaitable[None]],
    platform: str,
    *,
    backoff: Backoff,
    tries: int | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    """Call `connect` until it succeeds: one log line per failed try. A refusal is final; after
    `tries` failures (when given) `PlatformDown` is raised."""
    for attempt, delay in enumerate(backoff.delays(), start=1):
        try:
            await connect()
            return
        except PlatformUnreachable as error:
            if tries is not None and attempt >= tries:
                raise PlatformDown(f"{platform}: {error} ({attempt} tries)") from None
            log.warning("%s is unreachable (%s); trying again in %g s", platform, error, delay)
            await sleep(delay)


class InFlight:
    """Counts the work in hand (a command being answered, a press, a submission), so that a
    stop can wait for it. Used as `with in_flight: ...` around each piece of work."""

    def __init__(self) -> None:
        self.count = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def __enter__(self) -> InFlight:
        self.count += 1
        self._idle.clear()
        return self

    def __exit__(self, *exc: object) -> None:
        self.count -= 1
        if self.count == 0:
            self._idle.set()

    async def settle(self, seconds: float) -> bool:
        """Wait until nothing has been in hand for a moment (a transport may hand over work a
        tick after it took it in), at most `seconds`. True when idle."""

        async def quiet() -> None:
            while True:
                await self._idle.wait()
                await asyncio.sleep(QUIET_SECONDS)
                if self._idle.is_set():
                    return

        try:
            await asyncio.wait_for(quiet(), seconds)
        except TimeoutError:
            return False
        return True


async def run_services(services: Iterable[Service], stop: asyncio.Event) -> int:
    """Run every service until `stop` is set (a signal) or one of them gives up; the exit code.

    A service still connecting when the stop comes is abandoned at once, so a bot that cannot
    reach its platform still stops within moments.
    """
    runs = {asyncio.ensure_future(service.run()): service for service in services}
    waiting: set[asyncio.Future[Any]] = {asyncio.ensure_future(stop.wait()), *runs}
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in waiting:
            task.cancel()
        await asyncio.gather(*waiting, return_exceptions=True)
    code = EXIT_STOPPED
    for run, service in runs.items():
        if run.done() and not run.cancelled():
            code = max(code, _gave_up(service.name, run))
    return code


def _gave_up(name: str, run: asyncio.Future[None]) -> int:
    error = run.exception()
    if isinstance(error, PlatformRefused):
        log.error("%s: fix it, then start Rounds again", error)
        return EXIT_REFUSED
    if isinstance(error, PlatformDown):
        log.error("the %s connection could not be restored (%s): exiting", name, error)
    else:
        log.error("the %s connection stopped: exiting", name, exc_info=error)
    return EXIT_DOWN
