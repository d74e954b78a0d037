"""What mentors and mentees type: offer, request, list, end, cadence, check-ins, rescheduling
and feedback. Each answers privately with one next step; bad input changes nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from bot.context import Context
from bot.domain import Member
from bot.errors import UserError
from bot.features.mentorship._flows import (
    Scope,
    current_pair,
    end,
    log_checkin,
    reschedule,
    scope_of,
    suggest,
)
from bot.features.mentorship._render import (
    NO_FIT,
    REQUEST_HINT,
    cadence,
    render_ended,
    render_suggestions,
)
from bot.features.mentorship._schedule import MAX_EVERY, every_of, pair_note_key
from bot.features.mentorship.model import (
    DEFAULT_CAPACITY,
    Pair,
    PairStatus,
    RequestStatus,
)
from bot.messages import literal, mention, moment
from bot.text import listed

MAX_AREAS, MAX_AREA_LENGTH = 10, 40

Screen = Callable[[Context, dict[str, str]], Awaitable[bool]]
"""The patient-information guard for one kind of text: True when it may be stored and shown;
False when the member was warned and the text is held (then nothing may be written)."""


def areas_list(value: Any) -> tuple[str, ...]:
    items = tuple(dict.fromkeys(p.strip() for p in str(value).split(",") if p.strip()))
    if not items:
        raise UserError('Name at least one area, e.g. areas="operations, policy".', field="areas")
    if len(items) > MAX_AREAS:
        raise UserError(
            f"`areas` takes at most {MAX_AREAS} areas, separated by commas.", field="areas"
        )
    long = [item for item in items if len(item) > MAX_AREA_LENGTH]
    if long:
        raise UserError(
            f"Each area is at most {MAX_AREA_LENGTH} characters; "
            f"shorten `{literal(long[0][:50])}`.",
            field="areas",
        )
    return items


async def someone(ctx: Context, user_id: str) -> Member:
    """The member a command names: known here, and not the one typing."""
    if user_id == ctx.member.user_id:
        raise UserError("That's you 🙂 Name the other person, e.g. `@dr.okafor`.")
    other = await ctx.tx.members.get(ctx.space.id, user_id)
    if other is None:
        raise UserError(f"I don't know {mention(user_id)} in this community.")
    return other


async def pair_with(ctx: Context, scope: Scope, user_id: str) -> tuple[Member, Pair]:
    other = await someone(ctx, user_id)
    pair = await current_pair(scope, ctx.member, other)
    if pair is None:
        raise UserError(
            f"You don't have a mentorship with {mention(user_id)}. "
            "See yours with `/rounds mentor list`."
        )
    return other, pair


# -- mentors ------------------------------------------------------------------------------------
async def offer(ctx: Context, args: Mapping[str, Any], screen: Screen | None = None) -> None:
    areas_typed = args.get("areas")
    if screen and areas_typed:
        shown_capacity = str(args.get("capacity") or "")
        if not await screen(ctx, {"areas": ", ".join(areas_typed), "capacity": shown_capacity}):
            return
    scope = await scope_of(ctx)
    before = await scope.repo.mentor(ctx.space.id, ctx.member.id)
    capacity = args.get("capacity")
    if capacity is None and (before is None or before.left_at is not None):
        capacity = DEFAULT_CAPACITY
    mentor = await scope.repo.save_mentor(
        ctx.space.id, ctx.member.id, ctx.now, capacity=capacity, areas=args.get("areas")
    )
    profile = ctx.member.profile
    if not profile.open_to_mentor:
        await ctx.tx.members.save_profile(
            ctx.space.id, ctx.member.id, profile.with_changes(open_to_mentor=True)
        )
    areas = mentor.areas or (*profile.interests, *profile.goals)
    shown = ", ".join(literal(a) for a in areas) or 'any area (add some with `areas="…"`)'
    plural = "s" if mentor.capacity != 1 else ""
    lines = [
        f"✓ Thank you for mentoring! Up to {mentor.capacity} mentee{plural}, in: {shown}. "
        "Members looking for a mentor may be matched with you; you always accept or decline first."
    ]
    missing = [name for name in ("stage", "specialty", "timezone") if not getattr(profile, name)]
    if missing:
        lines.append(
            f"Tip: add your {listed(missing)} so matches can say why they fit: "
            f"`/rounds profile set {missing[0]}=…`."
        )
    if mentor.paused(ctx.now):
        lines.append("You're still on a break; `/rounds mentor resume` when you're back.")
    ctx.reply("\n".join(lines))


# -- mentees ------------------------------------------------------------------------------------
async def deciding(ctx: Context, scope: Scope) -> str:
    """Why a mentee can't ask again yet: a mentor is deciding."""
    asked = [
        p
        for p in await scope.repo.pairs_of(ctx.space.id, ctx.member.id, (PairStatus.PROPOSED,))
        if p.mentee_id == ctx.member.id
    ]
    if not asked:
        return "A mentor is deciding on your request; I'll tell you either way."
    mentor = (await scope.members(asked[0].mentor_id)).get(asked[0].mentor_id)
    name = mention(mentor.user_id) if mentor else "a mentor"
    return (
        f"You've asked {name}; they have until {when(asked[0].respond_by, 'F')} to answer. "
        "I'll tell you either way."
    )


