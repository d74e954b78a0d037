"""The dispatcher: sends due outbox rows exactly as ARCHITECTURE.md §4 asks.

Claims are atomic with a lease, so several dispatchers (or processes) send each row once.
Overdue rows go out late rather than never; rows past `expires_at` are marked expired.
Transient failures retry with backoff, permanent refusals do not, a 429's `Retry-After` pauses
that platform, and a refused DM falls back to a mention in the programme's channel. A
replacement edits the earlier post, or posts anew when that post is gone.
No network call happens inside a database transaction: claim, send, then record.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.context import channel_key
from bot.errors import DeliveryError, RateLimited
from bot.messages import ChannelPost, DirectMessage, GroupMessage, Message, mention
from bot.ports import (
    ChatPlatform,
    Delivery,
    DeliveryResult,
    Expired,
    Failed,
    Retry,
    Sent,
    Store,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)
LEASE = timedelta(minutes=5)
BATCH_SECONDS = LEASE.total_seconds() / 2  # a batch never outlives its claim


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at an hour."""
    return min(BASE_BACKOFF * (1 << min(max(attempts - 1, 0), 16)), MAX_BACKOFF)


@dataclass
class RateBudget:
    """A token bucket per platform, in real (monotonic) time: sends wait for a token."""

    per_second: float
    burst: int = 10
    _tokens: float = field(init=False)
    _stamp: float = field(init=False, default_factory=time.monotonic)

    def __post_init__(self) -> None:
        self._tokens = float(self.burst)

    async def acquire(self) -> None:
        while True:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.per_second)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                return
            await asyncio.sleep((1 - self._tokens) / self.per_second)


