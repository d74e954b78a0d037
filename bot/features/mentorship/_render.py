"""What mentorship says: suggestions with reasons, the mentor's Accept / Decline, check-in
nudges, managers' cards, and the notes that go with each change. Member text is literal."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.domain import Member
from bot.features.mentorship._scoring import Match
from bot.messages import Button, ButtonStyle, Message, literal, mention, moment

PICK_ACTION = "mentorship.pick"
ANSWER_ACTION = "mentorship.answer"
CHECKIN_ACTION = "mentorship.checkin"
MANAGE_ACTION = "mentorship.manage"
BY_HAND_ACTION = "mentorship.hand"
FEEDBACK_ACTION = "mentorship.feedback"
RESCHEDULE_FORM = "mentorship.reschedule"
FEEDBACK_FORM = "mentorship.feedback"

NUDGE_BUTTONS = {
    "met": "Met this week",
    "reschedule": "Reschedule",
    "help": "Need help",
    "snooze": "Snooze",
}
MANAGE_BUTTONS = {"reach": "Reach out", "rematch": "Re-match", "pause": "Pause pair"}
REQUEST_HINT = '`/rounds mentor request goals="…"`'


def who(member: Member) -> str:
    """A member as managers' cards show them: name, then a mention."""
    return f"**{literal(member.label)}** ({mention(member.user_id)})"


def cadence(every: timedelta) -> str:
    weeks, days = divmod(every.days, 7)
    if not days:
        return "every week" if weeks == 1 else f"every {weeks} weeks"
    return f"every {every.days} days"


def headline(member: Member) -> str:
    p = member.profile
    return " · ".join(literal(x) for x in (p.profession, p.stage, p.specialty, p.institution) if x)


def goals_text(goals: str) -> str:
    return literal(goals) if goals else "no goals given yet"


def looking(mentee: Member, goals: str) -> str:
    """ "**Ada** (@ada) is looking for a mentor in policy", or "(no goals given yet)"."""
    wants = f"in {literal(goals)}" if goals else "(no goals given yet)"
    return f"{who(mentee)} is looking for a mentor {wants}"


# -- requests and suggestions -----------------------------------------------------------------
def render_suggestions(
    request_id: int, version: int, goals: str, matches: list[Match], *, intro: str = ""
) -> Message:
    lines = [intro] if intro else []
    lines.append(f"**Mentors for you** (goals: {goals_text(goals)})")
    for number, match in enumerate(matches, 1):
        lines.append(f"{number}. {who(match.member)} · score {match.score}\n{match.reason}")
    lines.append(
        "\nPick one and I'll ask them. They have 3 days to answer; "
        "if they can't, I'll ask your next choice."
    )
    buttons = tuple(
        Button(
            f"Ask {match.member.label}"[:70],
            PICK_ACTION,
            f"{request_id}:{version}:{number}",
            ButtonStyle.PRIMARY if number == 1 else ButtonStyle.DEFAULT,
        )
        for number, match in enumerate(matches, 1)
    )
    return Message("\n".join(lines), buttons=buttons)


def render_picked(goals: str, mentor: Member, respond_by: datetime) -> Message:
    return Message(
        f"**Mentors for you** (goals: {goals_text(goals)})\n"
        f"✓ You asked {mention(mentor.user_id)}: they have until {moment(respond_by, 'F')} "
        "to answer."
    )


NO_FIT = (
    "No mentor with room fits yet, so I've asked the community managers to find one with you. "
    "Nothing to do meanwhile: I'll message you."
)


def render_proposal(
    pair_id: int, mentee: Member, goals: str, reason: str, respond_by: datetime, *, by_hand: bool
) -> Message:
    opening = (
        f"A community manager suggested you as a mentor for {mention(mentee.user_id)}."
        if by_hand
        else f"{mention(mentee.user_id)} would like you as their mentor."
    )
    lines = [f"🌱 **Mentorship request:** {opening}"]
    if headline(mentee):
        lines.append(headline(mentee))
    lines.append(f"Goals: {goals_text(goals)}")
    if reason:
        lines.append(f"Why you: {reason}")
    lines.append(
        f"Please answer by {moment(respond_by, 'F')}. If you can't take them on, "
        "decline and I'll ask their next choice; no explanation needed."
    )
    return Message(
        "\n".join(lines),
        buttons=(
            Button("Accept", ANSWER_ACTION, f"{pair_id}:accept", ButtonStyle.PRIMARY),
            Button("Decline", ANSWER_ACTION, f"{pair_id}:decline"),
        ),
    )


def render_answered(mentee: Member, accepted: bool) -> Message:
    verdict = "✓ Accepted" if accepted else "Declined"
    return Message(f"🌱 Mentorship request from {mention(mentee.user_id)}: {verdict}")


def render_welcome_mentee(mentor: Member, every: timedelta) -> str:
    return (
        f"🎉 {mention(mentor.user_id)} accepted: they're your mentor now! Expect a message from "
        f"them to set up a first conversation, or write first. You'll check in {cadence(every)}; "
        "log one any time with `/rounds checkin @member`."
    )


