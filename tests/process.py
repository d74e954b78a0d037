"""`rounds` as a real child process for tests: its log read line by line as it comes, so a test
waits for what the process says (a port, "connected") instead of sleeping."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import sys
from pathlib import Path

LISTENING = re.compile(r"HTTP server listening on (http://127\.0\.0\.1:\d+)")


def clean_environment(**settings: str) -> dict[str, str]:
    """The test's environment without any platform token, plus `settings`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DISCORD_"))}
    return env | {"HTTP_HOST": "127.0.0.1", "HTTP_PORT": "0", "LOG_LEVEL": "INFO", **settings}


def closed_port_url(path: str = "") -> str:
    """A loopback URL where nothing listens: an unreachable platform."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}{path}"


async def migrate(env: dict[str, str], cwd: Path) -> None:
    """`rounds db upgrade`: the database made or brought up to date, as a deployment does."""
    process = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "bot", "db", "upgrade"),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()


class Rounds:
    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        self.lines: list[str] = []
        self._new_line = asyncio.Condition()
        self._reader = asyncio.ensure_future(self._read())

    @classmethod
    async def start(cls, env: dict[str, str], cwd: Path, *args: str) -> Rounds:
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            *args,
            cwd=cwd,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stderr is not None
        while line := (await self.process.stderr.readline()).decode():
            async with self._new_line:
                self.lines.append(line)
                self._new_line.notify_all()
        async with self._new_line:
            self._new_line.notify_all()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def count(self, pattern: str) -> int:
        return sum(1 for line in self.lines if re.search(pattern, line))

    async def wait_for(self, pattern: str, *, times: int = 1, wait: float = 60.0) -> re.Match[str]:
        """The `times`-th log line matching `pattern` (the start of a process takes seconds on
        a busy 2-core machine, hence the generous bound)."""

        async def seen() -> re.Match[str]:
            async with self._new_line:
                while True:
                    found = [m for line in self.lines if (m := re.search(pattern, line))]
                    if len(found) >= times:
                        return found[times - 1]
                    if self._reader.done():
                        raise AssertionError(f"rounds exited before {pattern!r}:\n{self.output}")
                    await self._new_line.wait()

        return await asyncio.wait_for(seen(), wait)

    async def url(self) -> str:
        return (await self.wait_for(LISTENING.pattern)).group(1)

    def signal(self, signum: int = signal.SIGTERM) -> None:
        self.process.send_signal(signum)

    async def exited(self, wait: float = 30.0) -> int:
        code = await asyncio.wait_for(self.process.wait(), wait)
        await self._reader
        return code

    async def kill(self) -> None:
        """Tidy up after a failed test: no process outlives it."""
        if self.process.returncode is None:
            self.process.kill()
            await self.process.wait()
        await self._reader
