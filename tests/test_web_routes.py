"""Web routes that programmes declare on the router, mounted by the one web server without it
knowing what they are: path values, query and headers in; status, type, headers and body out."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import aiohttp
import pytest
import pytest_asyncio

from adapters.web import WebServer
from bot.router import Router
from bot.web import PublicAddress, WebContext, WebRequest, WebResponse, WebRoute
from storage.store import SqlStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


async def echo(ctx: WebContext, request: WebRequest) -> WebResponse:
    text = f"{request.method} {request.params['name']} {request.query.get('q')} {ctx.now:%Y}"
    headers = {"X-Seen": request.headers.get("x-asked", "")}
    return WebResponse(201, text.encode(), "text/plain; charset=utf-8", headers)


async def broken(ctx: WebContext, request: WebRequest) -> WebResponse:
    raise RuntimeError("secret detail")


@pytest_asyncio.fixture
async def server(store: SqlStore) -> AsyncIterator[str]:
    router = Router()
    router.web(WebRoute("GET", "/hello/{name}.txt", echo))
    router.web(WebRoute("GET", "/broken", broken))
    web = WebServer("127.0.0.1", 0)
    web.mount(router.web_routes, lambda: WebContext(store, router, NOW))
    await web.start()
    yield web.url
    await web.stop()


async def test_a_declared_route_gets_its_path_values_query_and_headers(server: str) -> None:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{server}/hello/ada.txt?q=1", headers={"X-Asked": "yes"}) as response,
    ):
        assert response.status == 201
        assert await response.text() == "GET ada 1 2026"
        assert response.headers["X-Seen"] == "yes"
        assert response.headers["Content-Type"] == "text/plain; charset=utf-8"


async def test_a_failing_route_answers_500_without_its_error(server: str) -> None:
    async with aiohttp.ClientSession() as http, http.get(f"{server}/broken") as response:
        assert response.status == 500
        assert "secret" not in await response.text()
    async with aiohttp.ClientSession() as http, http.get(f"{server}/healthz") as health:
        assert health.status == 200  # health is still served beside the routes


def test_a_route_is_declared_once() -> None:
    router = Router()
    router.web(WebRoute("GET", "/x", echo))
    with pytest.raises(ValueError, match="declared twice"):
        router.web(WebRoute("GET", "/x", broken))


def test_the_public_address_falls_back_to_the_servers_own() -> None:
    from bot.settings import Settings

    unset = Settings(_env_file=None, HTTP_HOST="0.0.0.0", HTTP_PORT=8080)  # type: ignore[call-arg]
    assert unset.public_address == PublicAddress("http://0.0.0.0:8080", configured=False)
    given = Settings(_env_file=None, PUBLIC_URL="https://rounds.example.org/")  # type: ignore[call-arg]
    assert (
        given.public_address.link("/calendar/x.ics") == "https://rounds.example.org/calendar/x.ics"
    )
    assert given.public_address.configured
