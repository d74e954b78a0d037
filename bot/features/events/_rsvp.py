"""RSVPs: Going / Maybe / Can't go, instant and idempotent. With a capacity, extra "Going"
answers wait in line, and a freed seat goes to the first in line, who is told by DM."""

from __future__ import annotations

from datetime import timedelta

from bot.context import Context
from bot.domain import Member
from bot.features.events._plan import Plan, notice_key
from bot.features.events._render import answer_text, render_promoted
from bot.features.events._schedule import offsets_of
from bot.features.events.model import EVENTS, REMINDED, Answer, Occurrence
from bot.messages import DirectMessage, literal, moment
from bot.ports import NewDelivery
from bot.text import listed

CHOICES = {Answer.GOING, Answer.MAYBE, Answer.NO}
GONE = "That event isn't here any more. See what's coming up with `/rounds events`."


async def rsvp(ctx: Context, value: str) -> None:
    """A press of Going, Maybe or Can't go (value `occurrence id:answer`)."""
    number, _, word = value.partition(":")
    if not number.isdigit() or word not in {a.value for a in CHOICES}:
        ctx.reply(GONE)
        return
    # locked first: one answer to this occurrence at a time (the last seat goes once)
    locked = await ctx.tx.repo(EVENTS).lock(ctx.space.id, int(number))
    if locked is None:
        ctx.reply(GONE)
        return
    occurrence, seq = locked
    await answer(ctx, occurrence, seq, Answer(word))


LEFT_LOOKAHEAD = 1000
"""How many upcoming events a member who left is looked for in."""


async def answer(ctx: Context, occurrence: Occurrence, seq: int, wanted: Answer) -> None:
    """The member's answer to a locked occurrence (`seq`: its place in line)."""
    plan = await Plan.of(ctx)
    title = literal(occurrence.details.title)
    if occurrence.cancelled:
        ctx.reply(f"**{title}** (event {occurrence.number}) was cancelled. See `/rounds events`.")
        return
    if occurrence.starts_at <= ctx.now:
        ctx.reply(f"**{title}** has already started, so answers are closed.")
        return
    repo = plan.repo
    current = await repo.rsvp(ctx.space.id, occurrence.id, ctx.member.id)
    before = current.answer if current else None
    if before == wanted or (wanted is Answer.GOING and before is Answer.WAITLIST):
        already = (
            "on the waitlist" if before is Answer.WAITLIST else f"down as {answer_text(before)}"
        )
        ctx.reply(f"You're already {already} for **{title}**. Nothing changed.")
        return
    given = wanted
    if wanted is Answer.GOING and occurrence.details.capacity is not None:
        counts = await repo.counts(ctx.space.id, [occurrence.id])
        if counts[occurrence.id].get(Answer.GOING, 0) >= occurrence.details.capacity:
            given = Answer.WAITLIST
    if before in REMINDED and given not in REMINDED:
        await plan.take_back_reminders(occurrence, [ctx.member.id])
    await repo.set_rsvp(ctx.space.id, occurrence.id, ctx.member.id, given, seq, ctx.now)
    planned = occurrence.reminders_planned_at is not None
    if planned and given in REMINDED and before not in REMINDED:
        await plan.reminders(occurrence, only=[ctx.member.id])
    if before is Answer.GOING:
        await promote(plan, occurrence)
    series = await repo.series(ctx.space.id, occurrence.series_id)
    await plan.refresh_card(occurrence, series)
    ctx.reply(await confirmation(ctx, occurrence, given))


async def confirmation(ctx: Context, occurrence: Occurrence, given: Answer) -> str:
    title, when = literal(occurrence.details.title), moment(occurrence.starts_at)
    if given is Answer.WAITLIST:
        waiting = await ctx.tx.repo(EVENTS).rsvps(ctx.space.id, occurrence.id, (Answer.WAITLIST,))
        place = next(i for i, r in enumerate(waiting, 1) if r.member_id == ctx.member.id)
        return (
            f"**{title}** is full, so you're on the waitlist (number {place} in line). "
            "If a seat frees up, it's yours and we'll DM you."
        )
    if given is Answer.NO:
        return f"Thanks for letting us know: you're not going to **{title}**."
    offsets = occurrence.reminder_offsets or offsets_of(await ctx.settings())
    ahead = [m for m in offsets if occurrence.starts_at - timedelta(minutes=m) > ctx.now]
    what = "going ✓" if given is Answer.GOING else "a maybe"
    text = f"You're {what} for **{title}**, {when}."
    if ahead:
        lengths = listed([f"{m // 60} h" if m % 60 == 0 else f"{m} min" for m in ahead])
        text += f" We'll remind you {lengths} before."
    return text + f" Add it to your calendar: `/rounds event ics {occurrence.number}`"


async def promote(plan: Plan, occurrence: Occurrence) -> list[Member]:
    """Give free seats to the waitlist, first in line first, each told by DM."""
    capacity = occurrence.details.capacity
    if capacity is None:
        return []
    repo = plan.repo
    counts = await repo.counts(plan.space_id, [occurrence.id])
    free = capacity - counts[occurrence.id].get(Answer.GOING, 0)
    if free <= 0:
        return []
    waiting = (await repo.rsvps(plan.space_id, occurrence.id, (Answer.WAITLIST,)))[:free]
    members = await plan.tx.members.by_ids(plan.space_id, [r.member_id for r in waiting])
    promoted = []
    for place in waiting:
        member = members.get(place.member_id)
        if member is None:
            continue
        # answered now, as far as reminders go: none for moments that passed while waiting
        await repo.set_rsvp(
            plan.space_id, occurrence.id, member.id, Answer.GOING, place.seq, plan.now
        )
        await plan.enqueue(
            [
                NewDelivery(
                    dedupe_key=notice_key(occurrence.id, f"promoted:{place.seq}", member.id),
                    purpose="event-promoted",
                    target=DirectMessage(member.user_id),
                    message=render_promoted(occurrence),
                    due_at=plan.now,
                    expires_at=occurrence.starts_at,
                    fallback_channel="events",
                    quiet=True,  # someone else's answer must not wake them
                )
            ]
        )
        promoted.append(member)
    if promoted and occurrence.reminders_planned_at is not None:
        await plan.reminders(occurrence, only=[m.id for m in promoted])
    return promoted


async def member_left(ctx: Context) -> None:
    """A member who left the community gives up their answers to events not started: their
    reminders are taken back, a seat they held goes to the waitlist, and the cards count
    them no more."""
    plan = await Plan.of(ctx)
    repo = plan.repo
    upcoming = [
        o
        for o in await repo.upcoming(ctx.space.id, ctx.now, LEFT_LOOKAHEAD)
        if o.starts_at > ctx.now
    ]
    mine = await repo.answers_of(ctx.space.id, ctx.member.id, [o.id for o in upcoming])
    for occurrence in upcoming:
        before = mine.get(occurrence.id)
        if before is None or before is Answer.NO:
            continue
        occurrence, seq = await plan.lock(occurrence)
        if before in REMINDED:
            await plan.take_back_reminders(occurrence, [ctx.member.id])
        await repo.set_rsvp(ctx.space.id, occurrence.id, ctx.member.id, Answer.NO, seq, ctx.now)
        if before is Answer.GOING:
            await promote(plan, occurrence)
        await plan.refresh_card(occurrence, await repo.series(ctx.space.id, occurrence.series_id))