def render_moved_on(
    mentor: Member | None,
    lapsed: bool,
    next_mentor: Member | None,
    by: datetime,
    *,
    others: bool = True,
) -> str:
    """`mentor` None: the mentor asked is no longer taking part (they are not named);
    `others`: the mentee had other choices (not a single suggestion, nor a match by hand)."""
    if mentor is None:
        why = "The mentor you chose is no longer taking part in mentorship"
    elif lapsed:
        why = f"{mention(mentor.user_id)} couldn't answer in time"
    else:
        why = f"{mention(mentor.user_id)} can't take on a mentee right now"
    if next_mentor is None:
        either = ", and your other choices couldn't either" if others else ""
        return (
            f"{why}{either}. I've asked the community managers to find a mentor with you: "
            "I'll message you."
        )
    return (
        f"{why}, so I've asked {mention(next_mentor.user_id)}, your next choice. "
        f"They have until {moment(by, 'F')} to answer."
    )


def render_lapsed_mentor(mentee: Member) -> str:
    return (
        f"The mentorship request from {mention(mentee.user_id)} has passed to their next choice, "
        "as there was no answer in 3 days. No action needed."
    )


def render_no_match_card(request_id: int, mentee: Member, goals: str, why: str) -> Message:
    return Message(
        f"🔎 {looking(mentee, goals)}; no match ({why}).",
        buttons=(Button("Match by hand", BY_HAND_ACTION, str(request_id), ButtonStyle.PRIMARY),),
    )


def render_by_hand(mentee: Member, options: list[Member]) -> str:
    text = (
        f"To match {mention(mentee.user_id)} by hand, type `/rounds mentor match @mentee @mentor` "
        "with them as the mentee."
    )
    if options:
        text += " Mentors with room: " + ", ".join(mention(m.user_id) for m in options) + "."
    else:
        text += " No mentor has room right now: any member can be asked."
    return text + " They still accept or decline."


# -- check-ins ----------------------------------------------------------------------------------
def nudge_buttons(pair_id: int, due_at: datetime, keys: tuple[str, ...]) -> tuple[Button, ...]:
    stamp = int(due_at.timestamp())
    return tuple(
        Button(
            NUDGE_BUTTONS[key],
            CHECKIN_ACTION,
            f"{pair_id}:{stamp}:{key}",
            ButtonStyle.PRIMARY if key == "met" else ButtonStyle.DEFAULT,
        )
        for key in keys
    )


def render_nudge(pair_id: int, due_at: datetime, mentee: Member, *, again: bool) -> Message:
    text = (
        f"⏰ A gentle second reminder: time to check in with {mention(mentee.user_id)}. "
        "If this week is hard, Snooze or Reschedule."
        if again
        else f"⏰ Time to check in with {mention(mentee.user_id)}. "
        "A short call or a message counts."
    )
    return Message(text, buttons=nudge_buttons(pair_id, due_at, tuple(NUDGE_BUTTONS)))


def render_mentee_nudge(pair_id: int, due_at: datetime, mentor: Member) -> Message:
    return Message(
        f"Your check-in with {mention(mentor.user_id)} is due. A short conversation counts; "
        "if you've already met, press the button.",
        buttons=nudge_buttons(pair_id, due_at, ("met",)),
    )


def render_nudge_done(partner: Member, what: str) -> Message:
    return Message(f"⏰ Check-in with {mention(partner.user_id)}: ✓ {what}")


def render_silent_card(pair_id: int, mentor: Member, mentee: Member, since: datetime) -> Message:
    return Message(
        f"🤫 **Quiet pair:** {who(mentor)} and {who(mentee)} haven't checked in since "
        f"{moment(since, 'D')}; two nudges went unanswered.",
        buttons=tuple(
            Button(label, MANAGE_ACTION, f"{pair_id}:{key}")
            for key, label in MANAGE_BUTTONS.items()
        ),
    )


def render_help_card(pair_id: int, mentor: Member, mentee: Member) -> Message:
    return Message(
        f"🆘 {who(mentor)} asked for help with their mentorship of {who(mentee)}.",
        buttons=(Button("Reach out", MANAGE_ACTION, f"{pair_id}:reach", ButtonStyle.PRIMARY),),
    )


def render_card_done(card: str, what: str) -> Message:
    return Message(f"{card}\n✓ {what}")


def feedback_button(pair_id: int) -> Button:
    return Button("Share feedback", FEEDBACK_ACTION, str(pair_id), ButtonStyle.PRIMARY)


def render_partner_gone(*, their_mentor: bool) -> Message:
    """To the partner of a member who erased their data: neutral, naming nobody."""
    if their_mentor:
        return Message(
            "Your mentor is no longer taking part in mentorship, so your mentorship has ended. "
            "Thank you for the time you gave it. I'm finding you a new mentor now."
        )
    return Message(
        "One of your mentees is no longer taking part in mentorship, so that mentorship has "
        "ended and your place is free again. Thank you for the time you gave it. "
        "Your mentorships: `/rounds mentor list`."
    )


def render_ended(opening: str, *, mentee: bool, pair_id: int) -> Message:
    """A pair has ended: thanks, a request for one line of feedback, and for the mentee the
    way to a new mentor."""
    text = (
        f"{opening} Thank you for the time you both gave it. One line of feedback helps the "
        "community (only the managers see it)."
    )
    if mentee:
        text += f" Whenever you'd like another mentor: {REQUEST_HINT}."
    return Message(text, buttons=(feedback_button(pair_id),))
