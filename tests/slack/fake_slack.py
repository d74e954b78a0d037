"""A local fake of Slack for tests: the Web API, response URLs, file uploads and Socket Mode.

An aiohttp server on 127.0.0.1, port 0. It records every call (method, params, auth header)
and answers like Slack does; tests queue failures (an error code, or a 429 with Retry-After)
and await the record of a call instead of sleeping. Like Slack, it keeps each conversation's
messages (posts, then edits by `chat.update` or a response URL's `replace_original`) and
refuses blocks that break Block Kit's limits with `invalid_blocks`. `signed_headers` signs a
body with Slack's real algorithm.

Given `SlackLimits` (off by default, so tests stay fast) it enforces Slack's published rate
limits the way Slack answers them: 429 `ratelimited` with a whole-second `Retry-After`, and
it counts any request that comes back before that (`enforcer.early`).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web
from slack_sdk.signature import SignatureVerifier

from tests.limits import Bucket, Enforcer, Limit, whole_seconds

TEAM = "T0ROUNDS"
BOT_TOKEN = "xoxb-test-token"
APP_TOKEN = "xapp-test-token"
SIGNING_SECRET = "test-signing-secret"
WAIT_SECONDS = 5.0  # a generous bound for "the call never came"; nothing waits this long

# Block Kit's limits for messages, as Slack enforces them (api.slack.com/reference/block-kit).
MESSAGE_BLOCKS = 50
ACTIONS_ELEMENTS = 25
CONTEXT_ELEMENTS = 10
SECTION_TEXT = 3000
SECTION_FIELDS = 10
FIELD_TEXT = 2000
BUTTON_TEXT = 75
BUTTON_VALUE = 2000
ACTION_ID = 255


def signed_headers(
    body: str | bytes,
    content_type: str = "application/x-www-form-urlencoded",
    *,
    secret: str = SIGNING_SECRET,
    timestamp: int | str | None = None,
) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    text = body.decode("utf-8") if isinstance(body, bytes) else body
    signature = SignatureVerifier(secret).generate_signature(timestamp=stamp, body=text)
    assert signature is not None
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": signature,
    }


@dataclass(frozen=True)
class SlackLimits:
    """Slack's published limits (docs.slack.dev/apis/web-api/rate-limits), "per API method per
    workspace per app": `chat.postMessage` one message a second per channel within a
    workspace-wide budget ("several hundred a minute": 300 here, Rounds' own reading), and
    other methods by their tier (per minute), when listed in `tiers`."""

    per_channel: float = 1.0
    workspace_per_minute: int = 300
    tiers: Mapping[str, int] = field(default_factory=dict)


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    auth: str | None
    at: float = 0.0
    """When it arrived, on the time the fake's limits keep (`enforcer.clock`)."""


@dataclass
class Posted:
    """A message as the conversation now shows it: after any edits."""

    channel: str
    ts: str
    params: dict[str, Any]
    edits: int = 0


def block_kit_problems(blocks: list[dict[str, Any]]) -> list[str]:
    """What Slack would refuse in a message's blocks (it answers `invalid_blocks`)."""
    problems: list[str] = []
    if len(blocks) > MESSAGE_BLOCKS:
        problems.append(f"{len(blocks)} blocks > {MESSAGE_BLOCKS}")
    action_ids: list[str] = []
    for index, block in enumerate(blocks):
        kind = block.get("type")
        if kind == "actions":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= ACTIONS_ELEMENTS:
                problems.append(f"block {index}: {len(elements)} elements in an actions block")
            for element in elements:
                label = element.get("text", {}).get("text", "")
                action_ids.append(element.get("action_id", ""))
                if not 1 <= len(label) <= BUTTON_TEXT:
                    problems.append(f"block {index}: button text of {len(label)} characters")
                if len(element.get("value", "")) > BUTTON_VALUE:
                    problems.append(f"block {index}: button value over {BUTTON_VALUE}")
                if len(element.get("action_id", "")) > ACTION_ID:
                    problems.append(f"block {index}: action_id over {ACTION_ID}")
        elif kind == "section":
            text = (block.get("text") or {}).get("text")
            fields = block.get("fields") or []
            if text is None and not fields:
                problems.append(f"block {index}: a section with neither text nor fields")
            if text is not None and not 1 <= len(text) <= SECTION_TEXT:
                problems.append(f"block {index}: section text of {len(text)} characters")
            if len(fields) > SECTION_FIELDS:
                problems.append(f"block {index}: {len(fields)} fields > {SECTION_FIELDS}")
            if any(len(f.get("text", "")) > FIELD_TEXT for f in fields):
                problems.append(f"block {index}: a field over {FIELD_TEXT} characters")
        elif kind == "context" and len(block.get("elements") or []) > CONTEXT_ELEMENTS:
            problems.append(f"block {index}: over {CONTEXT_ELEMENTS} context elements")
    if len(set(action_ids)) != len(action_ids):
        problems.append("action_ids repeat within the message")
    return problems


@dataclass
class Failure:
    error: str = ""
    status: int = 200
    retry_after: int | None = None


@dataclass
class FakeSlack:
    team: str = TEAM
    """The workspace the bot token belongs to (what `auth.test` answers)."""
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    socket_acks: list[dict[str, Any]] = field(default_factory=list)
    messages: dict[tuple[str, str], Posted] = field(default_factory=dict)
    base_url: str = ""
    limits: SlackLimits | None = None
    closed_dms: set[str] = field(default_factory=set)
    """Members whose DMs Slack refuses (`messages_tab_disabled`)."""

    def __post_init__(self) -> None:
        self.enforcer = Enforcer(told=lambda wait: float(whole_seconds(wait)))
        self.refused_again: list[str] = []
        """Members a DM was sent to again after Slack refused their DMs (retried refusals)."""
        self._refused: set[str] = set()
        self._changed = asyncio.Condition()
        self._failures: dict[str, list[Failure]] = {}
        self.delays: dict[str, float] = {}
        """Method -> seconds it takes to answer (the call is recorded when it arrives)."""
        self._ts = 1_700_000_000
        self._response_urls: dict[str, tuple[str, str]] = {}
        self._ws: web.WebSocketResponse | None = None
        self._ws_ready = asyncio.Event()
        self._runner: web.AppRunner | None = None
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/respond/{id}", self._respond)
        app.router.add_post("/upload/{id}", self._upload)
        app.router.add_get("/socket", self._socket)
        self.app = app

    # -- lifecycle ---------------------------------------------------------------------------
    async def start(self) -> FakeSlack:
        self._runner = web.AppRunner(self.app)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.base_url = f"http://127.0.0.1:{self._runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._runner is not None:
            await self._runner.cleanup()

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "1", message: Posted | None = None) -> str:
        """A response URL; given the message a button sat on, `replace_original` edits it."""
        if message is not None:
            self._response_urls[name] = (message.channel, message.ts)
        return f"{self.base_url}/respond/{name}"

    # -- set-up ------------------------------------------------------------------------------
    def add_user(
        self,
        user_id: str,
        name: str,
        *,
        admin: bool = False,
        owner: bool = False,
        team: str | None = None,
    ) -> None:
        """A member; `team` another organisation's team for a Slack Connect member."""
        self.users[user_id] = {
            "id": user_id,
            "team_id": team or self.team,
            "name": name,
            "is_admin": admin,
            "is_owner": owner,
            "profile": {"display_name": name, "real_name": name.title()},
        }

    def fail(
        self, method: str, error: str = "", *, status: int = 200, retry_after: int | None = None
    ) -> None:
        """The next call of `method` fails once: with Slack's error code, or an HTTP status."""
        self._failures.setdefault(method, []).append(Failure(error, status, retry_after))

    # -- assertions --------------------------------------------------------------------------
    def history(self, channel: str) -> list[Posted]:
        """The messages in one conversation (a DM to `U…` lands in `D…`), oldest first."""
        return sorted(
            (m for m in self.messages.values() if m.channel == channel), key=lambda m: m.ts
        )

    def called(self, method: str) -> list[dict[str, Any]]:
        return [c.params for c in self.calls if c.method == method]

    async def wait_for(
        self,
        method: str,
        count: int = 1,
        where: Callable[[dict[str, Any]], bool] = lambda params: True,
    ) -> list[dict[str, Any]]:
        """Wait until `method` was called `count` times (matching `where`); return those calls."""

        async def seen() -> list[dict[str, Any]]:
            async with self._changed:
                while True:
                    found = [p for p in self.called(method) if where(p)]
                    if len(found) >= count:
                        return found
                    await self._changed.wait()

        return await asyncio.wait_for(seen(), WAIT_SECONDS)

    # -- the Web API -------------------------------------------------------------------------
    async def _record(self, method: str, request: web.Request) -> dict[str, Any]:
        if request.method == "GET":
            params: dict[str, Any] = dict(request.query)
        elif request.content_type == "application/json":
            params = json.loads(await request.text() or "{}")
        elif request.content_type == "multipart/form-data":
            params = {}
        else:
            params = dict(parse_qsl(await request.text()))
        params = {**request.query, **params}  # some methods send their arguments in the URL
        for key in ("blocks", "view"):  # form-encoded calls carry these as JSON strings
            if isinstance(params.get(key), str):
                params[key] = json.loads(params[key])
        call = Call(method, params, request.headers.get("Authorization"), self.enforcer.clock())
        async with self._changed:
            self.calls.append(call)
            self._changed.notify_all()
        return params

    def _failure(self, method: str) -> web.Response | None:
        queued = self._failures.get(method)
        if not queued:
            return None
        failure = queued.pop(0)
        headers = (
            {"Retry-After": str(failure.retry_after)} if failure.retry_after is not None else {}
        )
        if failure.status == 429:
            body = {"ok": False, "error": "ratelimited"}
        else:
            body = {"ok": False, "error": failure.error or "internal_error"}
        return web.json_response(body, status=failure.status, headers=headers)

    def _next_ts(self) -> str:
        self._ts += 1
        return f"{self._ts}.000100"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._record(method, request)
        if method in self.delays:
            await asyncio.sleep(self.delays[method])
        auth = request.headers.get("Authorization") or ""
        if method == "apps.connections.open":
            if auth != f"Bearer {APP_TOKEN}":
                return web.json_response({"ok": False, "error": "invalid_auth"})
            url = self.base_url.replace("http://", "ws://") + "/socket"
            return web.json_response({"ok": True, "url": url})
        if auth != f"Bearer {BOT_TOKEN}":
            return web.json_response({"ok": False, "error": "invalid_auth"})
        failure = self._failure(method)
        if failure is not None:
            return failure
        limited = self._rate_limited(method, params)
        if limited is not None:
            return limited
        return web.json_response(self._answer(method, params))

    def _rate_limited(self, method: str, params: dict[str, Any]) -> web.Response | None:
        limits = self.limits
        if limits is None:
            return None
        scopes: list[tuple[str, Limit]] = []
        if method == "chat.postMessage":
            per_second = limits.workspace_per_minute / 60
            workspace = self.enforcer.limit(
                method, lambda: Bucket(per_second, max(1.0, per_second))
            )
            channel = _conversation(str(params.get("channel", "")))
            scopes = [
                (method, workspace),
                (
                    f"{method} {channel}",
                    self.enforcer.limit(
                        f"{method} {channel}", lambda: Bucket(limits.per_channel, 1.0)
                    ),
                ),
            ]
        elif method in limits.tiers:
            per_second = limits.tiers[method] / 60
            scopes = [(method, self.enforcer.limit(method, lambda: Bucket(per_second, 1.0)))]
        if not scopes:
            return None
        refused = self.enforcer.admit(method, scopes)
        if refused is None:
            return None
        headers = {"Retry-After": str(int(refused.retry_after))}
        return web.json_response({"ok": False, "error": "ratelimited"}, status=429, headers=headers)

    def _answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "team_id": self.team,
                "team": "Rounds Test",
                "user_id": "UBOT",
                "bot_id": "BBOT",
                "url": "https://rounds-test.slack.com/",
                "user": "rounds",
            }
        if method == "users.info":
            user = self.users.get(str(params.get("user")))
            return {"ok": True, "user": user} if user else {"ok": False, "error": "user_not_found"}
        if method in ("chat.postMessage", "chat.update") and block_kit_problems(
            params.get("blocks") or []
        ):
            return {"ok": False, "error": "invalid_blocks"}
        if method == "conversations.open":
            users = sorted(str(params.get("users", "")).split(","))
            if len(users) < 2 or any(not u.startswith("U") for u in users):
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "channel": {"id": "G" + "".join(u[1:] for u in users)[:20]}}
        if method == "chat.postMessage":
            user = str(params.get("channel", ""))
            if user in self.closed_dms:
                if user in self._refused:
                    self.refused_again.append(user)
                self._refused.add(user)
                return {"ok": False, "error": "messages_tab_disabled"}
            channel = _conversation(user)
            ts = self._next_ts()
            self.messages[(channel, ts)] = Posted(channel, ts, params)
            return {"ok": True, "channel": channel, "ts": ts}
        if method == "chat.update":
            key = (str(params.get("channel")), str(params.get("ts")))
            if key not in self.messages:
                return {"ok": False, "error": "message_not_found"}
            self._edit(key, params)
            return {"ok": True, "channel": params.get("channel"), "ts": params.get("ts")}
        if method in ("views.open", "views.publish", "views.update"):
            return {"ok": True, "view": {"id": "V1", **(params.get("view") or {})}}
        if method == "files.getUploadURLExternal":
            return {"ok": True, "upload_url": f"{self.base_url}/upload/F1", "file_id": "F1"}
        if method == "files.completeUploadExternal":
            return {
                "ok": True,
                "files": [
                    {"id": f["id"], "title": f.get("title")}
                    for f in _json_list(params.get("files"))
                ],
            }
        return {"ok": True}

    def _edit(self, key: tuple[str, str], params: dict[str, Any]) -> None:
        before = self.messages[key]
        self.messages[key] = Posted(before.channel, before.ts, params, before.edits + 1)

    async def _respond(self, request: web.Request) -> web.Response:
        name = request.match_info["id"]
        params = await self._record(f"respond/{name}", request)
        if block_kit_problems(params.get("blocks") or []):
            return web.Response(status=400, text="invalid_blocks")
        replaced = self._response_urls.get(name)
        if params.get("replace_original") is True and replaced in self.messages:
            self._edit(replaced, params)
        return web.Response(text="ok")

    async def _upload(self, request: web.Request) -> web.Response:
        data = await request.read()
        async with self._changed:
            self.calls.append(
                Call("upload", {"file": request.match_info["id"], "bytes": data}, None)
            )
            self._changed.notify_all()
        return web.Response(text="OK")

    # -- Socket Mode -------------------------------------------------------------------------
    async def _socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        self._ws = ws
        await ws.send_json({"type": "hello", "num_connections": 1})
        self._ws_ready.set()
        async for message in ws:
            if message.type.name == "TEXT":
                async with self._changed:
                    self.socket_acks.append(json.loads(message.data))
                    self._changed.notify_all()
        return ws

    async def push(self, envelope_id: str, kind: str, payload: dict[str, Any]) -> None:
        """Send one Socket Mode envelope (`slash_commands`, `interactive`, `events_api`)."""
        await asyncio.wait_for(self._ws_ready.wait(), 5)
        assert self._ws is not None
        await self._ws.send_json(
            {
                "envelope_id": envelope_id,
                "type": kind,
                "payload": payload,
                "accepts_response_payload": kind != "events_api",
            }
        )

    async def socket_ack(self, envelope_id: str) -> dict[str, Any]:
        async def seen() -> dict[str, Any]:
            async with self._changed:
                while True:
                    for ack in self.socket_acks:
                        if ack.get("envelope_id") == envelope_id:
                            return ack
                    await self._changed.wait()

        return await asyncio.wait_for(seen(), WAIT_SECONDS)


def _conversation(channel: str) -> str:
    """Where a post lands: a post to a user id lands in the app's DM with them."""
    return "D" + channel[1:] if channel.startswith("U") else channel


def _json_list(value: Any) -> list[dict[str, Any]]:
    return json.loads(value) if isinstance(value, str) else list(value or [])
