"""Proactive output on Discord (the core's `ChatPlatform`): DMs, channel posts, threads, edits,
and community events listed as the server's Scheduled Events (the `NativeEvents` capability).

A post's reference is `channel_id:message_id`. A thread under an earlier post has the post's
id as its channel id, so a thread reply goes there, opening the thread on first use. Every
Discord failure becomes one `DeliveryError` with a reason, or `RateLimited`.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Literal

import aiohttp
import discord

from adapters.discord.render import render
from adapters.discord.schema import Schema
from bot.domain import SpaceKey
from bot.errors import DeliveryError, NotReady, RateLimited
from bot.messages import ChannelPost, DirectMessage, Listing, Message, Target

log = logging.getLogger(__name__)

DMS_CLOSED = 50007
UNKNOWN_CHANNEL = 10003
GUILD_ONLY = 2  # a scheduled event's privacy level: visible to the server's members
EXTERNAL = 3  # an event somewhere else (a web link), not in a voice or stage channel
COMPLETED, CANCELED = 3, 4
MAX_EVENT_NAME, MAX_EVENT_LOCATION, MAX_EVENT_DESCRIPTION = 100, 100, 1000
THREAD_NAME = 100
THREAD_ARCHIVE_MINUTES: Literal[10080] = 10080


def delivery_error(error: Exception) -> Exception:
    """Any failure of a Discord call as the core's `DeliveryError` (or `RateLimited`)."""
    if isinstance(error, discord.RateLimited):
        return RateLimited(error.retry_after)
    if isinstance(error, discord.HTTPException):
        reason = f"discord {error.status} code {error.code}"
        if error.code == DMS_CLOSED:
            return DeliveryError(
                f"{reason}: member's DMs are closed", permanent=True, dm_refused=True
            )
        if error.status == 429:
            return RateLimited(float(error.response.headers.get("Retry-After", "1") or 1))
        return DeliveryError(reason, permanent=error.status < 500)
    if isinstance(error, aiohttp.ClientError | asyncio.TimeoutError | OSError):
        return DeliveryError(f"network: {type(error).__name__}", permanent=False)
    if isinstance(error, ValueError):
        return DeliveryError(f"cannot render for Discord: {error}", permanent=True)
    return error


def snowflake(value: str, what: str) -> int:
    if not value.isdigit():
        raise DeliveryError(f"{what} {value!r} is not a Discord id", permanent=True)
    return int(value)


def thread_name(text: str) -> str:
    """A thread is named after the first line of the post it hangs under."""
    first = text.strip().split("\n", 1)[0].replace("*", "").replace("_", "").strip()
    return (first or "Replies")[:THREAD_NAME]


