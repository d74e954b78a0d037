"""The Discord service: an `AutoShardedClient` wired to the core, run by the composition root.
An event discord.py cannot read costs that event only; a connection that ends anyway is made
again with backoff, and if that fails the service gives up so that the process exits."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import aiohttp
import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.components import ActionButton
from adapters.discord.interactions import DEFER_AFTER, Interactions
from adapters.discord.limits import leave_to_budget, rate_limit_hook
from adapters.discord.platform import DiscordPlatform
from adapters.discord.schema import Schema, build_schema
from bot.delivery import RateBudget
from bot.errors import RateLimited
from bot.router import Router
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

IDENTIFY_DELAY = 5.0  # Discord allows one IDENTIFY per 5 s per bucket
CONNECT_SECONDS = 60.0
RECONNECT_TRIES = 6  # with the default backoff, about a minute of trying
DRAIN_SECONDS = 5.0
CLOSE_SECONDS = 2.0
GUILD_READY_SECONDS = 0.3
"""discord.py calls a shard ready once no server has arrived for this long (its default, 2 s,
was most of a start). Servers arrive in one burst after READY, a community bot is in few, and
one that arrives later is served all the same."""
DOWN_LIMIT_SECONDS = 300.0
WATCH_SECONDS = 1.0
REFUSED_CLOSE_CODES = {4004: "authentication failed", 4013: "invalid intents"}


def use_api(url: str) -> None:
    """discord.py reads the REST base (also for interaction callbacks) from a class attribute."""
    Route.BASE = url.rstrip("/")


def shard_ids(text: str | None) -> list[int] | None:
    """`0-3` or `0,1,2` as shard ids; None for all of them."""
    if not text:
        return None
    ids: list[int] = []
    for part in text.split(","):
        first, _, last = part.strip().partition("-")
        ids.extend(range(int(first), int(last or first) + 1))
    return ids


def intents(members: bool) -> discord.Intents:
    return discord.Intents(guilds=True, members=members)


def describe(error: BaseException | None) -> str:
    """An error in a log line: its kind and, for a missing key, the key; never payload text."""
    if error is None:
        return "closed"
    if isinstance(error, KeyError):
        return f"KeyError: {error}"
    if isinstance(error, discord.ConnectionClosed):
        return f"closed with code {error.code}"
    return type(error).__name__


class OneLine(logging.Filter):
    """discord.py logs each failed shard connection with a traceback, every 5 s during an
    outage; one line says as much."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            record.msg = f"{record.msg} ({describe(record.exc_info[1])})"
            record.exc_info = None
            record.exc_text = None
        return True


def guarded(event: str, parse: Callable[[Any], None]) -> Callable[[Any], None]:
    """A gateway parser that drops the one event it cannot read instead of letting the error
    end the shard's connection (discord.py reconnects only on network errors)."""

    def parse_or_drop(data: Any) -> None:
        try:
            parse(data)
        except Exception as error:
            log.warning("dropped a %s event discord.py could not read (%s)", event, describe(error))

    return parse_or_drop


