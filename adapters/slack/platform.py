"""Proactive output on Slack: the `ChatPlatform` the outbox dispatcher sends through.

A DM is a post to the member's user id; a thread reply carries the parent's `ts`; a file goes
up with `files_upload_v2` next to its message. Every Slack failure becomes one `DeliveryError`
with Slack's error code as the reason, or `RateLimited` with Slack's `Retry-After`. An edit of
a message Slack no longer has says so (`gone`), and the dispatcher posts it anew.

Each call waits for the rate budget first: Slack limits each method per workspace (by tier;
`chat.postMessage` has its own workspace-wide budget) and posts to one channel to one a second.
A 429 pauses the method workspace-wide (Slack doesn't say which limit it was) for its
`Retry-After`, in every process sharing the budget.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

import aiohttp
from slack_sdk.errors import SlackApiError, SlackRequestError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from adapters.slack.render import message_payload
from bot.delivery import RateBudget
from bot.delivery.budget import Rate, Scope
from bot.domain import SpaceKey
from bot.errors import DeliveryError, RateLimited
from bot.messages import Attachment, ChannelPost, DirectMessage, GroupMessage, Message, Target

log = logging.getLogger(__name__)

# Errors that mean "this member can't get a DM from us": the core falls back to a channel.
DM_REFUSED = frozenset(
    {
        "cannot_dm_bot",
        "channel_not_found",
        "is_archived",
        "messages_tab_disabled",
        "not_in_channel",
        "restricted_action",
        "user_disabled",
        "user_not_found",
    }
)
# Errors of chat.update that mean the message was deleted: the dispatcher sends it anew.
MESSAGE_GONE = frozenset({"message_not_found"})
TRANSIENT = frozenset(
    {"internal_error", "fatal_error", "service_unavailable", "request_timeout", "ratelimited"}
)
DEFAULT_RETRY_AFTER = 30.0
POST = "chat.postMessage"
POSTS_PER_MINUTE = 300
"""chat.postMessage's workspace-wide budget: Slack says "several hundred messages a minute";
Rounds starts at the low end and slows down further when Slack answers 429."""
CHANNEL_POSTS_PER_SECOND = 1.0
TIERS = {"chat.update": 50, "conversations.open": 50, "files.upload": 20}
"""Other methods Rounds sends with, and their tier's requests a minute (Tier 3: 50, Tier 2: 20)."""


def scopes(method: str, channel: str | None) -> tuple[Scope, ...]:
    """What a call of `method` (to `channel`) counts against."""
    if method == POST:
        workspace = Scope(POST, Rate(POSTS_PER_MINUTE / 60))
        if not channel:
            return (workspace,)
        per_channel = Scope(f"{POST} {channel}", Rate(CHANNEL_POSTS_PER_SECOND, shared=False))
        return (workspace, per_channel)
    if method in TIERS:
        return (Scope(method, Rate(TIERS[method] / 60)),)
    return (Scope(method),)


def retry_after(headers: Mapping[str, Any] | None) -> float:
    for key, value in (headers or {}).items():
        if key.lower() == "retry-after":
            first = value[0] if isinstance(value, list | tuple) and value else value
            try:
                return max(float(first), 0.0)
            except (TypeError, ValueError):
                break
    return DEFAULT_RETRY_AFTER


def error_code(error: SlackApiError) -> str:
    """Slack's error code (`channel_not_found`), or the HTTP status when the body had none."""
    data = error.response.data
    code = data.get("error") if isinstance(data, dict) else None
    return str(code or f"http_{error.response.status_code}")


def is_rate_limited(error: SlackApiError) -> bool:
    return error.response.status_code == 429 or error_code(error) == "ratelimited"


def delivery_error(error: SlackApiError, *, direct: bool, method: str = "") -> Exception:
    """One Slack failure as the core's `RateLimited` (scoped to the method) or
    `DeliveryError`."""
    response = error.response
    code = error_code(error)
    if is_rate_limited(error):
        return RateLimited(retry_after(response.headers), method)
    if code in MESSAGE_GONE:
        return DeliveryError(f"slack: {code}", permanent=True, gone=True)
    if direct and code in DM_REFUSED:
        return DeliveryError(f"slack: {code}", permanent=True, dm_refused=True)
    if code in TRANSIENT or response.status_code >= 500:
        return DeliveryError(f"slack: {code}", permanent=False)
    return DeliveryError(f"slack: {code}", permanent=True)