class Dispatcher:
    def __init__(
        self,
        store: Store,
        platforms: Mapping[str, ChatPlatform],
        clock: Clock,
        *,
        worker: str = "worker-1",
        batch: int = 100,
        budgets: Mapping[str, RateBudget] | None = None,
    ) -> None:
        self.store = store
        self.platforms = platforms
        self.clock = clock
        self.worker = worker
        self.batch = batch
        self.budgets = dict(budgets or {})
        self._lock = asyncio.Lock()

    async def run_due(self) -> int:
        """Send everything due now; returns how many deliveries were sent."""
        async with self._lock:
            sent = 0
            while True:
                now = self.clock.now()
                claimed = await self.store.deliveries.claim_due(
                    now, self.worker, self.batch, now + LEASE, platforms=list(self.platforms)
                )
                if not claimed:
                    return sent
                results = await self._send_all(claimed, now)
                await self.store.deliveries.record(results, self.clock.now(), worker=self.worker)
                sent += sum(isinstance(r, Sent) for r in results)
                if len(claimed) < self.batch:
                    return sent

    async def _send_all(self, claimed: list[Delivery], now: datetime) -> list[DeliveryResult]:
        results: list[DeliveryResult] = []
        paused: dict[str, datetime] = {}
        settled: dict[tuple[int, str], str | None] = {}
        """Deliveries settled earlier in this batch (not recorded yet): their ref when sent,
        None when they failed or expired. Edits and thread replies look here first."""
        started = time.monotonic()
        for delivery in claimed:
            if time.monotonic() - started > BATCH_SECONDS:
                # slow sends: give the rest of the claim back well before its lease ends
                results.append(Retry(delivery.id, now, "released unsent", count_attempt=False))
                continue
            platform_name = delivery.space.key.platform
            if platform_name in paused:
                results.append(
                    Retry(delivery.id, paused[platform_name], "waiting on rate limit", False)
                )
                continue
            result = await self._send_one(delivery, now, settled)
            if isinstance(result, Retry) and not result.count_attempt:
                paused[platform_name] = result.due_at
            if not isinstance(result, Retry):
                ref = result.ref if isinstance(result, Sent) else None
                settled[(delivery.space.id, delivery.dedupe_key)] = ref
            results.append(result)
        return results

    async def _send_one(
        self, delivery: Delivery, now: datetime, settled: Mapping[tuple[int, str], str | None]
    ) -> DeliveryResult:
        if delivery.expires_at is not None and delivery.expires_at <= now:
            log.info(
                "delivery %s (%s) expired before it could be sent", delivery.id, delivery.purpose
            )
            return Expired(delivery.id)
        platform = self.platforms.get(delivery.space.key.platform)
        if platform is None:
            return Retry(delivery.id, now + LEASE, "platform not connected", count_attempt=False)
        budget = self.budgets.get(platform.name)
        try:
            if budget is not None:
                await budget.acquire()
            return await self._deliver(platform, delivery, now, settled)
        except RateLimited as limited:
            log.warning("rate limited on %s for %.1fs", platform.name, limited.retry_after)
            wait = timedelta(seconds=max(limited.retry_after, 1.0))
            return Retry(delivery.id, now + wait, "rate limited", count_attempt=False)
        except DeliveryError as error:
            if error.dm_refused:
                return await self._fall_back(platform, delivery, error)
            if error.permanent:
                log.warning("delivery %s refused: %s", delivery.id, error.reason)
                return Failed(delivery.id, error.reason)
            return self._retry(delivery, now, error.reason)
        except Exception as error:  # an unexpected platform failure is treated as transient
            log.exception("delivery %s failed unexpectedly", delivery.id)
            return self._retry(delivery, now, type(error).__name__)

    async def _ref(
        self, delivery: Delivery, key: str, settled: Mapping[tuple[int, str], str | None]
    ) -> str | None:
        """The platform reference of the earlier delivery `key` once it was sent."""
        if (delivery.space.id, key) in settled:
            return settled[(delivery.space.id, key)]
        return await self.store.deliveries.sent_ref(delivery.space.id, key)

    async def _deliver(
        self,
        platform: ChatPlatform,
        delivery: Delivery,
        now: datetime,
        settled: Mapping[tuple[int, str], str | None],
    ) -> DeliveryResult:
        space, target, message = delivery.space.key, delivery.target, delivery.message
        if delivery.thread_of and isinstance(target, ChannelPost):
            parent = await self._ref(delivery, delivery.thread_of, settled)
            if parent is not None:
                target = replace(target, thread_ref=parent)
            elif (
                (delivery.space.id, delivery.thread_of) not in settled
                and delivery.attempts < MAX_ATTEMPTS
                and await self.store.deliveries.status(delivery.space.id, delivery.thread_of)
                in ("pending", "claimed")
            ):
                return self._retry(delivery, now, "waiting for the post it replies under")
            # else the post it replies under never went out: this one goes to the top level
        if delivery.replaces:
            ref = await self._ref(delivery, delivery.replaces, settled)
            if ref:
                try:
                    await platform.edit(space, ref, message)
                    return Sent(delivery.id, ref, note=f"edited {delivery.replaces}")
                except DeliveryError as error:
                    if not error.permanent:
                        raise
                    # the earlier post is gone (deleted by a moderator) or out of reach: post anew
                    log.info(
                        "delivery %s cannot edit %s (%s); sending it as a new post",
                        delivery.id,
                        delivery.replaces,
                        error.reason,
                    )
        if isinstance(target, GroupMessage):
            if not platform.group_dms:
                return await self._each(platform, delivery, target)
            try:
                return Sent(delivery.id, await platform.send(space, target, message))
            except DeliveryError as error:
                if not error.permanent:
                    raise
                log.warning("group message %s refused (%s); one DM each", delivery.id, error.reason)
                return await self._each(platform, delivery, target)
        return Sent(delivery.id, await platform.send(space, target, message))

    async def _each(
        self, platform: ChatPlatform, delivery: Delivery, group: GroupMessage
    ) -> DeliveryResult:
        """A group message on a platform without group DMs: one DM to each member."""
        refs, refused = [], []
        for index, user_id in enumerate(group.user_ids):
            try:
                refs.append(
                    await platform.send(
                        delivery.space.key, DirectMessage(user_id), delivery.message
                    )
                )
            except DeliveryError as error:
                if error.permanent:
                    refused.append(f"{user_id}: {error.reason}")
                    continue
                if not refs:
                    raise
                return self._rest_later(delivery, group.user_ids[index:], error.reason, None)
            except RateLimited as limited:
                if not refs:
                    raise
                return self._rest_later(
                    delivery, group.user_ids[index:], "rate limited", limited.retry_after
                )
        if not refs:
            return Failed(delivery.id, "; ".join(refused))
        return Sent(delivery.id, ",".join(refs), note="; ".join(refused))

    def _rest_later(
        self,
        delivery: Delivery,
        rest: tuple[str, ...],
        reason: str,
        retry_after: float | None,
    ) -> DeliveryResult:
        """Some members got their DM: retry only the others, so nobody gets it twice."""
        now = self.clock.now()
        due = now + (timedelta(seconds=retry_after) if retry_after else backoff(delivery.attempts))
        return Retry(
            delivery.id, due, f"{reason} (part sent)", retry_after is None, GroupMessage(rest)
        )

    def _retry(self, delivery: Delivery, now: datetime, reason: str) -> DeliveryResult:
        if delivery.attempts >= MAX_ATTEMPTS:
            return Failed(delivery.id, f"gave up after {delivery.attempts} attempts: {reason}")
        return Retry(delivery.id, now + backoff(delivery.attempts), reason)

    async def _fall_back(
        self, platform: ChatPlatform, delivery: Delivery, error: DeliveryError
    ) -> DeliveryResult:
        if not isinstance(delivery.target, DirectMessage) or not delivery.fallback_channel:
            return Failed(delivery.id, error.reason)
        async with self.store.transaction() as tx:
            settings = await tx.settings.all(delivery.space.id)
        channel = settings.get(channel_key(delivery.fallback_channel))
        if not channel:
            return Failed(delivery.id, f"{error.reason}; no {delivery.fallback_channel} channel")
        note = (
            f"{mention(delivery.target.user_id)} I couldn't send you a direct message, "
            "so here it is. (You can allow DMs from Rounds in your settings.)\n\n"
        )
        message: Message = replace(delivery.message, text=note + delivery.message.text)
        try:
            ref = await platform.send(delivery.space.key, ChannelPost(channel), message)
        except (DeliveryError, RateLimited) as second:
            return Failed(delivery.id, f"{error.reason}; fallback failed: {second}")
        return Sent(delivery.id, ref, note=f"fallback to channel {channel}: {error.reason}")
