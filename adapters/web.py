"""The one HTTP server of a `rounds` process: `GET /healthz` in every mode, the routes a
platform adds (Slack HTTP mode's `POST /slack/events`), and the routes programmes declare on
the router (the calendar feed), mounted without knowing what they are. Health is 503 while any
platform connection is down or stopping, 200 when every one is ready."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from bot.web import WebContext, WebRequest, WebRoute

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
SHUTDOWN_SECONDS = 5.0

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebServer:
    def __init__(self, host: str, port: int) -> None:
        self.host = host
        self.port = port
        self.app = web.Application()
        self.app.router.add_get(HEALTH_PATH, self.health)
        self.checks: dict[str, Callable[[], bool]] = {}
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The base URL once started (the real port when `port` was 0)."""
        return f"http://{self.host}:{self.port}"

    @property
    def started(self) -> bool:
        return self.runner is not None

    def add_check(self, name: str, ready: Callable[[], bool]) -> None:
        self.checks[name] = ready

    def add_post(self, path: str, handler: Handler) -> None:
        self.app.router.add_post(path, handler)

    def mount(self, routes: Iterable[WebRoute], context: Callable[[], WebContext]) -> None:
        """Serve the routes programmes declared; `context` gives each request the store and
        the time. A handler that fails is logged and answered 500, never with its error."""
        for route in routes:
            self.app.router.add_route(route.method, route.path, self._neutral(route, context))

    @staticmethod
    def _neutral(route: WebRoute, context: Callable[[], WebContext]) -> Handler:
        async def handle(request: web.Request) -> web.StreamResponse:
            neutral = WebRequest(
                method=request.method,
                path=request.path,
                params=dict(request.match_info),
                query=dict(request.query),
                headers={name.lower(): value for name, value in request.headers.items()},
            )
            try:
                answer = await route.handler(context(), neutral)
            except Exception:
                log.exception("web route %s %s failed", route.method, route.path)
                return web.Response(status=500, text="Something went wrong on our side.")
            return web.Response(
                status=answer.status,
                body=answer.body,
                headers={**answer.headers, "Content-Type": answer.content_type},
            )

        return handle

    async def start(self) -> None:
        runner = web.AppRunner(self.app, access_log=None, shutdown_timeout=SHUTDOWN_SECONDS)
        await runner.setup()
        try:
            await web.TCPSite(runner, self.host, self.port).start()
        except OSError:
            await runner.cleanup()
            raise
        self.runner = runner
        self.port = int(runner.addresses[0][1])
        log.info("HTTP server listening on %s (health: %s)", self.url, HEALTH_PATH)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    async def health(self, request: web.Request) -> web.Response:
        states = {name: "ready" if ready() else "down" for name, ready in self.checks.items()}
        ok = all(state == "ready" for state in states.values())
        return web.json_response({"ok": ok, **states}, status=200 if ok else 503)
