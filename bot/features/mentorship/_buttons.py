"""Mentorship's buttons and forms: a mentee's pick, a mentor's Accept / Decline, the check-in
nudge's four answers, and the managers' cards. Every value names internal ids that are looked
up inside the presser's space, so a stale or replayed button does nothing."""

from __future__ import annotations

from collections.abc import Mapping

from bot.context import Context
from bot.errors import UserError
from bot.features.mentorship._commands import move_to
from bot.features.mentorship._flows import (
    available,
    log_checkin,
    next_choice,
    propose,
    reschedule,
    scope_of,
    snooze,
    start,
)
from bot.features.mentorship._render import (
    FEEDBACK_FORM,
    NUDGE_BUTTONS,
    RESCHEDULE_FORM,
    render_answered,
    render_help_card,
    render_nudge_done,
    render_picked,
)
from bot.features.mentorship._schedule import (
    ANSWER_WINDOW,
    HELP_GRACE,
    help_key,
    stamp,
)
from bot.features.mentorship.model import PairStatus, RequestStatus
from bot.messages import FieldKind, Form, FormField, mention, moment
from bot.options import parse_datetime

GONE = "That button no longer works. See your mentorships with `/rounds mentor list`."


def numbers(value: str, count: int) -> tuple[int, ...] | None:
    parts = value.split(":")[:count]
    if len(parts) != count or not all(p.isdigit() for p in parts):
        return None
    return tuple(int(p) for p in parts)


async def pick(ctx: Context, value: str) -> None:
    """A mentee picks a suggested mentor: the mentor is asked, with three days to answer."""
    found = numbers(value, 3)
    scope = await scope_of(ctx)
    request = await scope.repo.request(ctx.space.id, found[0]) if found else None
    if found is None or request is None or request.mentee_id != ctx.member.id:
        ctx.reply(GONE)
        return
    if request.status is not RequestStatus.OPEN or request.version != found[1]:
        ctx.reply(
            "You've already picked from those. See where things are with `/rounds mentor list`."
        )
        return
    chosen = [
        s for s in await scope.repo.suggestions(ctx.space.id, request.id) if s.rank == found[2]
    ]
    people = await scope.members(*(s.mentor_id for s in chosen))
    mentor = people.get(chosen[0].mentor_id) if chosen else None
    if mentor is None or not chosen or chosen[0].outcome is not None:
        ctx.reply(GONE)
        return
    if not await available(scope, mentor):
        ctx.reply(
            f"{mention(mentor.user_id)} can't take anyone new right now, sorry. "
            "Please pick another mentor."
        )
        return
    pair = await propose(scope, request, mentor, ctx.member, chosen[0].reason, by_hand=False)
    ctx.update(render_picked(request.goals, mentor, pair.respond_by or ctx.now + ANSWER_WINDOW))
    ctx.reply(
        f"✓ I've asked {mention(mentor.user_id)}. They have until "
        f"{moment(pair.respond_by or ctx.now, 'F')} to answer; I'll let you know either way."
    )


async def answer(ctx: Context, value: str) -> None:
    """The mentor's Accept or Decline."""
    pair_id, _, verb = value.partition(":")
    scope = await scope_of(ctx)
    pair = await scope.repo.pair(ctx.space.id, int(pair_id)) if pair_id.isdigit() else None
    if pair is None or pair.mentor_id != ctx.member.id or verb not in ("accept", "decline"):
        ctx.reply(GONE)
        return
    people = await scope.members(pair.mentee_id)
    mentee = people.get(pair.mentee_id)
    if pair.status is not PairStatus.PROPOSED or mentee is None:
        ctx.reply(
            "That request has moved on, so there's nothing to answer. Thank you all the same!"
        )
        return
    if verb == "accept":
        await start(scope, pair, ctx.member, mentee)
        ctx.update(render_answered(mentee, accepted=True))
        ctx.reply(
            f"✓ You're now mentoring {mention(mentee.user_id)}. Reach out to set up a first "
            "conversation; I'll nudge you both when check-ins fall due."
        )
        return
    await scope.repo.close(ctx.space.id, pair.id, PairStatus.DECLINED, ctx.now)
    await next_choice(scope, pair, lapsed=False)
    ctx.update(render_answered(mentee, accepted=False))
    if pair.by_hand:
        ctx.reply("Thanks for letting us know. I'll tell the managers who proposed it, kindly.")
    else:
        ctx.reply("Thanks for letting us know. I'll ask their next choice; they'll hear it kindly.")