async def request(ctx: Context, args: Mapping[str, Any], screen: Screen | None = None) -> None:
    scope = await scope_of(ctx)
    member = ctx.member
    goals = str(args.get("goals") or ", ".join(member.profile.goals)).strip()
    if not goals:
        raise UserError(
            "Tell me what you'd like a mentor's help with, e.g. "
            '`/rounds mentor request goals="lead a quality improvement project"`.',
            field="goals",
        )
    outside = bool(args.get("outside", False))
    waiting = await scope.repo.waiting_request(ctx.space.id, member.id)
    if waiting is not None and waiting.status is RequestStatus.ASKING:
        raise UserError(await deciding(ctx, scope))
    # goals go to mentors and managers: typed ones are checked (profile goals were on saving)
    held = {"goals": goals, "outside": "yes" if outside else "no"}
    if screen and args.get("goals") and not await screen(ctx, held):
        return
    if waiting is None:
        found = await scope.repo.add_request(ctx.space.id, member.id, goals, outside, ctx.now)
    else:
        await scope.repo.update_request(ctx.space.id, waiting.id, goals=goals, outside=outside)
        found = replace(waiting, goals=goals, outside=outside)
    known_to_managers = waiting is not None and waiting.status is RequestStatus.UNMATCHED
    request_, matches = await suggest(scope, found, member, alert=not known_to_managers)
    if not matches:
        ctx.reply(NO_FIT)
        return
    ctx.reply(render_suggestions(request_.id, request_.version, request_.goals, matches))
    tip = profile_tip(member, outside)
    if tip:
        ctx.reply(tip)


def profile_tip(member: Member, outside: bool) -> str | None:
    """What the mentee's profile lacks for closer matches (one line, or nothing)."""
    profile = member.profile
    wanted = [name for name in ("specialty", "stage", "timezone") if not getattr(profile, name)]
    if outside and not profile.institution:
        wanted.append("institution")
    if not wanted:
        return None
    return (
        f"Tip: add your {listed(wanted)} for closer matches: `/rounds profile set {wanted[0]}=…`."
    )


# -- pairs --------------------------------------------------------------------------------------
def when(at: datetime | None, style: str = "D") -> str:
    return moment(at, style) if at else "not yet"


def role(pair: Pair, member: Member, other: Member, own: bool) -> str:
    """ "You mentor @x", "@x mentors you", or, for a manager, "@m mentors @x"."""
    me, them = ("You", "you") if own else (mention(member.user_id),) * 2
    if pair.mentor_id == member.id:
        return (
            f"{me} mentor {mention(other.user_id)}"
            if own
            else f"{me} mentors {mention(other.user_id)}"
        )
    return f"{mention(other.user_id)} mentors {them}"


async def mentorship_lines(ctx: Context, scope: Scope, member: Member, own: bool) -> list[str]:
    """A member's offer to mentor, pairs and waiting request, a line each."""
    offer = await offer_line(ctx, scope, member, own)
    pairs = await pair_lines(ctx, scope, member, own)
    if offer and not pairs and own:  # a mentor with nobody yet
        pairs = ["- No mentees yet: members looking for a mentor may be matched with you."]
    return [*offer, *pairs]


