"""Slack as `rounds` runs it: the Bolt app over Socket Mode, or on the process's HTTP server at
`POST /slack/events`, where an unsigned or stale request gets 401 before Bolt sees it (except
Slack's unsigned `ssl_check`), and a body Slack would never send gets 400. Starting learns the
installed workspace from `auth.test`.

Over HTTP, slash commands, button presses and form submissions go straight from the signature
check to the bridge's listeners, and the HTTP response is sent the moment they acknowledge:
Bolt's runner would poll for the acknowledgement every 10 ms, a floor under every answer.
Events (and anything else) still go through Bolt."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from urllib.parse import parse_qs

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.app.async_app import AsyncApp
from slack_bolt.context.ack.async_ack import AsyncAck
from slack_bolt.context.respond.async_respond import AsyncRespond
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.response import BoltResponse
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_async_handlers import AsyncConnectionErrorRetryHandler
from slack_sdk.signature import SignatureVerifier
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack import payloads
from adapters.slack.app import (
    COMMAND,
    RESTARTING,
    SlackBridge,
    Workspace,
    build_app,
    json_response,
)
from adapters.slack.directory import Directory
from adapters.slack.platform import HonourRetryAfter, SlackPlatform, error_code
from adapters.slack.render import FORM_CALLBACK
from adapters.web import WebServer
from bot.delivery import RateBudget
from bot.serving import (
    BACKOFF,
    Backoff,
    Host,
    InFlight,
    PlatformDown,
    PlatformRefused,
    PlatformUnreachable,
    connect_with_retries,
)
from bot.settings import Settings

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
MAX_SKEW_SECONDS = 300
CONNECT_SECONDS = 15.0
DRAIN_SECONDS = 5.0
DOWN_LIMIT_SECONDS = 300.0
"""How long Socket Mode may stay disconnected (slack_sdk reconnecting) before `rounds` gives up."""
WATCH_SECONDS = 1.0
ACK_SECONDS = 3.0
"""Slack's deadline for the HTTP response to a command, press or submission."""
REFUSALS = {
    "invalid_auth",
    "not_authed",
    "account_inactive",
    "token_revoked",
    "token_expired",
    "not_allowed_token_type",
}
"""Slack's answers that mean the token itself is refused: retrying cannot help."""


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


def is_ssl_check(body: bytes, content_type: str) -> bool:
    """Slack's certificate check (`ssl_check=1&token=…`), which it sends unsigned."""
    if content_type != "application/x-www-form-urlencoded":
        return False
    return parse_qs(body.decode("utf-8", "replace")).get("ssl_check") == ["1"]


def refused_or_unreachable(setting: str, error: Exception) -> Exception:
    """A failed call at start as `PlatformRefused` (the token) or `PlatformUnreachable`."""
    if isinstance(error, SlackApiError):
        code = error_code(error)
        if code in REFUSALS:
            return PlatformRefused(f"Slack refused {setting} ({code})")
        return PlatformUnreachable(f"Slack answered {code}")
    return PlatformUnreachable(type(error).__name__)


def socket_connected(client: SocketModeClient) -> bool:
    session = client.current_session
    return not client.closed and not client.stale and session is not None and not session.closed


class Acknowledgement(AsyncAck):
    """Bolt's `ack`, which also says when it has been called."""

    def __init__(self) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self.given = asyncio.Event()

    async def __call__(self, *args: object, **kwargs: object) -> BoltResponse:
        response = await super().__call__(*args, **kwargs)  # type: ignore[arg-type]
        self.given.set()
        return response


async def no_response_url(**kwargs: object) -> None:
    """`respond` for a payload without a response URL (the bridge never calls it then)."""


class TrackedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, counting each envelope as work in hand until its
    acknowledgement has been sent, so a stop never closes the socket under an unsent ack."""

    def __init__(self, app: AsyncApp, app_token: str, in_flight: InFlight) -> None:
        super().__init__(app, app_token=app_token)
        self.in_flight = in_flight

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        with self.in_flight:
            await super().handle(client, req)


class SlackService:
    name = "slack"

    def __init__(
        self,
        host: Host,
        settings: Settings,
        *,
        web: WebServer | None = None,
        sleep: Callable[[float], Awaitable[None]] | None = None,
        wall_clock: Callable[[], float] = time.time,
        backoff: Backoff = BACKOFF,
        down_limit: float = DOWN_LIMIT_SECONDS,
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
        # Connecting retries on its own schedule, one log line a try: no retry inside a call.
        self.probe = AsyncWebClient(token=token, base_url=base_url, retry_handlers=[])
        # The outbox's client raises on 429 so the dispatcher reschedules instead of waiting.
        directory = Directory(self.client)
        # Paced per method and channel inside the platform (`adapters/slack/platform.py`).
        self.budget = RateBudget() if sleep is None else RateBudget(sleep=sleep)
        outbox_client = AsyncWebClient(token=token, base_url=base_url)
        self.platform = SlackPlatform(outbox_client, directory, self.budget)
        host.add_platform(self.platform, self.budget)
        self.in_flight = InFlight()
        self.bridge = SlackBridge(
            host.rounds, self.client, directory, self.platform, in_flight=self.in_flight
        )
        signing_secret = secret.get_secret_value() if secret is not None else ""
        self.app = build_app(self.bridge, signing_secret)
        self.verifier = SignatureVerifier(signing_secret) if signing_secret else None
        self.app_token = app_token.get_secret_value() if app_token is not None else ""
        self.wall_clock = wall_clock
        self.working: set[asyncio.Future[None]] = set()
        """Listeners still at work after their answer was sent (replies by response URL)."""
        self.backoff = backoff
        self.down_limit = down_limit
        self.socket: TrackedSocketModeHandler | None = None
        self.connected = False
        self._own_web = web is None  # standalone (tests, benchmarks): serve HTTP itself
        self.web = web if web is not None else WebServer(settings.HTTP_HOST, settings.HTTP_PORT)
        if self._own_web:  # `rounds` adds every service's check to its shared server itself
            self.web.add_check(self.name, lambda: self.ready)
        if self.mode == "http":
            self.web.add_post(EVENTS_PATH, self.events)

    @property
    def url(self) -> str:
        """The HTTP server's base URL once started (the real port when HTTP_PORT was 0)."""
        return self.web.url

    @property
    def ready(self) -> bool:
        if not self.connected or self.bridge.draining:
            return False
        return self.socket is None or socket_connected(self.socket.client)

    async def start(self) -> None:
        """One attempt to connect: learn the installed workspace, then open Socket Mode (or
        serve HTTP). Raises `PlatformRefused` or `PlatformUnreachable`."""
        await self._learn_workspace()
        if self.mode == "socket":
            await self._open_socket()
            log.info("Slack connected over Socket Mode")
        else:
            if self._own_web and not self.web.started:
                await self.web.start()
            log.info("Slack HTTP mode listening on %s%s", self.url, EVENTS_PATH)
        self.connected = True

    async def run(self) -> None:
        await connect_with_retries(self.start, "Slack", backoff=self.backoff)
        down_since: float | None = None
        while True:  # slack_sdk reconnects Socket Mode itself; give up if it can't for long
            await asyncio.sleep(WATCH_SECONDS)
            if self.ready or self.bridge.draining:
                down_since = None
                continue
            now = time.monotonic()
            down_since = now if down_since is None else down_since
            if now - down_since > self.down_limit:
                raise PlatformDown(f"Socket Mode disconnected for over {self.down_limit:g} s")

    async def _learn_workspace(self) -> None:
        try:
            found = await self.probe.auth_test()
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as error:
            raise refused_or_unreachable("SLACK_BOT_TOKEN", error) from None
        self.bridge.workspace = Workspace(str(found["team_id"]), str(found.get("team") or ""))

    async def _open_socket(self) -> None:
        # Asked here rather than inside slack_sdk, which retries a refused token forever.
        try:
            opened = await self.probe.apps_connections_open(app_token=self.app_token)
        except (SlackApiError, aiohttp.ClientError, OSError, TimeoutError) as error:
            raise refused_or_unreachable("SLACK_APP_TOKEN", error) from None
        socket = TrackedSocketModeHandler(self.app, self.app_token, self.in_flight)
        socket.client.wss_uri = str(opened["url"])
        try:
            await asyncio.wait_for(socket.connect_async(), CONNECT_SECONDS)  # type: ignore[no-untyped-call]
        except TimeoutError:
            await socket.close_async()  # type: ignore[no-untyped-call]
            raise PlatformUnreachable("the Socket Mode connection did not open") from None
        self.socket = socket

    async def drain(self, seconds: float) -> None:
        self.bridge.draining = True
        if not await self.in_flight.settle(seconds):
            log.warning("stopping Slack with %d request(s) still in hand", self.in_flight.count)

    async def stop(self) -> None:
        await self.drain(DRAIN_SECONDS)
        if self.socket is not None:
            await self.socket.close_async()  # type: ignore[no-untyped-call]
            self.socket = None
        if self._own_web:
            await self.web.stop()
        self.connected = False

    async def events(self, request: web.Request) -> web.Response:
        with self.in_flight:
            body = await request.read()
            if is_ssl_check(body, request.content_type):
                return web.Response(status=200)
            assert self.verifier is not None  # HTTP mode requires the signing secret
            if not signed_by_slack(self.verifier, body, request.headers, self.wall_clock()):
                log.info("rejected an unsigned or stale request to %s", EVENTS_PATH)
                return web.json_response({"error": "invalid request"}, status=401)
            try:
                found = payloads.inbound(body, request.content_type)
            except payloads.Malformed as error:
                log.info("rejected a malformed request to %s (%s)", EVENTS_PATH, error)
                return web.json_response({"error": "malformed request"}, status=400)
            direct = self._listener(found)
            if direct is not None:
                return await self._answer(found, direct)
            bolt_request = AsyncBoltRequest(
                body=body.decode("utf-8"),
                query=request.query_string,
                headers={k: [v] for k, v in request.headers.items()},
            )
            return await to_aiohttp_response(await self.app.async_dispatch(bolt_request))

    def _listener(
        self, found: payloads.Inbound
    ) -> Callable[[Acknowledgement], Awaitable[None]] | None:
        """The bridge's listener for a command, press or form submission; None for the rest."""
        body = found.body
        url = body.get("response_url")
        respond = AsyncRespond(response_url=url) if isinstance(url, str) and url else None
        if found.kind == "command" and body.get("command") == COMMAND:
            return lambda ack: self.bridge.on_command(ack, body, respond or no_response_url)
        if found.kind == "block_actions":
            return lambda ack: self.bridge.on_button(ack, body, respond or no_response_url)
        view = body.get("view") or {}
        if found.kind == "view_submission" and view.get("callback_id") == FORM_CALLBACK:
            return lambda ack: self.bridge.on_submit(ack, body)
        return None

    async def _answer(
        self, found: payloads.Inbound, listener: Callable[[Acknowledgement], Awaitable[None]]
    ) -> web.Response:
        """Run the listener; answer as soon as it acknowledges. It goes on after that (replies
        by response URL), as it would under Bolt."""
        if self.bridge.draining or self.bridge.workspace is None:  # the bridge's gate
            if found.kind == "command":
                return await to_aiohttp_response(
                    json_response({"response_type": "ephemeral", "text": RESTARTING})
                )
            return web.Response(status=503)
        ack = Acknowledgement()
        work = asyncio.ensure_future(listener(ack))
        self.working.add(work)
        work.add_done_callback(self._finished)
        given = asyncio.ensure_future(ack.given.wait())
        try:
            await asyncio.wait({work, given}, timeout=ACK_SECONDS, return_when="FIRST_COMPLETED")
        finally:
            given.cancel()
        if ack.response is None:
            log.warning("a %s was not acknowledged within %g s", found.kind, ACK_SECONDS)
            return web.Response(status=500)
        return await to_aiohttp_response(ack.response)

    def _finished(self, work: asyncio.Future[None]) -> None:
        self.working.discard(work)
        if not work.cancelled() and work.exception() is not None:
            log.error("a Slack listener failed", exc_info=work.exception())