async def nudge(ctx: Context, value: str) -> None:
    """Met this week / Reschedule / Need help / Snooze, on a check-in nudge."""
    pair_id, _, rest = value.partition(":")
    due, _, verb = rest.partition(":")
    scope = await scope_of(ctx)
    pair = await scope.repo.pair(ctx.space.id, int(pair_id)) if pair_id.isdigit() else None
    if pair is None or not pair.has(ctx.member.id) or verb not in NUDGE_BUTTONS:
        ctx.reply(GONE)
        return
    other_id = pair.other(ctx.member.id)
    other = (await scope.members(other_id)).get(other_id)
    if pair.status not in (PairStatus.ACTIVE, PairStatus.PAUSED) or other is None:
        ctx.reply("That mentorship has ended, so there's nothing to check in on.")
        return
    if verb == "met":  # a meeting counts whenever it is reported, even on an older nudge
        last = await scope.repo.last_checkin(ctx.space.id, pair.id)
        if last is not None and last.met_at.date() == ctx.now.date():
            ctx.reply("Already logged today. Thank you!")
            return
        ladder = await log_checkin(scope, pair, ctx.member, None)
        ctx.update(render_nudge_done(other, f"Met this week ({moment(ctx.now, 'D')})"))
        ctx.reply(f"✓ Logged. Next check-in due {moment(ladder.due_at, 'D')}.")
        return
    if pair.due_at is None or due != str(stamp(pair.due_at)):
        ctx.reply(
            f"That reminder is out of date: your next check-in with {mention(other.user_id)} is "
            f"due {moment(pair.due_at or ctx.now, 'D')}."
        )
        return
    if verb == "snooze":
        again = await snooze(scope, pair, ctx.member)
        ctx.update(render_nudge_done(other, "snoozed for 24 h"))
        ctx.reply(f"✓ Snoozed. I'll remind you again {moment(again, 'F')}. Rest well.")
    elif verb == "help":
        await reschedule(scope, pair, ctx.now + HELP_GRACE)
        mentor, mentee = (
            (ctx.member, other) if pair.mentor_id == ctx.member.id else (other, ctx.member)
        )
        await scope.tell_managers(
            help_key(pair.id, ctx.now),
            "mentorship-help",
            render_help_card(pair.id, mentor, mentee),
        )
        ctx.update(render_nudge_done(other, "asked the managers for help"))
        ctx.reply(
            "I've let the community managers know; one of them will be in touch. "
            "Your next check-in nudge waits a week."
        )
    else:
        ctx.open_form(reschedule_form(pair.id, other.label))


def reschedule_form(pair_id: int, name: str) -> Form:
    return Form(
        RESCHEDULE_FORM,
        "Reschedule check-in",
        (
            FormField(
                "when",
                f"New date for your check-in with {name}"[:45],
                FieldKind.DATETIME,
                required=True,
                placeholder="2026-03-20 10:00",
            ),
        ),
        submit_label="Reschedule",
        context=str(pair_id),
        hint="Or type `/rounds mentor reschedule @member 2026-03-20 10:00`.",
    )


async def rescheduled(ctx: Context, values: Mapping[str, str], context: str) -> None:
    scope = await scope_of(ctx)
    pair = await scope.repo.pair(ctx.space.id, int(context)) if context.isdigit() else None
    if pair is None or not pair.has(ctx.member.id):
        ctx.reply(GONE)
        return
    other = (await scope.members(pair.other(ctx.member.id))).get(pair.other(ctx.member.id))
    due = parse_datetime(values.get("when", ""), ctx.member.profile.timezone)
    if other is None or pair.status not in (PairStatus.ACTIVE, PairStatus.PAUSED):
        ctx.reply("That mentorship has ended, so there's nothing to reschedule.")
        return
    if due is None:
        raise UserError('The date is like "2026-03-20 10:00" (your own time zone).', field="when")
    await move_to(ctx, scope, pair, other, due)


async def ask_feedback(ctx: Context, value: str) -> None:
    scope = await scope_of(ctx)
    pair = await scope.repo.pair(ctx.space.id, int(value)) if value.isdigit() else None
    if pair is None or not pair.has(ctx.member.id) or pair.status is not PairStatus.ENDED:
        ctx.reply(GONE)
        return
    ctx.open_form(
        Form(
            FEEDBACK_FORM,
            "Mentorship feedback",
            (
                FormField(
                    "feedback",
                    "One line: what went well, what could be better?",
                    FieldKind.LONG_TEXT,
                    required=True,
                    max_length=300,
                ),
            ),
            submit_label="Send",
            context=str(pair.id),
            hint="Or type `/rounds mentor feedback @member <one line>`.",
        )
    )
