"""How `rounds` runs its platforms (bot/serving.py): retries with backoff, exit codes, and
waiting for the work in hand."""

from __future__ import annotations

import asyncio

import pytest

from bot.serving import (
    EXIT_DOWN,
    EXIT_REFUSED,
    EXIT_STOPPED,
    Backoff,
    InFlight,
    PlatformDown,
    PlatformRefused,
    PlatformUnreachable,
    connect_with_retries,
    run_services,
)


class Attempts:
    """A connect that fails with the given errors, in order, then succeeds."""

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> None:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)


class Slept:
    def __init__(self) -> None:
        self.seconds: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.seconds.append(seconds)


async def test_an_unreachable_platform_is_retried_with_growing_waits(
    caplog: pytest.LogCaptureFixture,
) -> None:
    connect, slept = Attempts(*[PlatformUnreachable("refused connection")] * 4), Slept()
    await connect_with_retries(connect, "Slack", backoff=Backoff(1, 4), sleep=slept)
    assert connect.calls == 5
    assert slept.seconds == [1, 2, 4, 4]
    assert caplog.text.count("Slack is unreachable (refused connection); trying again in") == 4


async def test_a_refusal_is_not_retried() -> None:
    connect, slept = Attempts(PlatformRefused("bad token")), Slept()
    with pytest.raises(PlatformRefused):
        await connect_with_retries(connect, "Slack", backoff=Backoff(), sleep=slept)
    assert (connect.calls, slept.seconds) == (1, [])


async def test_after_the_last_try_the_platform_is_down() -> None:
    connect, slept = Attempts(*[PlatformUnreachable("timeout")] * 3), Slept()
    with pytest.raises(PlatformDown, match="timeout \\(3 tries\\)"):
        await connect_with_retries(connect, "Discord", backoff=Backoff(), tries=3, sleep=slept)
    assert slept.seconds == [1, 2]


class Service:
    def __init__(self, name: str, outcome: BaseException | None = None) -> None:
        self.name = name
        self.outcome = outcome
        self.cancelled = False

    @property
    def ready(self) -> bool:
        return True

    async def run(self) -> None:
        if self.outcome is not None:
            raise self.outcome
        try:
            await asyncio.Event().wait()
        except asyncio.CancelledError:
            self.cancelled = True
            raise

    async def drain(self, seconds: float) -> None: ...

    async def stop(self) -> None: ...


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (PlatformRefused("Slack refused SLACK_APP_TOKEN"), EXIT_REFUSED),
        (PlatformDown("x"), EXIT_DOWN),
    ],
)
async def test_a_service_that_gives_up_ends_the_run_with_its_exit_code(
    outcome: Exception, code: int
) -> None:
    healthy, failing = Service("discord"), Service("slack", outcome)
    assert await run_services([healthy, failing], asyncio.Event()) == code
    assert healthy.cancelled


async def test_a_stop_ends_the_run_and_abandons_a_service_still_connecting() -> None:
    connecting = Service("slack")
    stop = asyncio.Event()
    asyncio.get_running_loop().call_soon(stop.set)  # SIGTERM while it is still connecting
    assert await run_services([connecting], stop) == EXIT_STOPPED
    assert connecting.cancelled


async def test_settling_waits_for_the_work_in_hand() -> None:
    in_flight = InFlight()
    finished: list[str] = []

    async def work() -> None:
        with in_flight:
            await asyncio.sleep(0.05)
            finished.append("answered")

    task = asyncio.create_task(work())
    await asyncio.sleep(0)
    assert await in_flight.settle(5) is True
    assert finished == ["answered"]
    await task


async def test_settling_gives_up_after_its_time() -> None:
    in_flight = InFlight()
    with in_flight:
        assert await in_flight.settle(0.1) is False