def thread_ts(ref: str | None) -> str | None:
    """A thread parent is named by its ref (`channel:ts`); Slack wants the `ts`."""
    if not ref:
        return None
    return ref.rpartition(":")[2] or None


class People(Protocol):
    async def known(self, user_id: str) -> str | None: ...


class SlackPlatform:
    name = "slack"
    group_dms = True  # conversations.open (mpim:write) makes one conversation for a pair

    def __init__(
        self,
        client: AsyncWebClient,
        directory: People | None = None,
        budget: RateBudget | None = None,
    ) -> None:
        self.client = client
        self.directory = directory
        self.budget = budget or RateBudget()

    async def person(self, space: SpaceKey, user_id: str) -> str | None:
        """Someone in the workspace, from `users.info` (cached by the directory)."""
        if self.directory is None:
            return None
        return await self.directory.known(user_id)

    async def send(self, space: SpaceKey, target: Target, message: Message) -> str:
        if isinstance(target, DirectMessage):
            channel, thread = target.user_id, None
        elif isinstance(target, ChannelPost):
            channel, thread = target.channel_id, thread_ts(target.thread_ref)
        else:
            assert isinstance(target, GroupMessage)
            channel, thread = await self.open_group(target.user_ids), None
        direct = isinstance(target, DirectMessage)
        response = await self._call(
            direct,
            POST,
            self.client.chat_postMessage,
            channel=channel,
            thread_ts=thread,
            unfurl_links=False,
            **message_payload(message),
        )
        posted_in, ts = str(response["channel"]), str(response["ts"])
        if message.attachment is not None:
            try:
                await self.upload(posted_in, message.attachment, thread or ts, direct=direct)
            except (DeliveryError, RateLimited) as error:
                # The message is out; sending it again to retry the file would duplicate it.
                log.warning("file for %s:%s was not uploaded: %s", posted_in, ts, error)
        return f"{posted_in}:{ts}"

    async def open_group(self, user_ids: tuple[str, ...]) -> str:
        """The group DM of these members (Slack returns the same one each time)."""
        response = await self._call(
            False,
            "conversations.open",
            self.client.conversations_open,
            users=",".join(user_ids),
            return_im=False,
        )
        return str(response["channel"]["id"])

    async def edit(self, space: SpaceKey, ref: str, message: Message) -> None:
        """Update each message of `ref`; it is `gone` only when none of them is left."""
        refs = ref.split(",")  # a group message sent as several DMs has one ref each
        gone: list[DeliveryError] = []
        for one in refs:
            channel, _, ts = one.partition(":")
            if not channel or not ts:
                raise DeliveryError(f"slack: {one!r} is not a message reference", permanent=True)
            try:
                await self._call(
                    False,
                    "chat.update",
                    self.client.chat_update,
                    channel=channel,
                    ts=ts,
                    **message_payload(message),
                )
            except DeliveryError as error:
                if not error.gone:
                    raise
                gone.append(error)
        if len(gone) == len(refs):
            raise gone[0]

    async def upload(
        self, channel: str, attachment: Attachment, thread: str | None, *, direct: bool = False
    ) -> None:
        await self._call(
            direct,
            "files.upload",
            self.client.files_upload_v2,
            channel=channel,
            file=attachment.data,
            filename=attachment.name,
            title=attachment.name,
            thread_ts=thread,
        )

    async def _call(
        self, direct: bool, name: str, method: Callable[..., Awaitable[Any]], **kwargs: Any
    ) -> Any:
        channel = kwargs.get("channel")
        await self.budget.request(*scopes(name, str(channel) if channel else None))
        try:
            return await method(**kwargs)
        except SlackApiError as error:
            if is_rate_limited(error):
                await self.budget.limited(name, retry_after(error.response.headers))
            raise delivery_error(error, direct=direct, method=name) from None
        except (aiohttp.ClientError, SlackRequestError, TimeoutError) as error:
            raise DeliveryError(f"slack: {type(error).__name__}", permanent=False) from None


class HonourRetryAfter(AsyncRetryHandler):
    """On a 429, wait exactly what Slack's `Retry-After` asks, then send the request again.

    Used by the client that answers members (modals, replies), where the answer must not be
    lost. The outbox's client has no such handler: the dispatcher reschedules instead.
    """

    def __init__(
        self,
        max_retry_count: int = 2,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.sleep = sleep

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        wait = retry_after(response.headers if response is not None else None)
        log.warning("Slack rate limit on a reply; waiting %.1fs as asked", wait)
        state.next_attempt_requested = True
        await self.sleep(wait)
        state.increment_current_attempt()