async def offer_line(ctx: Context, scope: Scope, member: Member, own: bool) -> list[str]:
    """A mentor's offer: how many mentees, in which areas, and a pause."""
    offer = await scope.repo.mentor(ctx.space.id, member.id)
    if not member.profile.open_to_mentor or (offer is not None and offer.left_at is not None):
        return []
    capacity = offer.capacity if offer else DEFAULT_CAPACITY
    who = "You offer" if own else f"{mention(member.user_id)} offers"
    line = f"- {who} to mentor: up to {capacity} mentee{'s' if capacity != 1 else ''}"
    line += f", in {literal(', '.join(offer.areas))}" if offer and offer.areas else ""
    if offer is not None and offer.paused(ctx.now):
        until = offer.paused_until
        line += f" · paused until {when(until)}" if until else " · paused"
    return [line]


async def pair_lines(ctx: Context, scope: Scope, member: Member, own: bool) -> list[str]:
    pairs = await scope.repo.pairs_of(
        ctx.space.id, member.id, (PairStatus.PROPOSED, PairStatus.ACTIVE, PairStatus.PAUSED)
    )
    others = await scope.members(*(p.other(member.id) for p in pairs))
    lines = []
    for pair in pairs:
        other = others.get(pair.other(member.id))
        if other is None:
            continue
        if pair.status is PairStatus.PROPOSED:
            answer = when(pair.respond_by, "F")
            lines.append(f"- Deciding: {role(pair, member, other, own)}? (answer by {answer})")
            continue
        last = await scope.repo.last_checkin(ctx.space.id, pair.id)
        paused = " · paused" if pair.status is PairStatus.PAUSED else ""
        if pair.due_at is not None and pair.due_at <= ctx.now and not paused:
            due = f"check-in due since {when(pair.due_at)}"
        else:
            due = f"next check-in {when(pair.due_at)}"
        lines.append(
            f"- {role(pair, member, other, own)}{paused} · since {when(pair.started_at)} · "
            f"{cadence(every_of(pair, scope.settings))} · {due} · "
            f"last met {when(last.met_at if last else None)}"
        )
    waiting = await scope.repo.waiting_request(ctx.space.id, member.id)
    if waiting is not None:
        state = {
            RequestStatus.OPEN: "pick a mentor from the suggestions (`/rounds mentor request` "
            "shows them again)",
            RequestStatus.ASKING: "a mentor is deciding",
            RequestStatus.UNMATCHED: "the community managers are finding a mentor",
        }[waiting.status]
        lines.append(f"- Looking for a mentor (goals: {literal(waiting.goals)}): {state}")
    return lines


async def show(ctx: Context, args: Mapping[str, Any]) -> None:
    member = ctx.member
    user_id = args.get("member")
    if user_id and user_id != ctx.member.user_id:
        if not ctx.is_manager:
            raise UserError("You can list your own mentorships: `/rounds mentor list`.")
        found = await ctx.tx.members.get(ctx.space.id, user_id)
        if found is None:
            raise UserError(f"I don't know {mention(user_id)} in this community.")
        member = found
    own = member.id == ctx.member.id
    lines = await mentorship_lines(ctx, await scope_of(ctx), member, own)
    if not lines:
        if own:
            ctx.reply(
                f"No mentorships yet. Find a mentor with {REQUEST_HINT}, "
                "or offer to mentor with `/rounds mentor offer`."
            )
        else:
            ctx.reply(f"{mention(member.user_id)} has no mentorships.")
        return
    title = "**Your mentorships**" if own else f"**Mentorships of {mention(member.user_id)}**"
    ctx.reply("\n".join([title, *lines]))


