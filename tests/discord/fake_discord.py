"""A fake Discord REST API and gateway on 127.0.0.1, so the real discord.py code paths run.

It records every REST call (JSON or multipart with files), answers like Discord does (including
403 code 50007 for members whose DMs are closed, and close code 4014 when the members intent is
asked for but not granted), and pushes gateway events (READY, GUILD_CREATE, INTERACTION_CREATE,
GUILD_MEMBER_ADD) to the shard that owns the guild. Builders make interaction payloads.
Reusable: tests and the benchmark import it.

Given `DiscordLimits` (off by default, so tests stay fast) it enforces Discord's published rate
limits as Discord answers them: 50 requests a second globally (interaction responses exempt),
per-route buckets whose state every response reports in `X-RateLimit-*` headers, and 429s with
`retry_after`; it counts any request that comes back before a 429 said (`enforcer.early`) and
any DM sent again to a member whose DMs refused one (`refused_again`).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import count
from typing import Any

from aiohttp import WSCloseCode, WSMsgType, web

from tests.limits import Bucket, Enforcer, Limit, Window, whole_seconds

APP_ID = "1000000000000000001"
GUILD = "3000000000000000001"
GENERAL = "5000000000000000001"
INTRODUCTIONS = "5000000000000000002"
EVENTS = "5000000000000000003"
ALICE = "4000000000000000001"
BOB = "4000000000000000002"
BOT = {
    "id": APP_ID,
    "username": "rounds",
    "discriminator": "0",
    "global_name": None,
    "avatar": None,
    "bot": True,
}
MANAGE_GUILD = 1 << 5
MEMBER_PERMISSIONS = str((1 << 10) | (1 << 11))  # view channel, send messages
ADMIN_PERMISSIONS = str((1 << 10) | (1 << 11) | MANAGE_GUILD)
MEMBERS_INTENT = 1 << 1
EPHEMERAL = 64
_ids = count(2000000000000000000)


def snowflake() -> str:
    return str(next(_ids))


def jresp(obj: Any, status: int = 200) -> web.Response:
    # discord.py only decodes bodies whose content-type is exactly "application/json"
    return web.Response(
        body=json.dumps(obj).encode(), status=status, headers={"Content-Type": "application/json"}
    )


def user(user_id: str, name: str = "alice") -> dict[str, Any]:
    return {
        "id": user_id,
        "username": name,
        "discriminator": "0",
        "global_name": name.capitalize(),
        "avatar": None,
    }


def message_payload(channel_id: str, body: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "id": snowflake(),
        "channel_id": channel_id,
        "author": BOT,
        "content": body.get("content") or "",
        "timestamp": datetime.now(UTC).isoformat(),
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags") or 0,
        **extra,
    }


def text_channel(channel_id: str, name: str, guild_id: str = GUILD) -> dict[str, Any]:
    return {
        "id": channel_id,
        "type": 0,
        "guild_id": guild_id,
        "name": name,
        "position": 0,
        "permission_overwrites": [],
    }


def guild_payload(guild_id: str = GUILD) -> dict[str, Any]:
    return {
        "id": guild_id,
        "name": "Healthcare Leaders",
        "owner_id": "1",
        "unavailable": False,
        "member_count": 3,
        "large": False,
        "features": [],
        "emojis": [],
        "stickers": [],
        "members": [],
        "threads": [],
        "voice_states": [],
        "presences": [],
        "channels": [
            text_channel(GENERAL, "general", guild_id),
            text_channel(INTRODUCTIONS, "introductions", guild_id),
            text_channel(EVENTS, "events", guild_id),
        ],
        "roles": [
            {
                "id": guild_id,
                "name": "@everyone",
                "permissions": MEMBER_PERMISSIONS,
                "position": 0,
                "color": 0,
                "hoist": False,
                "managed": False,
                "mentionable": False,
                "flags": 0,
            }
        ],
        "premium_tier": 0,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "preferred_locale": "en-US",
        "system_channel_flags": 0,
        "joined_at": "2026-01-01T00:00:00+00:00",
    }


def shard_of(guild_id: str | None, shards: int) -> int:
    return (int(guild_id) >> 22) % shards if guild_id else 0


MESSAGES_ROUTE = "POST /channels/{channel}/messages"
EDIT_ROUTE = "PATCH /channels/{channel}/messages/{id}"
MAJOR = {"channels": "{channel}", "guilds": "{guild}", "webhooks": "{webhook}"}


def route_of(method: str, path: str) -> tuple[str, str]:
    """(route template, major parameter): Discord's bucket is per route and major parameter."""
    parts = path.strip("/").split("/")
    major = ""
    shown: list[str] = []
    for index, part in enumerate(parts):
        if index == 1 and parts[0] in MAJOR and part.isdigit():
            major, part = part, MAJOR[parts[0]]
        elif index == 2 and parts[0] in ("webhooks", "interactions"):
            part = "{token}"
        elif part.isdigit():
            part = "{id}"
        shown.append(part)
    return f"{method} /{'/'.join(shown)}", major


