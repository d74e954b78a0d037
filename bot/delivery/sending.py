"""One claimed delivery onto its platform (ARCHITECTURE.md §4): expired and quiet-hours rows
are answered without a send; replies go under the post they answer, replacements edit the post
of the version before, event listings go to the platform's own list, group messages become one
DM each where a platform has no group DMs; a refused DM falls back to a mention in the
programme's channel; a 429 pauses what it limits for every process sharing the budget. The
dispatcher decides when; this decides how, and what to record."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.context import channel_key
from bot.delivery.budget import PLATFORM, RateBudget
from bot.delivery.quiet import Audience, quiet_until
from bot.errors import DeliveryError, NotReady, RateLimited
from bot.messages import (
    ChannelPost,
    DirectMessage,
    EventListing,
    GroupMessage,
    Message,
    mention,
)
from bot.outbox import Delivery, DeliveryResult, Expired, Failed, Retry, Sent
from bot.ports import ChatPlatform, NativeEvents, Store

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
BASE_BACKOFF = timedelta(seconds=30)
MAX_BACKOFF = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, 4 min … capped at an hour."""
    return min(BASE_BACKOFF * (1 << min(max(attempts - 1, 0), 16)), MAX_BACKOFF)


class Sender:
    def __init__(
        self,
        store: Store,
        platforms: Mapping[str, ChatPlatform],
        clock: Clock,
        budget: Callable[[str], RateBudget],
        not_ready: dict[str, datetime],
        unconnected_wait: timedelta,
    ) -> None:
        self.store = store
        self.platforms = platforms
        self.clock = clock
        self.budget = budget
        self.not_ready = not_ready
        """Platforms still connecting, and when to try them again (the dispatcher's, shared)."""
        self.unconnected_wait = unconnected_wait

    async def send(self, delivery: Delivery, now: datetime, audience: Audience) -> DeliveryResult:
        """Send one claimed delivery (or say why not now); the result to record."""
        if delivery.expires_at is not None and delivery.expires_at <= now:
            log.info(
                "delivery %s (%s) expired before it could be sent", delivery.id, delivery.purpose
            )
            return Expired(delivery.id)
        platform = self.platforms.get(delivery.space.key.platform)
        if platform is None:
            return Retry(delivery.id, now + self.unconnected_wait, "platform not connected", False)
        wait = quiet_until(delivery, audience, now)
        if wait is not None:
            if delivery.expires_at is not None and wait >= delivery.expires_at:
                # it could only go out after its expiry: say so now rather than hold it
                return Expired(delivery.id, f"quiet hours until {wait:%Y-%m-%d %H:%M} UTC")
            return Retry(delivery.id, wait, "quiet hours", count_attempt=False)
        try:
            return await self._deliver(platform, delivery, now)
        except RateLimited as limited:
            return await self._rate_limited(delivery, platform.name, limited)
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

    async def _deliver(
        self, platform: ChatPlatform, delivery: Delivery, now: datetime
    ) -> DeliveryResult:
        space, target, message = delivery.space.key, delivery.target, delivery.message
        budget = self.budget(platform.name)
        if delivery.thread_of and isinstance(target, ChannelPost):
            parent, waiting = await self.store.deliveries.post_of(
                delivery.space.id, delivery.thread_of
            )
            if parent is not None:
                target = replace(target, thread_ref=parent)
            elif waiting and delivery.attempts < MAX_ATTEMPTS:
                return self._retry(delivery, now, "waiting for the post it replies under")
            # else the post it replies under never went out: this one goes to the top level
        if isinstance(target, EventListing):
            return await self._list(platform, delivery)
        if delivery.replaces:
            ref = await self.store.deliveries.sent_ref(delivery.space.id, delivery.replaces)
            if ref:
                try:
                    await budget.acquire()
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
                await budget.acquire()
                return Sent(delivery.id, await platform.send(space, target, message))
            except DeliveryError as error:
                if not error.permanent:
                    raise
                log.warning("group message %s refused (%s); one DM each", delivery.id, error.reason)
                return await self._each(platform, delivery, target)
        await budget.acquire()
        return Sent(delivery.id, await platform.send(space, target, message))

    async def _list(self, platform: ChatPlatform, delivery: Delivery) -> DeliveryResult:
        """A community event in the platform's own event list: created, or updated where an
        earlier version was listed (listed anew when a moderator deleted that one)."""
        listing = delivery.message.listing
        if not isinstance(platform, NativeEvents) or listing is None:
            return Failed(delivery.id, f"{platform.name} has no native event listings")
        ref = None
        if delivery.replaces:
            ref = await self.store.deliveries.sent_ref(delivery.space.id, delivery.replaces)
        if ref is None and listing.cancelled:
            return Sent(delivery.id, "", note="never listed: nothing to cancel")
        await self.budget(platform.name).acquire()
        try:
            return Sent(delivery.id, await platform.publish_event(delivery.space.key, listing, ref))
        except DeliveryError as error:
            if not (error.gone and ref):
                raise
            if listing.cancelled:
                return Sent(delivery.id, ref, note=f"already gone: {error.reason}")
            log.info("listing %s was deleted on the platform; listing it anew", ref)
            await self.budget(platform.name).acquire()
            return Sent(
                delivery.id, await platform.publish_event(delivery.space.key, listing, None)
            )

    async def _each(
        self, platform: ChatPlatform, delivery: Delivery, group: GroupMessage
    ) -> DeliveryResult:
        """A group message on a platform without group DMs: one DM to each member."""
        refs, refused = [], []
        budget = self.budget(platform.name)
        for index, user_id in enumerate(group.user_ids):
            rest = GroupMessage(group.user_ids[index:])
            try:
                await budget.acquire()
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
                # some members got their DM: retry only the others, so nobody gets it twice
                due = self.clock.now() + backoff(delivery.attempts)
                return Retry(delivery.id, due, f"{error.reason} (part sent)", True, rest)
            except RateLimited as limited:
                if not refs:
                    raise
                return await self._rate_limited(delivery, platform.name, limited, rest)
        if not refs:
            return Failed(delivery.id, "; ".join(refused))
        return Sent(delivery.id, ",".join(refs), note="; ".join(refused))

    async def _rate_limited(
        self,
        delivery: Delivery,
        platform: str,
        limited: RateLimited,
        rest: GroupMessage | None = None,
    ) -> DeliveryResult:
        """Pause what is limited (the whole platform, or one scope of it) for everyone sharing
        the budget, and try this delivery after it."""
        seconds = max(limited.retry_after, 0.05 if limited.scope != PLATFORM else 1.0)
        resumes = self.clock.now() + timedelta(seconds=seconds)
        if isinstance(limited, NotReady):
            self.not_ready[platform] = resumes
        else:
            await self.budget(platform).pause(resumes, limited.scope)
        log.info(
            "rate limited on %s %s for %.1fs (delivery %s)",
            platform,
            limited.scope or "(all)",
            limited.retry_after,
            delivery.id,
        )
        reason = "rate limited (part sent)" if rest is not None else "rate limited"
        return Retry(delivery.id, resumes, reason, count_attempt=False, target=rest)

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
            await self.budget(platform.name).acquire()
            ref = await platform.send(delivery.space.key, ChannelPost(channel), message)
        except RateLimited as limited:
            return await self._rate_limited(delivery, platform.name, limited)
        except DeliveryError as second:
            reason = f"{error.reason}; fallback failed: {second.reason}"
            if second.permanent:
                return Failed(delivery.id, reason)
            return self._retry(delivery, self.clock.now(), reason)
        return Sent(delivery.id, ref, note=f"fallback to channel {channel}: {error.reason}")
