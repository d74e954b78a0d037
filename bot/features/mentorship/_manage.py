"""What managers do: match a mentee by hand, and answer the cards (Match by hand; Reach out,
Re-match, Pause pair). Each card is updated to say who did what, so no two managers double up."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.context import Context
from bot.domain import Member
from bot.errors import UserError
from bot.features.mentorship._flows import (
    Scope,
    cancel_nudges,
    current_pair,
    end,
    find,
    propose,
    reopen,
    request_for,
    reschedule,
    scope_of,
)
from bot.features.mentorship._render import (
    MANAGE_BUTTONS,
    looking,
    render_by_hand,
    render_ended,
    who,
)
from bot.features.mentorship._schedule import every_of, pair_note_key, stamp
from bot.features.mentorship._scoring import explain
from bot.features.mentorship.model import (
    CURRENT,
    DEFAULT_CAPACITY,
    Candidate,
    PairStatus,
    RequestStatus,
)
from bot.messages import Message, mention, moment
from bot.ports import SUBJECT

MANAGERS_ONLY = "Only community managers can do that; a manager will pick it up."
GONE = "That card is out of date. `/rounds mentor report` shows where things are."


async def member_named(ctx: Context, user_id: str) -> Member:
    found = await ctx.tx.members.get(ctx.space.id, user_id)
    if found is None:
        raise UserError(f"I don't know {mention(user_id)} in this community.")
    return found


async def match(ctx: Context, args: Mapping[str, Any]) -> None:
    """`/rounds mentor match @mentee @mentor`: a proposal the mentor still accepts or declines."""
    scope = await scope_of(ctx)
    mentee = await member_named(ctx, args["mentee"])
    mentor = await member_named(ctx, args["mentor"])
    if mentee.id == mentor.id:
        raise UserError("A mentee and their mentor are two different people.")
    found = await scope.repo.mentor(ctx.space.id, mentor.id)
    if found is not None and found.left_at is not None:
        raise UserError(f"{mention(mentor.user_id)} has left mentoring. Pick another mentor.")
    if found is not None and found.paused(ctx.now):
        back = f" until {moment(found.paused_until, 'D')}" if found.paused_until else ""
        raise UserError(f"{mention(mentor.user_id)} is on a break{back}. Pick another mentor.")
    if await current_pair(scope, mentee, mentor) is not None:
        raise UserError(f"{mention(mentor.user_id)} already mentors {mention(mentee.user_id)}.")
    request = await scope.repo.waiting_request(ctx.space.id, mentee.id)
    if request is not None and request.status is RequestStatus.ASKING:
        raise UserError(
            f"A mentor is deciding on {mention(mentee.user_id)}'s request right now. "
            "If they decline, the request comes back to you."
        )
    if request is None:
        goals = ", ".join(mentee.profile.goals)
        request = await scope.repo.add_request(ctx.space.id, mentee.id, goals, False, ctx.now)
    taken = await scope.repo.commitments(ctx.space.id, mentor.id)
    places = found.capacity if found else DEFAULT_CAPACITY
    candidate = Candidate(mentor.id, max(places - taken, 0), found.areas or None if found else None)
    reason = explain(mentee, request.goals, mentor, candidate, ctx.now).reason
    pair = await propose(scope, request, mentor, mentee, reason, by_hand=True)
    await ctx.audit(
        "mentorship.match",
        f"proposed a mentor by hand for {SUBJECT} (pair {pair.id})",
        subject=mentee,
    )
    answer_by = moment(pair.respond_by or ctx.now, "F")
    text = (
        f"✓ I've asked {mention(mentor.user_id)} to mentor {mention(mentee.user_id)}; they have "
        f"until {answer_by} to answer. If they can't, the request comes back here."
    )
    if not mentor.profile.open_to_mentor or taken >= places:
        text += " (They haven't offered, or they're full, so they may well decline.)"
    ctx.reply(text)
    await scope.dm(
        pair_note_key(pair.id, "by-hand", mentee.id),
        "mentorship-by-hand",
        mentee,
        f"A community manager has asked {mention(mentor.user_id)} to be your mentor. They have "
        f"until {answer_by} to answer; I'll let you know.",
    )


async def by_hand(ctx: Context, value: str) -> None:
    """Match by hand, on a "no match" card: how to do it, and who has room."""
    if not ctx.is_manager:
        ctx.reply(MANAGERS_ONLY)
        return
    scope = await scope_of(ctx)
    request = await scope.repo.request(ctx.space.id, int(value)) if value.isdigit() else None
    mentee = (await scope.members(request.mentee_id)).get(request.mentee_id) if request else None
    if request is None or mentee is None:
        ctx.reply(GONE)
        return
    if request.status is not RequestStatus.UNMATCHED:
        ctx.reply(f"{mention(mentee.user_id)}'s request is already on its way. {GONE}")
        return
    options = [m.member for m in await find(scope, mentee, request)]
    ctx.reply(render_by_hand(mentee, options))
    ctx.update(
        Message(
            f"🔎 {looking(mentee, request.goals)}.\n"
            f"✓ {mention(ctx.member.user_id)} is matching by hand."
        )
    )


async def manage(ctx: Context, value: str) -> None:
    """Reach out / Re-match / Pause pair, on a quiet pair's (or a help) card."""
    if not ctx.is_manager:
        ctx.reply(MANAGERS_ONLY)
        return
    pair_id, _, verb = value.partition(":")
    scope = await scope_of(ctx)
    pair = await scope.repo.pair(ctx.space.id, int(pair_id)) if pair_id.isdigit() else None
    people = await scope.members(pair.mentor_id, pair.mentee_id) if pair else {}
    if pair is None or verb not in MANAGE_BUTTONS or len(people) < 2:
        ctx.reply(GONE)
        return
    mentor, mentee = people[pair.mentor_id], people[pair.mentee_id]
    if pair.status not in CURRENT:
        ctx.reply(f"That mentorship has already ended. {GONE}")
        return
    done = await {"reach": reach_out, "rematch": rematch, "pause": pause_pair}[verb](
        ctx, scope, pair.id, mentor, mentee
    )
    ctx.update(Message(f"🤝 {who(mentor)} and {who(mentee)}\n✓ {done}"))