@dataclass(frozen=True)
class DiscordLimits:
    """Discord's published limits (discord.com/developers/docs/topics/rate-limits): 50 requests
    a second for the bot, interaction responses exempt; per-route buckets (requests per window,
    per major parameter), here the message routes' 5 per 5 s per channel."""

    global_per_second: int = 50
    routes: Mapping[str, tuple[int, float]] = field(
        default_factory=lambda: {MESSAGES_ROUTE: (5, 5.0), EDIT_ROUTE: (5, 5.0)}
    )


@dataclass
class Call:
    method: str
    path: str
    body: Any
    files: list[tuple[str, bytes]] = field(default_factory=list)
    at: float = 0.0


@dataclass
class Connection:
    shard: int
    intents: int
    ws: web.WebSocketResponse


class FakeDiscord:
    def __init__(
        self,
        *,
        shards: int = 1,
        guilds: tuple[str, ...] = (GUILD,),
        members_intent: bool = True,
        closed_dms: set[str] | None = None,
        token: str | None = None,
        limits: DiscordLimits | None = None,
    ) -> None:
        self.limits = limits
        self.enforcer = Enforcer()
        self.refused_again: list[str] = []
        """Members a DM was sent to again after their closed DMs refused one."""
        self._refused: set[str] = set()
        self.shards = shards
        self.token = token
        """When set, any other bot token is refused with 401 (any token is accepted if None)."""
        self.callback_delay = 0.0
        """Seconds an interaction callback takes to be answered (recorded when it arrives)."""
        self.gateway_open = True
        """False: the gateway refuses connections (503), as during an outage."""
        self.guilds = guilds
        self.members_intent = members_intent
        self.closed_dms = set(closed_dms or ())
        self.failures: dict[str, web.Response] = {}
        self.fail_paths: set[str] = set()
        """Paths that answer 403 Missing Access (e.g. commands of a server the bot isn't in)."""
        """Channel id -> the error response every post to it gets (see `fail`)."""
        self.calls: list[Call] = []
        self.connections: list[Connection] = []
        self.sockets: dict[int, web.WebSocketResponse] = {}
        self.refused_intents = 0
        self.messages: dict[str, dict[str, Any]] = {}
        self.threads: set[str] = set()
        self.dm_channels: dict[str, str] = {}  # DM channel id -> user id
        self.strangers: set[str] = set()
        """User ids that are in no guild (a member look-up answers 404 Unknown Member)."""
        self.interactions: dict[str, dict[str, Any]] = {}
        self.scheduled_events: dict[str, dict[str, Any]] = {}
        """The guild's Scheduled Events by id, as they stand now (edits applied)."""
        self._cond = asyncio.Condition()
        self._seq = count(1)
        self.app = web.Application()
        self.app.router.add_get("/gw", self._gateway)
        self.app.router.add_route("*", "/api/v10/{tail:.*}", self._rest)
        self.base = ""
        self.runner: web.AppRunner | None = None

    @property
    def api_url(self) -> str:
        return f"{self.base}/api/v10"

    async def start(self) -> FakeDiscord:
        self.runner = web.AppRunner(self.app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.base = f"http://127.0.0.1:{self.runner.addresses[0][1]}"
        return self

    async def stop(self) -> None:
        for connection in self.connections:
            await connection.ws.close()
        if self.runner is not None:
            await self.runner.cleanup()

    # -- REST --------------------------------------------------------------------------------
    async def _read(self, request: web.Request) -> tuple[Any, list[tuple[str, bytes]]]:
        if not request.can_read_body:
            return None, []
        if request.content_type.startswith("multipart/"):
            body: Any = None
            files: list[tuple[str, bytes]] = []
            reader = await request.multipart()
            async for part in reader:
                if getattr(part, "name", None) == "payload_json":
                    body = json.loads(await part.text())  # type: ignore[union-attr]
                else:
                    files.append((part.filename or "", await part.read()))  # type: ignore[union-attr]
            return body, files
        raw = await request.read()
        return (json.loads(raw) if raw else None), []

    async def _rest(self, request: web.Request) -> web.Response:
        at = time.perf_counter()
        path = "/" + request.match_info["tail"]
        body, files = await self._read(request)
        async with self._cond:
            self.calls.append(Call(request.method, path, body, files, at))
            self._cond.notify_all()
        if path.endswith("/callback") and self.callback_delay:
            await asyncio.sleep(self.callback_delay)
        refused = self.token is not None and path.startswith(("/users/@me", "/gateway"))
        if refused and request.headers.get("Authorization") != f"Bot {self.token}":
            return jresp({"message": "401: Unauthorized", "code": 0}, status=401)
        if self.limits is None:
            return self._answer(request.method, path, body or {})
        return self._limited(request.method, path, body or {})

    def _limited(self, method: str, path: str, body: Any) -> web.Response:
        """The answer under the limits: a 429, or the answer with the bucket's headers."""
        assert self.limits is not None
        limits = self.limits
        route, major = route_of(method, path)
        scopes: list[tuple[str, Limit]] = []
        if not path.startswith(("/interactions/", f"/webhooks/{APP_ID}/")):
            rate = limits.global_per_second
            scopes.append(("global", self.enforcer.limit("global", lambda: Bucket(rate, rate))))
        window: Window | None = None
        if route in limits.routes:
            count, seconds = limits.routes[route]
            made = self.enforcer.limit(f"{route}:{major}", lambda: Window(count, seconds))
            assert isinstance(made, Window)
            window = made
            scopes.append((f"{route}:{major}", window))
        refused = self.enforcer.admit(f"{method} {path}", scopes)
        bucket = hashlib.sha1(route.encode()).hexdigest()[:12]
        if refused is not None:
            is_global = refused.scope == "global"
            headers = {
                "Content-Type": "application/json",
                "Via": "1.1 google",
                "Retry-After": str(whole_seconds(refused.retry_after)),
                "X-RateLimit-Reset-After": f"{refused.retry_after:.3f}",
                "X-RateLimit-Scope": "global" if is_global else "user",
            }
            if is_global:
                headers["X-RateLimit-Global"] = "true"
            elif window is not None:
                headers.update(self._window_headers(window, bucket))
            answer = {
                "message": "You are being rate limited.",
                "retry_after": round(refused.retry_after, 3),
                "global": is_global,
            }
            return web.Response(body=json.dumps(answer).encode(), status=429, headers=headers)
        response = self._answer(method, path, body)
        if window is not None:
            response.headers.update(self._window_headers(window, bucket))
        return response

    def _window_headers(self, window: Window, bucket: str) -> dict[str, str]:
        resets_after = window.resets_after(self.enforcer.clock())
        return {
            "X-RateLimit-Limit": str(window.limit),
            "X-RateLimit-Remaining": str(window.remaining()),
            "X-RateLimit-Reset": f"{time.time() + resets_after:.3f}",
            "X-RateLimit-Reset-After": f"{resets_after:.3f}",
            "X-RateLimit-Bucket": bucket,
        }

    def _answer(self, method: str, path: str, body: Any) -> web.Response:
        parts = path.strip("/").split("/")
        if path in self.fail_paths:
            return jresp({"message": "Missing Access", "code": 50001}, status=403)
        if path == "/users/@me" and method == "GET":
            return jresp(BOT)
        if path == "/oauth2/applications/@me":
            return jresp(
                {
                    "id": APP_ID,
                    "name": "rounds",
                    "icon": None,
                    "description": "",
                    "bot_public": True,
                    "bot_require_code_grant": False,
                    "verify_key": "00",
                    "flags": 0,
                    "owner": {**user("1", "owner")},
                }
            )
        if path == "/gateway/bot":
            return jresp(
                {
                    "url": self.base.replace("http", "ws") + "/gw",
                    "shards": self.shards,
                    "session_start_limit": {
                        "total": 1000,
                        "remaining": 1000,
                        "reset_after": 0,
                        "max_concurrency": 1,
                    },
                }
            )
        if parts[:3] == ["applications", APP_ID, "commands"] or (
            parts[:3] == ["applications", APP_ID, "guilds"] and parts[-1] == "commands"
        ):
            return jresp(
                [{**c, "id": snowflake(), "application_id": APP_ID, "version": "1"} for c in body]
            )
        if parts[0] == "interactions" and parts[-1] == "callback":
            return self._callback(parts[1], body)
        if path == "/users/@me/channels" and method == "POST":
            recipient = str(body["recipient_id"])
            channel_id = next(
                (c for c, u in self.dm_channels.items() if u == recipient), snowflake()
            )
            self.dm_channels[channel_id] = recipient
            return jresp(
                {
                    "id": channel_id,
                    "type": 1,
                    "last_message_id": None,
                    "recipients": [user(recipient)],
                }
            )
        if parts[0] == "guilds" and len(parts) == 4 and parts[2] == "members" and method == "GET":
            if parts[1] not in self.guilds or parts[3] in self.strangers:
                return jresp({"message": "Unknown Member", "code": 10007}, status=404)
            return jresp({"user": user(parts[3], f"user{parts[3]}"), "nick": None, "roles": []})
        if parts[0] == "guilds" and len(parts) >= 3 and parts[2] == "scheduled-events":
            return self._scheduled_event(method, parts, body)
        if parts[0] == "channels" and len(parts) == 5 and parts[4] == "threads":
            self.threads.add(parts[3])
            return jresp(
                {
                    "id": parts[3],
                    "type": 11,
                    "guild_id": GUILD,
                    "parent_id": parts[1],
                    "name": body.get("name", ""),
                    "owner_id": APP_ID,
                    "thread_metadata": {
                        "archived": False,
                        "auto_archive_duration": 10080,
                        "archive_timestamp": datetime.now(UTC).isoformat(),
                        "locked": False,
                    },
                }
            )
        if parts[0] == "channels" and parts[2:] == ["messages"] and method == "POST":
            return self._post(parts[1], body)
        if parts[0] == "channels" and len(parts) == 4 and method == "GET":
            if parts[3] not in self.messages:
                return jresp({"message": "Unknown Message", "code": 10008}, status=404)
            return jresp(self.messages[parts[3]])
        if parts[0] == "channels" and len(parts) == 4 and method == "PATCH":
            if self.messages.get(parts[3], {}).get("channel_id") != parts[1]:
                return jresp({"message": "Unknown Message", "code": 10008}, status=404)
            return jresp(self._edit(parts[1], parts[3], body))
        if parts[:2] == ["webhooks", APP_ID]:
            interaction = self._by_token(parts[2])
            channel = str(interaction.get("channel_id", "0")) if interaction else "0"
            return jresp(self._remember(message_payload(channel, body, webhook_id=APP_ID)))
        return jresp({"message": "404: Not Found (fake)", "code": 0}, status=404)

    def _scheduled_event(self, method: str, parts: list[str], body: dict[str, Any]) -> web.Response:
        """Create (POST) and edit (PATCH) a guild's Scheduled Events as Discord does: an edit
        changes the fields it sends; status 4 cancels one that is still scheduled (status 1), and
        one under way (status 2, started by a moderator or at its time) can only be ended
        (status 3)."""
        if parts[1] not in self.guilds:
            return jresp({"message": "Unknown Guild", "code": 10004}, status=404)
        if method == "POST" and len(parts) == 3:
            event = {
                "id": snowflake(),
                "guild_id": parts[1],
                "creator_id": APP_ID,
                "status": 1,
                "entity_id": None,
                "channel_id": None,
                "user_count": 0,
                **body,
            }
            self.scheduled_events[event["id"]] = event
            return jresp(event)
        event = self.scheduled_events.get(parts[3]) if len(parts) == 4 else None
        if event is None:
            return jresp({"message": "Unknown Guild Scheduled Event", "code": 10070}, status=404)
        if method == "PATCH":
            # SCHEDULED -> ACTIVE or CANCELED (or any edit); ACTIVE -> COMPLETED; then final
            started = event["status"] == 2 and set(body) == {"status"} and body["status"] == 3
            if event["status"] != 1 and not started:
                return jresp(
                    {"message": "Cannot update an event that has ended", "code": 180000}, status=400
                )
            event.update(body)
        return jresp(event)

    def fail(self, channel_id: str, status: int, code: int = 0, retry_after: float = 0) -> None:
        """Make posts to a channel fail the way Discord fails them (429s carry `retry_after`)."""
        body: dict[str, Any] = {"message": "fake failure", "code": code}
        headers = {"Content-Type": "application/json"}
        if status == 429:
            body["retry_after"] = retry_after
            headers.update({"Via": "1.1 google", "Retry-After": str(int(retry_after))})
        self.failures[channel_id] = web.Response(
            body=json.dumps(body).encode(), status=status, headers=headers
        )

    def _post(self, channel_id: str, body: dict[str, Any]) -> web.Response:
        if channel_id in self.failures:
            failure = self.failures[channel_id]
            return web.Response(body=failure.body, status=failure.status, headers=failure.headers)
        known = channel_id in (GENERAL, INTRODUCTIONS, EVENTS) or channel_id in self.threads
        if channel_id in self.dm_channels:
            member = self.dm_channels[channel_id]
            if member in self.closed_dms:
                if member in self._refused:
                    self.refused_again.append(member)
                self._refused.add(member)
                return jresp(
                    {"message": "Cannot send messages to this user", "code": 50007}, status=403
                )
            known = True
        if not known and channel_id in self.messages:
            return jresp({"message": "Unknown Channel", "code": 10003}, status=404)
        return jresp(self._remember(message_payload(channel_id, body)))

    def _remember(self, message: dict[str, Any]) -> dict[str, Any]:
        self.messages[message["id"]] = message
        return message

    def _edit(self, channel_id: str, message_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """Like Discord: an edit changes only the parts it sends; id and channel stay."""
        message = self.messages.get(message_id) or message_payload(channel_id, {}, id=message_id)
        for part in ("content", "embeds", "components", "attachments", "flags"):
            if part in body:
                message[part] = body[part] or {"content": "", "flags": 0}.get(part, [])
        message["edited_timestamp"] = datetime.now(UTC).isoformat()
        return self._remember(message)

    def _by_token(self, token: str) -> dict[str, Any] | None:
        return next((i for i in self.interactions.values() if i["token"] == token), None)

    def _callback(self, interaction_id: str, body: dict[str, Any]) -> web.Response:
        interaction = self.interactions.get(interaction_id, {})
        data = body.get("data") or {}
        channel = str(interaction.get("channel_id", "0"))
        if body.get("type") == 4:
            self._remember(message_payload(channel, data, interaction_id=interaction_id))
        pressed = interaction.get("message") or {}
        if body.get("type") == 7 and pressed.get("id"):  # UPDATE_MESSAGE: the pressed message
            self._edit(channel, pressed["id"], data)
        return jresp(
            {
                "interaction": {
                    "id": interaction_id,
                    "type": interaction.get("type", 2),
                    "response_message_loading": body.get("type") == 5,
                    "response_message_ephemeral": bool(data.get("flags", 0) & EPHEMERAL),
                }
            }
        )

    async def wait_for(
        self, predicate: Callable[[Call], bool], *, after: int = 0, wait: float = 5.0
    ) -> Call:
        """The first call (from index `after` on) that matches; waits for it to arrive."""

        async def find() -> Call:
            async with self._cond:
                while True:
                    for call in self.calls[after:]:
                        if predicate(call):
                            return call
                    await self._cond.wait()

        return await asyncio.wait_for(find(), wait)

    async def callback_for(
        self, interaction: dict[str, Any], after: int = 0, wait: float = 5.0
    ) -> Call:
        path = f"/interactions/{interaction['id']}/{interaction['token']}/callback"
        return await self.wait_for(lambda c: c.path == path, after=after, wait=wait)

    async def followup_for(self, interaction: dict[str, Any], after: int = 0) -> Call:
        prefix = f"/webhooks/{APP_ID}/{interaction['token']}"
        return await self.wait_for(
            lambda c: c.method == "POST" and c.path.startswith(prefix), after=after
        )

    def delete(self, message_id: str) -> None:
        """A moderator deletes a message the bot posted."""
        del self.messages[message_id]

    def calls_to(self, method: str, prefix: str) -> list[Call]:
        return [c for c in self.calls if c.method == method and c.path.startswith(prefix)]

    def in_channel(self, channel_id: str) -> list[dict[str, Any]]:
        """Messages the bot posted in a channel, oldest first, as they show now (edits applied)."""
        return [m for m in self.messages.values() if m["channel_id"] == channel_id]

    def dms_to(self, user_id: str) -> list[dict[str, Any]]:
        """Direct messages the bot sent to a member, oldest first, as they show now."""
        return [m for c, u in self.dm_channels.items() if u == user_id for m in self.in_channel(c)]

    async def answer(self, interaction: dict[str, Any]) -> dict[str, Any]:
        """Deliver an interaction over the gateway; returns the body of the bot's callback."""
        await self.dispatch("INTERACTION_CREATE", interaction)
        call = await self.callback_for(interaction)
        body: dict[str, Any] = call.body
        return body

    # -- gateway -----------------------------------------------------------------------------
    async def _gateway(self, request: web.Request) -> web.StreamResponse:
        if not self.gateway_open:
            return web.Response(status=503, text="gateway unavailable (fake outage)")
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_json({"op": 10, "d": {"heartbeat_interval": 45000}, "s": None, "t": None})
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                continue
            data = json.loads(msg.data)
            if data["op"] == 1:
                await ws.send_json({"op": 11, "d": None, "s": None, "t": None})
            elif data["op"] == 2:
                await self._identify(ws, data["d"])
        return ws

    async def _identify(self, ws: web.WebSocketResponse, identify: dict[str, Any]) -> None:
        shard = (identify.get("shard") or [0, 1])[0]
        intents = int(identify.get("intents", 0))
        if intents & MEMBERS_INTENT and not self.members_intent:
            self.refused_intents += 1
            await ws.close(code=4014, message=b"Disallowed intent(s).")
            return
        mine = [g for g in self.guilds if shard_of(g, self.shards) == shard]
        await self._send(
            ws,
            "READY",
            {
                "v": 10,
                "user": BOT,
                "guilds": [{"id": g, "unavailable": True} for g in mine],
                "session_id": f"session-{shard}-{len(self.connections)}",
                "shard": [shard, self.shards],
                "resume_gateway_url": self.base.replace("http", "ws") + "/gw",
                "application": {"id": APP_ID, "flags": 0},
            },
        )
        for guild_id in mine:
            await self._send(ws, "GUILD_CREATE", guild_payload(guild_id))
        async with self._cond:
            self.sockets[shard] = ws
            self.connections.append(Connection(shard, intents, ws))
            self._cond.notify_all()

    async def wait_connected(self, count: int = 1, wait: float = 30.0) -> None:
        """Wait until `count` gateway sessions have been identified and greeted."""

        async def check() -> None:
            async with self._cond:
                while len(self.connections) < count:
                    await self._cond.wait()

        await asyncio.wait_for(check(), wait)

    async def _send(self, ws: web.WebSocketResponse, event: str, data: dict[str, Any]) -> None:
        await ws.send_json({"op": 0, "s": next(self._seq), "t": event, "d": data})

    async def dispatch(self, event: str, data: dict[str, Any], shard: int | None = None) -> float:
        """Push an event to the shard that owns its guild; returns when it was sent."""
        if event == "INTERACTION_CREATE":
            self.interactions[data["id"]] = data
        target = shard if shard is not None else shard_of(data.get("guild_id"), self.shards)
        ws = self.sockets[target]
        if ws.closed:
            raise ConnectionError(f"shard {target} is not connected")
        sent_at = time.perf_counter()
        await self._send(ws, event, data)
        return sent_at

    async def send_raw(self, text: str, shard: int = 0) -> None:
        """Push a frame exactly as given (e.g. one that is not JSON at all)."""
        await self.sockets[shard].send_str(text)

    async def close_all(self) -> None:
        for connection in self.connections:
            await connection.ws.close(code=WSCloseCode.GOING_AWAY)

    # -- payload lookups ---------------------------------------------------------------------
    def latest_with_button(self, label: str) -> dict[str, Any]:
        for message in reversed(list(self.messages.values())):
            for row in message.get("components") or []:
                for component in row.get("components") or []:
                    if component.get("label") == label:
                        return message
        raise LookupError(f"no message shows a button {label!r}")


# -- interaction builders ---------------------------------------------------------------------
def interaction_fields(
    kind: int, *, guild_id: str | None, user_id: str, admin: bool, channel_id: str = GENERAL
) -> dict[str, Any]:
    person = user(user_id, "alice" if user_id == ALICE else f"user{user_id[-3:]}")
    payload: dict[str, Any] = {
        "id": snowflake(),
        "application_id": APP_ID,
        "type": kind,
        "token": "itoken-" + snowflake(),
        "version": 1,
        "locale": "en-US",
        "app_permissions": "0",
        "attachment_size_limit": 8388608,
        "entitlements": [],
        "authorizing_integration_owners": {"0": guild_id or user_id},
    }
    if guild_id:
        payload.update(
            guild_id=guild_id,
            context=0,
            guild_locale="en-US",
            channel_id=channel_id,
            channel=text_channel(channel_id, "general", guild_id),
            member={
                "user": person,
                "roles": [],
                "joined_at": "2026-01-01T00:00:00+00:00",
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": ADMIN_PERMISSIONS if admin else MEMBER_PERMISSIONS,
            },
        )
    else:
        payload.update(
            context=1,
            user=person,
            channel_id=channel_id,
            channel={"id": channel_id, "type": 1, "recipients": [person]},
        )
    return payload


def slash(
    top: str,
    *names: str,
    options: dict[str, tuple[int, Any]] | None = None,
    user_id: str = ALICE,
    guild_id: str | None = GUILD,
    admin: bool = False,
    kind: int = 2,
    focused: str | None = None,
) -> dict[str, Any]:
    """`slash("rounds", "profile", "set", options={"timezone": (3, "Europe/London")})`."""
    leaves = [
        {"name": n, "type": t, "value": v, **({"focused": True} if n == focused else {})}
        for n, (t, v) in (options or {}).items()
    ]
    node: list[dict[str, Any]] = leaves
    for depth, name in enumerate(reversed(names)):
        node = [{"name": name, "type": 1 if depth == 0 else 2, "options": node}]
    payload = interaction_fields(kind, guild_id=guild_id, user_id=user_id, admin=admin)
    payload["data"] = {"id": snowflake(), "name": top, "type": 1, "options": node}
    return payload


def press(
    message: dict[str, Any],
    label: str,
    *,
    user_id: str = ALICE,
    guild_id: str | None = GUILD,
    admin: bool = False,
) -> dict[str, Any]:
    """A member pressing the button with `label` on a message the bot sent."""
    custom_id = next(
        c["custom_id"]
        for row in message["components"]
        for c in row["components"]
        if c.get("label") == label
    )
    channel = str(message.get("channel_id") or GENERAL)
    payload = interaction_fields(
        3, guild_id=guild_id, user_id=user_id, admin=admin, channel_id=channel
    )
    payload["message"] = message
    payload["data"] = {"custom_id": custom_id, "component_type": 2}
    return payload


def submit(
    modal: dict[str, Any],
    values: dict[str, str],
    *,
    user_id: str = ALICE,
    guild_id: str | None = GUILD,
    admin: bool = False,
) -> dict[str, Any]:
    """A member submitting a modal (the data of a type-9 callback) with `values` by field id."""
    components = []
    for label in modal["components"]:
        inner = label.get("component") or label["components"][0]
        custom_id = inner["custom_id"]
        if inner["type"] == 3:
            chosen = [values[custom_id]] if values.get(custom_id) else []
            component = {"type": 3, "custom_id": custom_id, "values": chosen}
        else:
            component = {"type": 4, "custom_id": custom_id, "value": values.get(custom_id, "")}
        components.append({"type": 18, "component": component})
    payload = interaction_fields(5, guild_id=guild_id, user_id=user_id, admin=admin)
    payload["data"] = {"custom_id": modal["custom_id"], "components": components}
    return payload


def member_join(user_id: str, guild_id: str = GUILD) -> dict[str, Any]:
    return {
        "guild_id": guild_id,
        "user": user(user_id, f"user{user_id[-3:]}"),
        "roles": [],
        "joined_at": datetime.now(UTC).isoformat(),
        "deaf": False,
        "mute": False,
        "flags": 0,
    }
