"""A throwaway PostgreSQL cluster for the fault benchmarks, made as `.ci/with-postgres` makes
one: `initdb` into a temporary directory (as the `postgres` user when run as root), a free
loopback port, fsync off. It can be stopped and started again (an outage), and is removed at
the end, so a benchmark that needs PostgreSQL is one command."""

from __future__ import annotations

import asyncio
import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import asyncpg  # type: ignore[import-untyped]

SETTINGS = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class Unavailable(Exception):
    """No PostgreSQL server binaries on this machine, or no way to run them."""


def bin_dir() -> Path:
    found = shutil.which("pg_config")
    if found is not None:
        path = Path(
            subprocess.run([found, "--bindir"], capture_output=True, text=True).stdout.strip()
        )
        if (path / "initdb").exists():
            return path
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if not candidates:
        raise Unavailable("no initdb: install the postgresql package")
    return Path(candidates[-1]).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    def __init__(self) -> None:
        self.bin = bin_dir()
        self.port = free_port()
        self.data = Path(tempfile.mkdtemp(prefix="rounds-bench-pg."))
        self.as_postgres: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.data, "postgres", "postgres")
            self.as_postgres = ["runuser", "-u", "postgres", "--"]

    @classmethod
    async def create(cls, *databases: str) -> Cluster:
        cluster = cls()
        try:
            await cluster._run(
                "initdb", "-D", str(cluster.data), "-U", "postgres", "--auth=trust", "-E",
                "UTF8", "--no-locale",
            )  # fmt: skip
            await cluster.start()
            for name in databases:
                await cluster.create_database(name)
        except BaseException:
            await cluster.remove()
            raise
        return cluster

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"

    async def _run(self, tool: str, *args: str) -> None:
        process = await asyncio.create_subprocess_exec(
            *self.as_postgres,
            str(self.bin / tool),
            *args,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await process.communicate()
        if process.returncode != 0:
            raise Unavailable(f"{tool} failed: {err.decode().strip()}")

    async def start(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.data} {SETTINGS}"
        log = str(self.data / "server.log")
        await self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", options, "start")

    async def stop(self) -> None:
        """`pg_ctl stop -m fast`: every session is cut, and the server shuts down."""
        await self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    async def create_database(self, name: str) -> None:
        connection = await asyncpg.connect(
            host="127.0.0.1", port=self.port, user="postgres", database="postgres"
        )
        try:
            await connection.execute(f'CREATE DATABASE "{name}"')
        finally:
            await connection.close()

    async def remove(self) -> None:
        if (self.data / "postmaster.pid").exists():
            with contextlib.suppress(Unavailable):
                await self.stop()
        shutil.rmtree(self.data, ignore_errors=True)
