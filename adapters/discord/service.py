"""The Discord service: an `AutoShardedClient` wired to the core, started by the composition root.

No privileged intent is required: the members intent is asked for, and when Discord refuses it
(close code 4014) the client reconnects without it; the welcome then runs at the member's
first command instead of on join. Commands are registered by `rounds discord sync`, never on
start. `DISCORD_API_URL` sets the REST base; the gateway URL comes from `/gateway/bot`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import discord
import yarl
from discord.gateway import DiscordWebSocket
from discord.http import Route

from adapters.discord.components import ActionButton
from adapters.discord.interactions import DEFER_AFTER, Interactions
from adapters.discord.platform import DiscordPlatform
from adapters.discord.schema import Schema, build_schema
from bot.delivery import RateBudget
from bot.router import Router
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.bootstrap import Core

log = logging.getLogger(__name__)

IDENTIFY_DELAY = 5.0  # Discord allows one IDENTIFY per 5 s per bucket
MAX_RATELIMIT_WAIT = 30.0  # longer 429 waits go back to the outbox as `RateLimited`


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
            max_ratelimit_timeout=MAX_RATELIMIT_WAIT,
            chunk_guilds_at_startup=False,
            member_cache_flags=discord.MemberCacheFlags.none(),
            **options,
        )
        self.presses = presses
        self.identify_delay = identify_delay

    async def setup_hook(self) -> None:
        self.add_dynamic_items(ActionButton)

    async def before_identify_hook(self, shard_id: int | None, *, initial: bool = False) -> None:
        if not initial and self.identify_delay:
            await asyncio.sleep(self.identify_delay)

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
    def __init__(
        self,
        core: Core,
        settings: Settings,
        *,
        defer_after: float = DEFER_AFTER,
        identify_delay: float = IDENTIFY_DELAY,
        guild_ready_timeout: float = 2.0,
    ) -> None:
        if settings.DISCORD_TOKEN is None:
            raise ValueError("DISCORD_TOKEN is not set")
        self.core = core
        self.settings = settings
        self.schema = build_schema(core.router)
        self.interactions = Interactions(core.rounds, self.schema, defer_after=defer_after)
        self.platform = DiscordPlatform(self.schema)
        self.identify_delay = identify_delay
        self.guild_ready_timeout = guild_ready_timeout
        self.client: RoundsClient | None = None
        self.members_intent = True
        self._runner: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()

    async def start(self) -> None:
        """Log in (a bad token fails here) and connect in the background."""
        use_api(self.settings.DISCORD_API_URL)
        self.core.add_platform(self.platform, RateBudget(per_second=20, burst=20))
        await self._login(members=True)

    async def _login(self, *, members: bool) -> None:
        assert self.settings.DISCORD_TOKEN is not None
        count = self.settings.DISCORD_SHARD_COUNT
        client = RoundsClient(
            self.interactions,
            members=members,
            identify_delay=self.identify_delay,
            shard_count=count,
            shard_ids=shard_ids(self.settings.DISCORD_SHARD_IDS) if count else None,
            guild_ready_timeout=self.guild_ready_timeout,
        )
        await client.login(self.settings.DISCORD_TOKEN.get_secret_value())
        if count:  # a fixed shard count skips /gateway/bot, so ask it for the gateway here
            _, url, _ = await client.http.get_bot_gateway()
            DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(url)
        self.client = client
        self.platform.client = client
        self.members_intent = members
        self._runner = asyncio.create_task(self._run(client, members))

    async def _run(self, client: RoundsClient, members: bool) -> None:
        ready = asyncio.create_task(client.wait_until_ready())
        try:
            connected = asyncio.create_task(client.connect(reconnect=True))
            await asyncio.wait({ready, connected}, return_when=asyncio.FIRST_COMPLETED)
            if ready.done():
                log.info(
                    "Discord connected: %d shard(s), members intent %s",
                    client.shard_count or 1,
                    "on" if members else "off",
                )
                self._ready.set()
            await connected
        except discord.PrivilegedIntentsRequired:
            if not members:
                raise
            log.info("the members intent is not enabled: welcomes run at a member's first command")
            await client.close()
            await self._login(members=False)
        except Exception:
            log.exception("the Discord connection stopped")
            raise
        finally:
            ready.cancel()

    async def wait_until_ready(self) -> None:
        await self._ready.wait()

    async def stop(self) -> None:
        client, runner = self.client, self._runner
        if client is not None:
            await client.close()
        if runner is not None:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(runner, 10)
        self.core.platforms.pop(self.platform.name, None)


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
