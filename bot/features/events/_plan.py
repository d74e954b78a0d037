"""Everything events send, planned through the outbox: the card (each version edits the post),
the platform's native listing, reminders, and notices to those who answered. Handlers and the
reminder job share these, so a change planned either way is planned the same."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from bot.context import Context, channel_key
from bot.domain import Member
from bot.features.events._render import render_card, render_listing, render_reminder
from bot.features.events._schedule import member_reminders, offsets_of
from bot.features.events.model import (
    EVENTS,
    REMINDED,
    Answer,
    EventsRepo,
    Occurrence,
    Rsvp,
    Series,
)
from bot.localtime import COMMUNITY_ZONE, DEFAULT_ZONE
from bot.messages import ChannelPost, DirectMessage, EventListing, Message
from bot.ports import NewDelivery, Tx

CHANNEL = "events"


def card_key(occurrence_id: int, version: int) -> str:
    return f"event:{occurrence_id}:card:{version}"


def listing_key(occurrence_id: int, sequence: int) -> str:
    return f"event:{occurrence_id}:listing:{sequence}"


def reminder_key(occurrence: Occurrence, offset: int, who: Rsvp | str) -> str:
    """`who` is a member's answer (each answer plans its own reminders, so answering Going
    again after Can't go plans them anew), or `channel` for the one post in the events
    channel."""
    whom = who if isinstance(who, str) else f"{who.member_id}.{who.seq}"
    return f"event:{occurrence.id}:s{occurrence.schedule}:remind:{offset}:{whom}"


def notice_key(occurrence_id: int, what: str, member_id: int) -> str:
    """`what` names the notice and its version: `changed:3`, `cancelled`, `promoted:17`."""
    return f"event:{occurrence_id}:{what}:{member_id}"


@dataclass
class Plan:
    """One transaction's view for planning a space's event messages."""

    tx: Tx
    space_id: int
    now: datetime
    settings: Mapping[str, str]
    native_events: bool = False
    ctx: Context | None = None
    planned: int = 0
    """Deliveries planned (a command's count goes to its context, so they go out at once)."""

    @classmethod
    async def of(cls, ctx: Context) -> Plan:
        return cls(ctx.tx, ctx.space.id, ctx.now, await ctx.settings(), ctx.native_events, ctx)

    async def enqueue(self, deliveries: Sequence[NewDelivery]) -> int:
        new = await self.tx.outbox.enqueue_many(self.space_id, deliveries)
        self.planned += new
        if self.ctx is not None:
            self.ctx.planned += new
        return new

    @property
    def repo(self) -> EventsRepo:
        return self.tx.repo(EVENTS)

    @property
    def channel(self) -> str | None:
        return self.settings.get(channel_key(CHANNEL)) or None

    @property
    def zone(self) -> str:
        return self.settings.get(COMMUNITY_ZONE) or DEFAULT_ZONE

    async def lock(self, occurrence: Occurrence) -> tuple[Occurrence, int]:
        """The occurrence as it is now, locked for this transaction (changes to one
        occurrence — answers, edits, planning — go one at a time), and the next answer's
        place in line."""
        locked = await self.repo.lock(self.space_id, occurrence.id)
        assert locked is not None  # it was there a moment ago, in this space
        return locked

    async def save(self, occurrence: Occurrence) -> Occurrence:
        await self.repo.save_occurrences(self.space_id, [occurrence])
        return occurrence

    async def host(self, occurrence: Occurrence) -> Member | None:
        host_id = occurrence.details.host_id
        if host_id is None:
            return None
        return (await self.tx.members.by_ids(self.space_id, [host_id])).get(host_id)

    async def card(self, occurrence: Occurrence, series: Series | None) -> Message:
        counts = await self.repo.counts(self.space_id, [occurrence.id])
        return render_card(occurrence, series, counts[occurrence.id], await self.host(occurrence))

    async def refresh_card(self, occurrence: Occurrence, series: Series | None) -> Occurrence:
        """Plan the card's next version, which edits the post (or is the first post, at its
        announcement time). Returns the occurrence as saved."""
        where = occurrence.channel_id or self.channel
        if where is None:
            return occurrence
        version = occurrence.card_version + 1
        announce = occurrence.announce_at or self.now
        if occurrence.cancelled and announce > self.now:
            # never announced: take the card back rather than announce a cancellation
            await self.tx.outbox.cancel(self.space_id, card_key(occurrence.id, version - 1))
            return occurrence
        await self.enqueue(
            [
                NewDelivery(
                    dedupe_key=card_key(occurrence.id, version),
                    purpose="event-card",
                    target=ChannelPost(where),
                    message=await self.card(occurrence, series),
                    due_at=max(self.now, announce),
                    replaces=card_key(occurrence.id, version - 1) if version > 1 else None,
                )
            ]
        )
        return await self.save(replace(occurrence, card_version=version, channel_id=where))

    async def list_natively(self, occurrence: Occurrence) -> None:
        """On platforms that list events themselves (Discord), create or update the listing
        (the sequence is bumped by every change, so each change is a new version)."""
        if not self.native_events or occurrence.starts_at <= self.now:
            return
        sequence = occurrence.sequence
        await self.enqueue(
            [
                NewDelivery(
                    dedupe_key=listing_key(occurrence.id, sequence),
                    purpose="event-listing",
                    target=EventListing(),
                    message=Message(occurrence.details.title, listing=render_listing(occurrence)),
                    due_at=max(self.now, occurrence.announce_at or self.now),
                    expires_at=occurrence.starts_at,
                    replaces=listing_key(occurrence.id, sequence - 1) if sequence else None,
                )
            ]
        )

    # -- reminders ---------------------------------------------------------------------------
    async def reminders(
        self, occurrence: Occurrence, only: Sequence[int] | None = None
    ) -> Occurrence:
        """Plan the reminders of everyone who answered Going or Maybe (or of `only` these
        members) and, for the whole occurrence, the one post in the events channel at the
        last offset; then the occurrence counts as planned. Planning again plans nothing twice."""
        if occurrence.cancelled or occurrence.starts_at <= self.now:
            return await self.save(replace(occurrence, reminders_planned_at=self.now))
        offsets = occurrence.reminder_offsets or offsets_of(self.settings)
        rsvps = await self.repo.rsvps(self.space_id, occurrence.id, REMINDED)
        if only is not None:
            rsvps = [r for r in rsvps if r.member_id in only]
        members = await self.tx.members.by_ids(self.space_id, [r.member_id for r in rsvps])
        since = occurrence.scheduled_at or occurrence.starts_at
        planned: list[NewDelivery] = []
        for rsvp in rsvps:
            member = members.get(rsvp.member_id)
            if member is None:
                continue
            for reminder in member_reminders(
                occurrence.starts_at,
                offsets,
                member.profile,
                since=max(since, rsvp.answered_at),
                now=self.now,
                fallback=self.zone,
            ):
                planned.append(
                    NewDelivery(
                        dedupe_key=reminder_key(occurrence, reminder.offset, rsvp),
                        purpose="event-reminder",
                        target=DirectMessage(member.user_id),
                        message=render_reminder(occurrence, rsvp.answer),
                        due_at=reminder.due_at,
                        expires_at=reminder.expires_at,
                        fallback_channel=CHANNEL,
                        quiet=True,
                    )
                )
        where = occurrence.channel_id or self.channel
        last = occurrence.starts_at - timedelta(minutes=min(offsets))
        if only is None and where is not None and last >= since:
            planned.append(
                NewDelivery(
                    dedupe_key=reminder_key(occurrence, min(offsets), "channel"),
                    purpose="event-reminder",
                    target=ChannelPost(where),
                    message=render_reminder(occurrence, None),
                    due_at=max(last, self.now),
                    expires_at=occurrence.starts_at,
                )
            )
        await self.enqueue(planned)
        if only is not None:
            return occurrence
        return await self.save(
            replace(occurrence, reminders_planned_at=self.now, reminder_offsets=offsets)
        )

    async def take_back_reminders(
        self, occurrence: Occurrence, member_ids: Sequence[int] | None = None
    ) -> None:
        """Cancel reminders not sent yet: these members' (who said they can't go; called
        before their new answer is saved), or with None everyone's and the channel's (the time
        changed or the event was cancelled)."""
        if occurrence.reminders_planned_at is None:
            return
        rsvps = await self.repo.rsvps(self.space_id, occurrence.id, REMINDED)
        whom: list[Rsvp | str] = [
            r for r in rsvps if member_ids is None or r.member_id in member_ids
        ]
        if member_ids is None:
            whom.append("channel")
        for who in whom:
            for offset in occurrence.reminder_offsets:
                await self.tx.outbox.cancel(self.space_id, reminder_key(occurrence, offset, who))

    async def plan_if_near(self, occurrence: Occurrence, lead: datetime) -> Occurrence:
        """Plan the reminders now when the reminder job would already have (a new event or
        a new time close enough to it); otherwise the job plans them in time."""
        if occurrence.reminders_planned_at is None and occurrence.starts_at <= lead:
            return await self.reminders(occurrence)
        return occurrence

    # -- notices -----------------------------------------------------------------------------
    async def tell(
        self,
        occurrence: Occurrence,
        answers: tuple[Answer, ...],
        what: str,
        message: Message,
        purpose: str,
    ) -> set[int]:
        """One DM to each member who gave one of `answers` (a change, a cancellation). It
        waits out the member's quiet hours and never expires: someone asleep until after the
        start still learns, when they wake, that the event was cancelled or changed. Returns
        the members told (a series' sessions tell the same member once each)."""
        rsvps = await self.repo.rsvps(self.space_id, occurrence.id, answers)
        members = await self.tx.members.by_ids(self.space_id, [r.member_id for r in rsvps])
        told = [
            NewDelivery(
                dedupe_key=notice_key(occurrence.id, what, member.id),
                purpose=purpose,
                target=DirectMessage(member.user_id),
                message=message,
                due_at=self.now,
                fallback_channel=CHANNEL,
                quiet=True,
            )
            for member in members.values()
        ]
        await self.enqueue(told)
        return set(members)
