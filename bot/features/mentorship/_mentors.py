"""Mentors' time: a break (`mentor pause [until=…]`, `mentor resume`), capacity, and what
happens when a member leaves the community (their pairs end kindly, requests re-open)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from bot.context import Context
from bot.domain import Member
from bot.errors import UserError
from bot.features.mentorship._flows import (
    Scope,
    cancel_nudges,
    end,
    next_choice,
    reopen,
    request_for,
    scope_of,
)
from bot.features.mentorship._render import render_ended, render_partner_gone
from bot.features.mentorship._schedule import (
    mentor_note_key,
    pair_note_key,
    pause_until_check,
    proposal_key,
    waiting,
)
from bot.features.mentorship.model import (
    COMMITTED,
    CURRENT,
    Mentor,
    PairStatus,
    RequestStatus,
)
from bot.messages import mention, moment
from bot.router import TOP

NOT_A_MENTOR = (
    'You\'re not a mentor yet. Offer with `/rounds mentor offer capacity=2 areas="…"` '
    "(or `mentor=yes` in your profile)."
)


async def as_mentor(ctx: Context, scope: Scope) -> Mentor:
    """The member's mentor row (made with the defaults for a `mentor=yes` profile)."""
    found = await scope.repo.mentor(ctx.space.id, ctx.member.id)
    if not ctx.member.profile.open_to_mentor and (found is None or found.left_at is not None):
        raise UserError(NOT_A_MENTOR)
    if found is None:
        found = await scope.repo.save_mentor(ctx.space.id, ctx.member.id, ctx.now)
    return found


async def tell_mentees(ctx: Context, scope: Scope, what: str, text: str) -> int:
    """A note to each of the mentor's current mentees; returns how many there are."""
    pairs = [
        p
        for p in await scope.repo.pairs_of(ctx.space.id, ctx.member.id, CURRENT)
        if p.mentor_id == ctx.member.id
    ]
    mentees = await scope.members(*(p.mentee_id for p in pairs))
    for mentee in mentees.values():
        key = mentor_note_key(ctx.member.id, what, ctx.now, mentee.id)
        await scope.dm(key, f"mentorship-mentor-{what}", mentee, text)
    return len(mentees)


async def pass_on_proposals(scope: Scope, mentor_id: int, now: datetime) -> int:
    """Requests waiting on a mentor who is taking a break go to each mentee's next choice at
    once (the mentee is told), rather than waiting out the three days. Returns how many."""
    passed = 0
    for pair in await scope.repo.pairs_of(scope.space_id, mentor_id, (PairStatus.PROPOSED,)):
        if pair.mentor_id != mentor_id:
            continue
        await scope.tx.outbox.cancel(scope.space_id, proposal_key(pair.id))
        await scope.repo.close(scope.space_id, pair.id, PairStatus.DECLINED, now)
        await next_choice(scope, pair, lapsed=False)
        passed += 1
    return passed


async def pause(ctx: Context, args: Mapping[str, Any]) -> None:
    scope = await scope_of(ctx)
    await as_mentor(ctx, scope)
    until: datetime | None = args.get("until")
    if until is not None:
        until = pause_until_check(until, ctx.now)
    await scope.repo.pause_mentor(ctx.space.id, ctx.member.id, ctx.now, until)
    asked = await pass_on_proposals(scope, ctx.member.id, ctx.now)
    for pair in await scope.repo.pairs_of(ctx.space.id, ctx.member.id, CURRENT):
        if pair.mentor_id == ctx.member.id and pair.due_at is not None:
            # back to the foot of the ladder (due dates stay): after the break, a first nudge
            await cancel_nudges(scope, pair)
            await scope.repo.schedule(ctx.space.id, pair.id, waiting(pair.due_at))
    back = f" until {moment(until, 'D')}" if until else ""
    told = await tell_mentees(
        ctx,
        scope,
        "paused",
        f"{mention(ctx.member.user_id)} is taking a break{back}. Your check-in nudges pause "
        "too; nothing for you to do. You can still message them.",
    )
    again = "`/rounds mentor resume`"
    knows = {0: ".", 1: "; your mentee knows."}.get(told, f"; your {told} mentees know.")
    when_back = f" Back sooner? {again}." if until else f" When you're back: {again}."
    passed = {0: "", 1: " The request waiting for your answer went to that mentee's next choice."}
    handed = passed.get(
        asked, f" The {asked} requests waiting for your answer went to each mentee's next choice."
    )
    ctx.reply(f"✓ Paused{back}: no new mentees and no check-in nudges{knows}{when_back}{handed}")


async def resume(ctx: Context, args: Mapping[str, Any]) -> None:
    scope = await scope_of(ctx)
    mentor = await as_mentor(ctx, scope)
    if not mentor.paused(ctx.now):
        ctx.reply("You're not on a break: new requests and check-ins are on.")
        return
    await scope.repo.resume_mentor(ctx.space.id, ctx.member.id)
    await tell_mentees(
        ctx,
        scope,
        "back",
        f"{mention(ctx.member.user_id)} is back from their break: check-ins resume.",
    )
    ctx.reply("✓ Welcome back! New requests and check-in nudges are on again.")


async def capacity(ctx: Context, args: Mapping[str, Any]) -> None:
    scope = await scope_of(ctx)
    await as_mentor(ctx, scope)
    places = int(args["mentees"])
    await scope.repo.save_mentor(ctx.space.id, ctx.member.id, ctx.now, capacity=places)
    taken = await scope.repo.commitments(ctx.space.id, ctx.member.id)
    text = f"✓ You can take up to {places} mentee{'s' if places != 1 else ''} (you have {taken})."
    if places == 0:
        text += " You won't get new requests; your current mentorships go on."
    elif taken > places:
        text += " Nobody is dropped: new requests wait until one of your mentorships ends."
    ctx.reply(text)


