"""Slack as `rounds` runs it: the Bolt app over Socket Mode, or behind an aiohttp server.

HTTP mode serves `POST /slack/events` (commands, interactivity and events on one URL) and
`GET /healthz` on `HTTP_HOST:HTTP_PORT`. A request whose signature is missing or wrong, or
whose timestamp is more than five minutes off, gets 401 before Bolt sees it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.app import SlackBridge, build_app
from adapters.slack.directory import Directory
from adapters.slack.platform import HonourRetryAfter, SlackPlatform
from bot.delivery import RateBudget
from bot.serving import Host
from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_SKEW_SECONDS = 300
# Slack allows about one message a second per channel, with short bursts; 429s are honoured
# on top of this budget.
SENDS_PER_SECOND = 3.0
SEND_BURST = 10


class SlackConfigError(ValueError):
    """Slack is switched on but a setting it needs is missing."""


def api_base(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def signed_by_slack(
    verifier: SignatureVerifier, body: bytes, headers: Mapping[str, str], now: float
) -> bool:
    """Slack's request signing: v0 HMAC-SHA256 of `v0:timestamp:body`, timestamp ±5 min."""
    timestamp = headers.get("X-Slack-Request-Timestamp", "")
    signature = headers.get("X-Slack-Signature", "")
    if not (timestamp.isascii() and timestamp.isdigit()) or not signature:
        return False
    if abs(now - int(timestamp)) > MAX_SKEW_SECONDS:
        return False
    try:
        return verifier.is_valid(body, timestamp, signature)
    except UnicodeDecodeError:
        return False


class SlackService:
    def __init__(
        self,
        host: Host,
        settings: Settings,
        *,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if settings.SLACK_BOT_TOKEN is None:
            raise SlackConfigError("SLACK_BOT_TOKEN is not set")
        self.mode = settings.slack_mode
        secret = settings.SLACK_SIGNING_SECRET
        app_token = settings.SLACK_APP_TOKEN
        if self.mode == "http" and secret is None:
            raise SlackConfigError("Slack HTTP mode needs SLACK_SIGNING_SECRET")
        if self.mode == "socket" and app_token is None:
            raise SlackConfigError("Slack Socket Mode needs SLACK_APP_TOKEN (xapp-…)")
        token = settings.SLACK_BOT_TOKEN.get_secret_value()
        base_url = api_base(settings.SLACK_API_URL)
        retry = HonourRetryAfter() if sleep is None else HonourRetryAfter(sleep=sleep)
        self.client = AsyncWebClient(
            token=token,
            base_url=base_url,
            retry_handlers=[AsyncConnectionErrorRetryHandler(), retry],
        )
        # The outbox's client raises on 429 so the dispatcher reschedules instead of waiting.
        self.platform = SlackPlatform(AsyncWebClient(token=token, base_url=base_url))
        host.add_platform(self.platform, RateBudget(SENDS_PER_SECOND, SEND_BURST))
        self.bridge = SlackBridge(host.rounds, self.client, Directory(self.client), self.platform)
        signing_secret = secret.get_secret_value() if secret is not None else ""
        self.app = build_app(self.bridge, signing_secret)
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.app_token = app_token.get_secret_value() if app_token is not None else ""
        self.host, self.port = settings.HTTP_HOST, settings.HTTP_PORT
        self.wall_clock = wall_clock
        self.socket: AsyncSocketModeHandler | None = None
        self.runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The HTTP server's base URL once started (the real port when HTTP_PORT was 0)."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        if self.mode == "socket":
            self.socket = AsyncSocketModeHandler(self.app, app_token=self.app_token)
            await self.socket.connect_async()  # type: ignore[no-untyped-call]
            log.info("Slack connected over Socket Mode")
            return
        self.runner = web.AppRunner(self.web_app(), access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, self.host, self.port)
        await site.start()
        self.port = int(self.runner.addresses[0][1])
        log.info("Slack HTTP mode listening on %s%s", self.url, EVENTS_PATH)

    async def stop(self) -> None:
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
            self.socket = None
        if self.runner is not None:
            await self.runner.cleanup()
            self.runner = None

    def web_app(self) -> web.Application:
        app = web.Application()
        app.router.add_post(EVENTS_PATH, self.events)
        app.router.add_get(HEALTH_PATH, self.health)
        return app

    async def events(self, request: web.Request) -> web.Response:
        body = await request.read()
        assert self.verifier is not None  # HTTP mode requires the signing secret
        if not signed_by_slack(self.verifier, body, request.headers, self.wall_clock()):
            log.info("rejected an unsigned or stale request to %s", EVENTS_PATH)
            return web.json_response({"error": "invalid request"}, status=401)
        bolt_request = AsyncBoltRequest(
            body=body.decode("utf-8"),
            query=request.query_string,
            headers={k: [v] for k, v in request.headers.items()},
        )
        return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    async def health(self, request: web.Request) -> web.Response:
        return web.json_response({"ok": True, "slack": self.mode})