class RoundsClient(discord.AutoShardedClient):
    """discord.py's sharded client, handing interactions and joins to the core's translator."""

    def __init__(
        self,
        presses: Interactions,
        *,
        members: bool,
        identify_delay: float = IDENTIFY_DELAY,
        **options: Any,
    ) -> None:
        super().__init__(
            intents=intents(members),
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            **options,
        )
        # Rate limits are the budget's (adapters/discord/limits.py): discord.py never sleeps
        # on a bucket, which would hold the outbox's send while others could go.
        leave_to_budget(self.http)
        self.presses = presses
        self.identify_delay = identify_delay
        self.down: set[int] = set()
        """Shards whose gateway connection is down (discord.py is reconnecting them)."""

    def _get_state(self, **options: Any) -> Any:
        state = super()._get_state(**options)
        state.parsers = {event: guarded(event, parse) for event, parse in state.parsers.items()}
        return state

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial and self.identify_delay:
            await asyncio.sleep(self.identify_delay)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        self.down.add(shard_id)

    async def on_shard_connect(self, shard_id: int) -> None:
        self.down.discard(shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        self.down.discard(shard_id)

    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        await self.presses.on_interaction(interaction)

    async def on_member_join(self, member: discord.Member) -> None:
        try:
            await self.presses.member_joined(member)
        except Exception:
            log.exception("member join failed: guild=%s user=%s", member.guild.id, member.id)

    async def on_raw_member_remove(self, payload: discord.RawMemberRemoveEvent) -> None:
        # the raw event: with no member cache, discord.py sends `on_member_remove` for nobody
        try:
            await self.presses.member_left(payload.guild_id, payload.user)
        except Exception:
            log.exception(
                "member leave failed: guild=%s user=%s", payload.guild_id, payload.user.id
            )


class DiscordService:
    """No privileged intent is required: the members intent is asked for, and when Discord
    refuses it (close code 4014) the client connects without it; the welcome then runs at a
    member's first command instead of on join. Commands are registered by `rounds discord
    sync`, never on start. `DISCORD_API_URL` sets the REST base; the gateway URL comes from
    `/gateway/bot`."""

    name = "discord"

    def __init__(
        self,
        host: Host,
        settings: Settings,
        *,
        defer_after: float = DEFER_AFTER,
        identify_delay: float = IDENTIFY_DELAY,
        guild_ready_timeout: float = GUILD_READY_SECONDS,
        backoff: Backoff = BACKOFF,
        reconnect_tries: int = RECONNECT_TRIES,
        connect_seconds: float = CONNECT_SECONDS,
        down_limit: float = DOWN_LIMIT_SECONDS,
    ) -> None:
        if settings.DISCORD_TOKEN is None:
            raise ValueError("DISCORD_TOKEN is not set")
        self.settings = settings
        self.schema = build_schema(host.router)
        self.in_flight = InFlight()
        self.interactions = Interactions(
            host.rounds, self.schema, defer_after=defer_after, in_flight=self.in_flight
        )
        self.platform = DiscordPlatform(self.schema)
        # Paced per request by the client's hook (`adapters/discord/limits.py`).
        self.budget = RateBudget()
        host.add_platform(self.platform, self.budget)
        self.identify_delay = identify_delay
        self.guild_ready_timeout = guild_ready_timeout
        self.backoff = backoff
        self.reconnect_tries = reconnect_tries
        self.connect_seconds = connect_seconds
        self.down_limit = down_limit
        self.client: RoundsClient | None = None
        self.members_intent = True
        self._connection: asyncio.Task[None] | None = None
        self._stopping = False

    @property
    def ready(self) -> bool:
        client = self.client
        if client is None or self._stopping or self.interactions.draining:
            return False
        return client.is_ready() and not client.is_closed() and not client.down

    async def start(self) -> None:
        """One attempt: log in, open the gateway and wait until Discord says ready. Raises
        `PlatformRefused` (a refused token) or `PlatformUnreachable`."""
        use_api(self.settings.DISCORD_API_URL)
        quiet = logging.getLogger("discord.shard")
        if not any(isinstance(f, OneLine) for f in quiet.filters):
            quiet.addFilter(OneLine())
        while True:
            client = self._new_client()
            connection: asyncio.Task[None] | None = None
            try:
                await self._login(client)
                connection = asyncio.create_task(client.connect(reconnect=True))
                error = await self._until_ready(client, connection)
            except BaseException:
                await self._close(client, connection, launching=True)
                raise
            if error is None:
                break
            await self._close(client, connection, launching=True)
            if isinstance(error, discord.PrivilegedIntentsRequired) and self.members_intent:
                log.info("the members intent is not enabled: welcomes wait for a first command")
                self.members_intent = False
                continue
            if isinstance(error, discord.ConnectionClosed) and error.code in REFUSED_CLOSE_CODES:
                reason = REFUSED_CLOSE_CODES[error.code]
                raise PlatformRefused(f"Discord closed the gateway: {reason} ({error.code})")
            raise PlatformUnreachable(f"the gateway connection failed ({describe(error)})")
        self.client, self._connection = client, connection
        self.platform.client = client
        log.info(
            "Discord connected: %d shard(s), members intent %s",
            client.shard_count or 1,
            "on" if self.members_intent else "off",
        )

    def _new_client(self) -> RoundsClient:
        count = self.settings.DISCORD_SHARD_COUNT
        return RoundsClient(
            self.interactions,
            members=self.members_intent,
            identify_delay=self.identify_delay,
            shard_count=count,
            shard_ids=shard_ids(self.settings.DISCORD_SHARD_IDS) if count else None,
            guild_ready_timeout=self.guild_ready_timeout,
            http_trace=rate_limit_hook(self.budget, self.settings.DISCORD_API_URL),
        )

    async def _login(self, client: RoundsClient) -> None:
        assert self.settings.DISCORD_TOKEN is not None
        try:
            await client.login(self.settings.DISCORD_TOKEN.get_secret_value())
            if self.settings.DISCORD_SHARD_COUNT:  # a fixed count skips /gateway/bot: ask here
                _, url, _ = await client.http.get_bot_gateway()
                DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        except discord.LoginFailure:
            raise PlatformRefused("Discord refused DISCORD_TOKEN (401 Unauthorized)") from None
        except RateLimited as limited:
            raise PlatformUnreachable(str(limited)) from None
        except discord.HTTPException as error:
            if error.status in (401, 403):
                raise PlatformRefused(f"Discord refused DISCORD_TOKEN ({error.status})") from None
            raise PlatformUnreachable(f"Discord answered {error.status}") from None
        except (aiohttp.ClientError, OSError, TimeoutError) as error:
            raise PlatformUnreachable(type(error).__name__) from None

    async def _until_ready(
        self, client: RoundsClient, connection: asyncio.Task[None]
    ) -> BaseException | None:
        """None once ready; else why the connection ended before it was."""
        ready = asyncio.ensure_future(client.wait_until_ready())
        try:
            await asyncio.wait(
                {ready, connection},
                timeout=self.connect_seconds,
                return_when=asyncio.FIRST_COMPLETED,
            )
        finally:
            ready.cancel()
        if client.is_ready() and not connection.done():
            return None
        if not connection.done():
            return TimeoutError(f"not ready after {self.connect_seconds:g} s")
        error = None if connection.cancelled() else connection.exception()
        return error or ConnectionError("the gateway closed before ready")

    async def run(self) -> None:
        await connect_with_retries(self.start, "Discord", backoff=self.backoff)
        while True:
            connection = self._connection
            assert connection is not None
            await self._watch(connection)
            if self._stopping:
                return
            error = None if connection.cancelled() else connection.exception()
            log.warning("the Discord connection ended (%s); connecting again", describe(error))
            await self._close(self.client, None)
            self.client = self._connection = self.platform.client = None
            await connect_with_retries(
                self.start, "Discord", backoff=self.backoff, tries=self.reconnect_tries
            )

    async def _watch(self, connection: asyncio.Task[None]) -> None:
        """Until the connection ends. discord.py reconnects a dropped shard by itself, forever;
        a shard down for longer than `down_limit` means that is not working: give up."""
        down_since: float | None = None
        while not connection.done():
            # `asyncio.wait` leaves the connection open when the run is cancelled.
            await asyncio.wait({connection}, timeout=WATCH_SECONDS)
            if self.ready or connection.done():
                down_since = None
                continue
            now = time.monotonic()
            down_since = now if down_since is None else down_since
            if now - down_since > self.down_limit:
                raise PlatformDown(f"a shard has been disconnected for over {self.down_limit:g} s")

    async def wait_until_ready(self) -> None:
        assert self.client is not None, "start() first"
        await self.client.wait_until_ready()

    async def drain(self, seconds: float) -> None:
        self.interactions.draining = True
        if not await self.in_flight.settle(seconds):
            log.warning("stopping Discord with %d interaction(s) in hand", self.in_flight.count)

    async def stop(self) -> None:
        await self.drain(DRAIN_SECONDS)
        self._stopping = True
        await self._close(self.client, self._connection)
        self.platform.client = None

    @staticmethod
    async def _close(
        client: RoundsClient | None,
        connection: asyncio.Task[None] | None,
        *,
        launching: bool = False,
    ) -> None:
        if client is not None:
            await client.close()
        if connection is not None:
            # A connected client's `connect` returns once closed; one still launching a shard
            # retries forever (even when closed), so it is cancelled.
            if launching:
                connection.cancel()
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(connection, CLOSE_SECONDS)


async def sync_commands(
    settings: Settings, router: Router, guild_id: int | None = None
) -> list[dict[str, Any]]:
    """Register the generated slash commands, globally or in one guild (instant, for testing)."""
    if settings.DISCORD_TOKEN is None:
        raise ValueError("DISCORD_TOKEN is not set")
    use_api(settings.DISCORD_API_URL)
    schema: Schema = build_schema(router)
    client = discord.Client(intents=intents(members=False))  # REST only: never connects
    async with client:
        await client.login(settings.DISCORD_TOKEN.get_secret_value())
        app_id = client.application_id
        assert app_id is not None
        if guild_id is None:
            result = await client.http.bulk_upsert_global_commands(app_id, schema.payload)
        else:
            result = await client.http.bulk_upsert_guild_commands(app_id, guild_id, schema.payload)
    return [dict(command) for command in result]