class DiscordPlatform:
    name = "discord"
    group_dms = False  # bots cannot open group DMs: the dispatcher DMs each member

    def __init__(self, schema: Schema, client: discord.Client | None = None) -> None:
        self.schema = schema
        self.client = client

    def _client(self) -> discord.Client:
        if self.client is None:
            raise NotReady("Discord is not connected yet")
        return self.client

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        try:
            if isinstance(target, DirectMessage):
                user = discord.Object(snowflake(target.user_id, "user"))
                channel: discord.abc.Messageable = await self._client().create_dm(user)
            elif isinstance(target, ChannelPost) and target.thread_ref:
                return await self._thread_reply(space, target, message)
            elif isinstance(target, ChannelPost):
                channel_id = snowflake(target.channel_id, "channel")
                channel = self._client().get_partial_messageable(channel_id)
            else:
                raise DeliveryError("Discord bots cannot open group DMs", permanent=True)
            sent = await channel.send(**render(message, space.external_id, self.schema).kwargs())
        except (DeliveryError, RateLimited):
            raise
        except Exception as error:
            raise delivery_error(error) from error
        return f"{sent.channel.id}:{sent.id}"

    async def _thread_reply(self, space: SpaceKey, target: ChannelPost, message: Message) -> str:
        assert target.thread_ref is not None
        parent, _, post = target.thread_ref.rpartition(":")
        thread_id = snowflake(post, "post")
        client = self._client()
        kwargs = render(message, space.external_id, self.schema).kwargs()
        try:
            sent = await client.get_partial_messageable(thread_id).send(**kwargs)
        except discord.NotFound as error:
            if error.code != UNKNOWN_CHANNEL:
                raise
            channel_id = snowflake(parent or target.channel_id, "channel")
            starter = await client.http.get_message(channel_id, thread_id)
            await client.http.start_thread_with_message(
                channel_id,
                thread_id,
                name=thread_name(starter.get("content") or message.text),
                auto_archive_duration=THREAD_ARCHIVE_MINUTES,
            )
            kwargs = render(message, space.external_id, self.schema).kwargs()
            sent = await client.get_partial_messageable(thread_id).send(**kwargs)
        return f"{sent.channel.id}:{sent.id}"

    async def edit(self, space: SpaceKey, ref: str, message: Message) -> None:
        channel_id, _, message_id = ref.partition(":")
        try:
            channel = self._client().get_partial_messageable(snowflake(channel_id, "channel"))
            post = channel.get_partial_message(snowflake(message_id, "post"))
            await post.edit(**render(message, space.external_id, self.schema).kwargs(edit=True))
        except (DeliveryError, RateLimited):
            raise
        except Exception as error:
            raise delivery_error(error) from error

    async def publish_event(self, space: SpaceKey, listing: Listing, ref: str | None) -> str:
        """The listing as one of the server's Scheduled Events (needs Manage Events): created,
        updated in place, or cancelled. Its reference is the scheduled event's id."""
        guild = snowflake(space.external_id, "guild")
        try:
            http = self._client().http
            if ref is None:
                created = await http.create_guild_scheduled_event(guild, **scheduled(listing))
                return str(created["id"])
            event_id = snowflake(ref, "scheduled event")
            if listing.cancelled:
                await cancel_scheduled(http, guild, event_id)
            else:
                await http.edit_scheduled_event(guild, event_id, **scheduled(listing))
            return ref
        except discord.NotFound as error:
            raise DeliveryError(
                f"discord 404 code {error.code}: no such scheduled event", permanent=True, gone=True
            ) from error
        except (DeliveryError, RateLimited):
            raise
        except Exception as error:
            raise delivery_error(error) from error

    async def person(self, space: SpaceKey, user_id: str) -> str | None:
        """A member of the guild, asked of Discord (only for someone Rounds has not met)."""
        if not (user_id.isdigit() and space.external_id.isdigit()):
            return None
        try:
            found = await self._client().http.get_member(int(space.external_id), int(user_id))
        except discord.NotFound:
            return None
        except (
            discord.HTTPException,
            DeliveryError,
            RateLimited,
            aiohttp.ClientError,
            OSError,
        ) as error:
            log.warning("member look-up failed in guild %s: %s", space.external_id, error)
            return user_id  # taken on trust: a mention picked from Discord's own list
        user = found.get("user") or {}
        name = found.get("nick") or user.get("global_name") or user.get("username")
        return str(name or user_id)


async def cancel_scheduled(http: discord.http.HTTPClient, guild: int, event_id: int) -> None:
    """Take a scheduled event down: cancelled while it is still to come; one already under
    way (a moderator started it, or Discord did at its time) can only be ended, so it is ended
    now; one that is over already stays as it is."""
    for status in (CANCELED, COMPLETED):
        try:
            await http.edit_scheduled_event(guild, event_id, status=status)
            return
        except discord.NotFound:
            raise
        except discord.HTTPException as error:
            if error.status != 400:  # 400: not a change this event can take any more
                raise


def scheduled(listing: Listing) -> dict[str, Any]:
    """A listing as Discord's scheduled-event fields (plain text, within its limits)."""
    return {
        "name": listing.name[:MAX_EVENT_NAME],
        "privacy_level": GUILD_ONLY,
        "entity_type": EXTERNAL,
        "entity_metadata": {"location": listing.location[:MAX_EVENT_LOCATION]},
        "scheduled_start_time": listing.starts_at.isoformat(),
        "scheduled_end_time": listing.ends_at.isoformat(),
        "description": listing.description[:MAX_EVENT_DESCRIPTION],
    }