async def member_returned(ctx: Context) -> None:
    """A mentor who left and joined again: their offer stands again (their profile still
    makes it), and they hear so, with how to pause it."""
    scope = await scope_of(ctx)
    known = await scope.repo.mentor(ctx.space.id, ctx.member.id)
    if known is None or known.left_at is None or not ctx.member.profile.open_to_mentor:
        return
    await scope.repo.save_mentor(ctx.space.id, ctx.member.id, ctx.now)  # clears `left_at`
    places = f"up to {known.capacity} mentee{'s' if known.capacity != 1 else ''}"
    await scope.dm(
        f"mentor:{ctx.member.id}:returned:{ctx.now:%Y%m%d%H%M%S}",
        "mentor-returned",
        ctx.member,
        f"Welcome back! Your offer to mentor is open again ({places}), so Rounds may suggest "
        f"you to members looking for a mentor. Not now? `{TOP} mentor pause`. To stop "
        f"offering, `{TOP} profile set mentor=no`.",
    )


async def member_left(ctx: Context) -> None:
    """A member left: their pairs end with a note to the other side, their mentees' requests
    re-open with fresh suggestions, and their own waiting request closes."""
    await let_go(await scope_of(ctx), ctx.member)


async def let_go(scope: Scope, leaver: Member, *, erased: bool = False) -> None:
    """What a member's leaving (or, `erased`, their erasure) ends. An erased member is named
    in no note, so nothing planned here is about them once they are gone."""
    space_id, now = scope.space_id, scope.now
    known = await scope.repo.mentor(space_id, leaver.id)
    if known is not None or leaver.profile.open_to_mentor:
        if known is None:  # a `mentor=yes` profile: its row records the leaving
            await scope.repo.save_mentor(space_id, leaver.id, now)
        await scope.repo.mentor_left(space_id, leaver.id, now)
    gone = f"{mention(leaver.user_id)} has left the community, so your mentorship has ended."
    for pair in await scope.repo.pairs_of(space_id, leaver.id, COMMITTED):
        if pair.status is PairStatus.PROPOSED:
            asked = not await scope.tx.outbox.cancel(space_id, proposal_key(pair.id))
            await scope.repo.close(space_id, pair.id, PairStatus.DECLINED, now)
            if pair.mentor_id == leaver.id:  # the mentee's next choice is asked
                await next_choice(scope, pair, lapsed=False, gone=erased)
            elif asked:  # the mentor has the request: it needs no answer now
                mentor = (await scope.members(pair.mentor_id)).get(pair.mentor_id)
                if mentor is not None:
                    who = "A member" if erased else mention(leaver.user_id)
                    await scope.dm(
                        pair_note_key(pair.id, "erased" if erased else "left", mentor.id),
                        "mentorship-withdrawn",
                        mentor,
                        f"{who} is no longer taking part, so their request for you to mentor "
                        "them is withdrawn. Nothing for you to do."
                        if erased
                        else f"{who} has left the community, so their request for you to "
                        "mentor them is withdrawn. Nothing for you to do.",
                    )
            continue
        await end(scope, pair)
        other = (await scope.members(pair.other(leaver.id))).get(pair.other(leaver.id))
        if other is None:
            continue
        was_mentor = pair.mentor_id == leaver.id
        if erased:
            note = render_partner_gone(their_mentor=was_mentor)
            key = pair_note_key(pair.id, "erased", other.id)
        else:
            note = render_ended(gone, mentee=False, pair_id=pair.id)
            key = pair_note_key(pair.id, "left", other.id)
        await scope.dm(key, "mentorship-ended", other, note)
        if was_mentor:
            request = await request_for(scope, pair, other)
            await reopen(scope, request, other, "Let's find you a new mentor.")
    mine = await scope.repo.waiting_request(space_id, leaver.id)
    if mine is not None:
        await scope.repo.update_request(space_id, mine.id, status=RequestStatus.CLOSED)


async def withdraw(ctx: Context, args: Mapping[str, Any]) -> None:
    """A mentee takes back their waiting request: a mentor who was asked is told it needs no
    answer, and nothing more is sent about it."""
    scope = await scope_of(ctx)
    waiting = await scope.repo.waiting_request(ctx.space.id, ctx.member.id)
    if waiting is None:
        ctx.reply(
            "You have no mentor request waiting, so there's nothing to withdraw. "
            'Ask for a mentor with `/rounds mentor request goals="…"`.'
        )
        return
    for pair in await scope.repo.pairs_of(ctx.space.id, ctx.member.id, (PairStatus.PROPOSED,)):
        if pair.mentee_id != ctx.member.id or pair.request_id != waiting.id:
            continue
        asked = not await scope.tx.outbox.cancel(ctx.space.id, proposal_key(pair.id))
        await scope.repo.close(ctx.space.id, pair.id, PairStatus.DECLINED, ctx.now)
        mentor = (await scope.members(pair.mentor_id)).get(pair.mentor_id)
        if asked and mentor is not None:
            await scope.dm(
                pair_note_key(pair.id, "withdrawn", mentor.id),
                "mentorship-withdrawn",
                mentor,
                f"{mention(ctx.member.user_id)} withdrew their request for you to mentor them. "
                "Nothing for you to do.",
            )
    await scope.repo.update_request(ctx.space.id, waiting.id, status=RequestStatus.CLOSED)
    ctx.reply(
        "✓ Your mentor request is withdrawn. Ask again any time with `/rounds mentor request`."
    )
