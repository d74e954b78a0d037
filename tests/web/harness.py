"""The console and its web server with the dashboard, in the test's own event loop: a manager
types `/rounds dashboard` and a test signs in through the link Rounds printed, as a browser
would (its cookies kept by an aiohttp client)."""

from __future__ import annotations

import io
import re
import socket
from dataclasses import dataclass, field

import aiohttp

from adapters.web import WebServer
from bot.bootstrap import attach_dashboard, build_console
from bot.clock import ManualClock
from bot.web import PublicAddress
from storage.store import SqlStore
from web.app import Dashboard

LINK = re.compile(r"(http://127\.0\.0\.1:\d+/dashboard/login/[0-9a-f]{64})")
CONFIRM = re.compile(r'name="confirm" value="([0-9a-f]+)"')
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
ROWS = re.compile(r"<tr><td.*?</tr>", re.S)
CELL = re.compile(r"<td[^>]*>(.*?)</td>", re.S)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def client() -> aiohttp.ClientSession:
    """A browser's cookie handling (the jar accepts cookies from an IP address)."""
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


def links(output: str) -> list[str]:
    return LINK.findall(output)


def table_rows(html: str) -> list[list[str]]:
    return [CELL.findall(row) for row in ROWS.findall(html)]


@dataclass
class Board:
    store: SqlStore
    clock: ManualClock
    url: str
    out: io.StringIO
    server: WebServer
    console: object
    core: object
    sessions: list[aiohttp.ClientSession] = field(default_factory=list)

    async def run(self, lines: str) -> str:
        start = self.out.tell()
        await self.console.run_lines(lines.strip().splitlines())  # type: ignore[attr-defined]
        return self.out.getvalue()[start:]

    async def link_for(self, who: str) -> str:
        out = await self.run(f"{who}: /rounds dashboard")
        found = links(out)
        assert found, out
        return found[-1]

    def browser(self) -> aiohttp.ClientSession:
        session = client()
        self.sessions.append(session)
        return session

    async def sign_in(self, http: aiohttp.ClientSession, link: str) -> str:
        """Open the link, press Sign in; the overview's HTML."""
        async with http.get(link) as page:
            assert page.status == 200, await page.text()
            confirm = CONFIRM.search(await page.text())
        assert confirm is not None
        async with http.post(link, data={"confirm": confirm.group(1)}) as overview:
            assert overview.status == 200, await overview.text()
            return await overview.text()

    async def close(self) -> None:
        for session in self.sessions:
            await session.close()
        await self.server.stop()


async def start_board(
    store: SqlStore, clock: ManualClock, dashboard: Dashboard | None = None
) -> Board:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    out = io.StringIO()
    core, console = build_console(store, clock, out, PublicAddress(url, configured=True))
    server = WebServer("127.0.0.1", port)
    server.mount(core.router.web_routes, core.web_context)
    if dashboard is None:
        attach_dashboard(core, server, core.address)
    else:
        dashboard.attach(server.app)
    await server.start()
    return Board(store, clock, url, out, server, console, core)