async def reach_out(
    ctx: Context, scope: Scope, pair_id: int, mentor: Member, mentee: Member
) -> str:
    pair = await scope.repo.pair(ctx.space.id, pair_id)
    assert pair is not None
    await reschedule(scope, pair, ctx.now + every_of(pair, scope.settings))
    for member, other in ((mentor, mentee), (mentee, mentor)):
        await scope.dm(
            pair_note_key(pair.id, f"reach{stamp(ctx.now)}", member.id),
            "mentorship-reach-out",
            member,
            f"{mention(ctx.member.user_id)} from the community team will be in touch to see how "
            f"your mentorship with {mention(other.user_id)} is going.",
        )
    await ctx.audit(
        "mentorship.reach-out",
        f"is reaching out to {SUBJECT} and their mentor (pair {pair.id})",
        subject=mentee,
    )
    ctx.reply("✓ They know you'll be in touch; a short DM to each is a good start.")
    return f"{mention(ctx.member.user_id)} is reaching out"


async def rematch(ctx: Context, scope: Scope, pair_id: int, mentor: Member, mentee: Member) -> str:
    pair = await scope.repo.pair(ctx.space.id, pair_id)
    assert pair is not None
    await end(scope, pair)
    await scope.dm(
        pair_note_key(pair.id, "rematched", mentor.id),
        "mentorship-ended",
        mentor,
        render_ended(
            f"The community team has ended your mentorship with {mention(mentee.user_id)}, "
            "so they can have a fresh match.",
            mentee=False,
            pair_id=pair.id,
        ),
    )
    await scope.dm(
        pair_note_key(pair.id, "rematched", mentee.id),
        "mentorship-ended",
        mentee,
        render_ended(
            f"The community team has ended your mentorship with {mention(mentor.user_id)}, "
            "so you can have a fresh match.",
            mentee=False,
            pair_id=pair.id,
        ),
    )
    request = await request_for(scope, pair, mentee)
    await reopen(scope, request, mentee, "Let's find you a new mentor.")
    await ctx.audit(
        "mentorship.rematch",
        f"ended {SUBJECT}'s mentorship for a re-match (pair {pair.id})",
        subject=mentee,
    )
    ctx.reply(f"✓ Ended; {mention(mentee.user_id)} has new mentors to choose from.")
    return f"re-matched by {mention(ctx.member.user_id)}"


async def pause_pair(
    ctx: Context, scope: Scope, pair_id: int, mentor: Member, mentee: Member
) -> str:
    pair = await scope.repo.pair(ctx.space.id, pair_id)
    assert pair is not None
    await cancel_nudges(scope, pair)
    await scope.repo.set_status(ctx.space.id, pair.id, PairStatus.PAUSED)
    for member, other in ((mentor, mentee), (mentee, mentor)):
        await scope.dm(
            pair_note_key(pair.id, f"paused{stamp(ctx.now)}", member.id),
            "mentorship-paused",
            member,
            f"Your mentorship with {mention(other.user_id)} is paused by the community team: "
            "no check-in nudges for now. Log a check-in any time with "
            "`/rounds checkin @member` to pick it up again.",
        )
    await ctx.audit(
        "mentorship.pause",
        f"paused {SUBJECT}'s mentorship with their mentor (pair {pair.id})",
        subject=mentee,
    )
    ctx.reply("✓ Paused. Either of them picks it up again by logging a check-in.")
    return f"paused by {mention(ctx.member.user_id)}"