async def finish(ctx: Context, args: Mapping[str, Any]) -> None:
    scope = await scope_of(ctx)
    other, pair = await pair_with(ctx, scope, args["member"])
    await end(scope, pair)
    ctx.reply(
        render_ended(
            f"✓ Your mentorship with {mention(other.user_id)} has ended; they've been told.",
            mentee=ctx.member.id == pair.mentee_id,
            pair_id=pair.id,
        )
    )
    await scope.dm(
        pair_note_key(pair.id, "ended", other.id),
        "mentorship-ended",
        other,
        render_ended(
            f"{mention(ctx.member.user_id)} has ended your mentorship.",
            mentee=other.id == pair.mentee_id,
            pair_id=pair.id,
        ),
    )


async def set_cadence(ctx: Context, args: Mapping[str, Any]) -> None:
    scope = await scope_of(ctx)
    other, pair = await pair_with(ctx, scope, args["member"])
    every: timedelta = args["every"]
    await scope.repo.set_every(ctx.space.id, pair.id, every)
    last = await scope.repo.last_checkin(ctx.space.id, pair.id)
    base = last.met_at if last else pair.started_at or ctx.now
    ladder = await reschedule(scope, pair, max(base + every, ctx.now))
    when_ = moment(ladder.due_at, "D")
    ctx.reply(
        f"✓ You and {mention(other.user_id)} will check in {cadence(every)}. "
        f"Next check-in: {when_}."
    )
    await scope.dm(
        pair_note_key(pair.id, f"cadence{ladder.due_at.timestamp():.0f}", other.id),
        "mentorship-cadence",
        other,
        f"{mention(ctx.member.user_id)} set your check-ins to {cadence(every)}. Next one: {when_}.",
    )


async def checkin(ctx: Context, args: Mapping[str, Any], screen: Screen | None = None) -> None:
    scope = await scope_of(ctx)
    other, pair = await pair_with(ctx, scope, args["member"])
    note = args.get("note")
    if screen and note and not await screen(ctx, {"member": args["member"], "note": note}):
        return
    resumed = pair.status is PairStatus.PAUSED
    ladder = await log_checkin(scope, pair, ctx.member, note)
    text = f"✓ Logged your check-in with {mention(other.user_id)}"
    text += " (with your note)" if note else ""
    text += f". Next one due {moment(ladder.due_at, 'D')}."
    if resumed:
        text += " Your mentorship is no longer paused."
    ctx.reply(text)


async def move(ctx: Context, args: Mapping[str, Any]) -> None:
    scope = await scope_of(ctx)
    other, pair = await pair_with(ctx, scope, args["member"])
    await move_to(ctx, scope, pair, other, args["when"])


async def move_to(ctx: Context, scope: Scope, pair: Pair, other: Member, due: datetime) -> None:
    if due <= ctx.now or due - ctx.now > MAX_EVERY:
        raise UserError(
            "Pick a date in the next twelve weeks, e.g. 2026-03-20 10:00.", field="when"
        )
    await reschedule(scope, pair, due)
    ctx.reply(f"✓ Moved your check-in with {mention(other.user_id)} to {moment(due, 'F')}.")
    await scope.dm(
        pair_note_key(pair.id, f"moved{int(due.timestamp())}", other.id),
        "mentorship-rescheduled",
        other,
        f"{mention(ctx.member.user_id)} moved your check-in to {moment(due, 'F')}.",
    )


async def feedback(ctx: Context, args: Mapping[str, Any], screen: Screen | None = None) -> None:
    other = await someone(ctx, args["member"])
    scope = await scope_of(ctx)
    pair = await scope.repo.pair_between(ctx.space.id, ctx.member.id, other.id, (PairStatus.ENDED,))
    if pair is None:
        raise UserError(
            f"Feedback is for a mentorship that has ended, and yours with {mention(other.user_id)} "
            "hasn't. To end it: `/rounds mentor end @member`."
        )
    await save_feedback(ctx, scope, pair, args["text"], screen)


async def save_feedback(
    ctx: Context, scope: Scope, pair: Pair, text: str, screen: Screen | None = None
) -> None:
    if screen and not await screen(ctx, {"pair": str(pair.id), "text": text}):
        return
    await scope.repo.feedback(ctx.space.id, pair.id, ctx.member.id, text.strip()[:300])
    ctx.reply("✓ Thank you! Only the community managers see it.")
