"""What community events say: the card, the list, one event in detail, reminders and notices.
Times are time tokens, so each reader sees their own zone; member text is literal."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from bot.domain import Member
from bot.features.events.model import Answer, Occurrence, Repeat, Series
from bot.messages import Button, ButtonStyle, Listing, Message, literal, mention, moment

RSVP_ACTION = "event.rsvp"
BUTTONS = (
    ("Going", Answer.GOING, ButtonStyle.PRIMARY),
    ("Maybe", Answer.MAYBE, ButtonStyle.DEFAULT),
    ("Can't go", Answer.NO, ButtonStyle.DEFAULT),
)
KIND_ICONS = {"workshop": "🛠️", "forum": "🌐", "webinar": "🎥", "meetup": "🤝"}
MOST_NAMES = 40
LISTING_NAME, LISTING_LOCATION, LISTING_DESCRIPTION = 100, 100, 1000


def rsvp_buttons(occurrence: Occurrence) -> tuple[Button, ...]:
    return tuple(
        Button(label, RSVP_ACTION, f"{occurrence.id}:{answer.value}", style)
        for label, answer, style in BUTTONS
    )


def length(duration: timedelta) -> str:
    minutes = int(duration.total_seconds() // 60)
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def repeats(series: Series | None) -> str:
    if series is None or series.repeat is None or series.until is None:
        return ""
    how = {Repeat.WEEKLY: "weekly", Repeat.BIWEEKLY: "every two weeks", Repeat.MONTHLY: "monthly"}
    return f"Repeats {how[series.repeat]} until {series.until:%a %d %b %Y}"


def seats(occurrence: Occurrence, counts: Mapping[Answer, int]) -> str:
    going, maybe = counts.get(Answer.GOING, 0), counts.get(Answer.MAYBE, 0)
    waiting = counts.get(Answer.WAITLIST, 0)
    capacity = occurrence.details.capacity
    if capacity is None:
        return f"{going} going · {maybe} maybe"
    left = max(capacity - going, 0)
    text = f"{left} of {capacity} left · {going} going · {maybe} maybe"
    return text + (f" · {waiting} on the waitlist" if waiting else "")


def header(occurrence: Occurrence) -> str:
    details = occurrence.details
    icon = KIND_ICONS.get(details.kind.value, "📅")
    return f"{icon} **{literal(details.title)}** · {details.kind.value}"


def render_card(
    occurrence: Occurrence,
    series: Series | None,
    counts: Mapping[Answer, int],
    host: Member | None,
) -> Message:
    """The card in the events channel (and the top of `/rounds event <id>`)."""
    details = occurrence.details
    if occurrence.cancelled:
        lines = [
            f"❌ **Cancelled: {literal(details.title)}** (was {moment(occurrence.starts_at)})",
        ]
        if occurrence.cancel_reason:
            lines.append(f"Reason: {literal(occurrence.cancel_reason)}")
        lines.append(f"Event {occurrence.number} · nothing to do: reminders won't come.")
        return Message("\n".join(lines))
    lines = [header(occurrence)]
    if details.description:
        lines.append(literal(details.description))
    fields = [
        ("When", f"{moment(occurrence.starts_at)} ({moment(occurrence.starts_at, 'R')})"),
        ("Duration", length(details.duration)),
    ]
    if host is not None:
        fields.append(("Host", mention(host.user_id)))
    if details.link:
        fields.append(("Join", literal(details.link)))
    fields.append(("Seats" if details.capacity else "Answers", seats(occurrence, counts)))
    footer = f"Event {occurrence.number} · details: `/rounds event {occurrence.number}`"
    if repeats(series):
        footer = f"{repeats(series)} · {footer}"
    lines.append(footer)
    return Message("\n".join(lines), tuple(fields), rsvp_buttons(occurrence))


def names(members: list[Member]) -> str:
    shown = ", ".join(mention(m.user_id) for m in members[:MOST_NAMES])
    more = len(members) - MOST_NAMES
    return shown + (f" and {more} more" if more > 0 else "")


def render_details(
    card: Message,
    occurrence: Occurrence,
    people: Mapping[Answer, list[Member]],
    mine: Answer | None,
) -> Message:
    """One event with who is going (names), for `/rounds event <id>`."""
    lines = [card.text]
    for answer, title in (
        (Answer.GOING, "Going"),
        (Answer.MAYBE, "Maybe"),
        (Answer.WAITLIST, "Waitlist"),
    ):
        members = people.get(answer, [])
        if members:
            lines.append(f"**{title} ({len(members)})**: {names(members)}")
    shown = (Answer.GOING, Answer.MAYBE, Answer.WAITLIST)
    if not any(people.get(a) for a in shown) and not occurrence.cancelled:
        lines.append(
            "Nobody is going yet: be the first."
            if people.get(Answer.NO)
            else "Nobody has answered yet: be the first."
        )
    if mine is not None:
        lines.append(f"Your answer: {answer_text(mine)}.")
    if not occurrence.cancelled:
        lines.append(f"Add it to your calendar: `/rounds event ics {occurrence.number}`")
    return Message("\n".join(lines), card.fields, card.buttons)


def answer_text(answer: Answer) -> str:
    return {
        Answer.GOING: "going ✓",
        Answer.MAYBE: "maybe",
        Answer.NO: "can't go",
        Answer.WAITLIST: "on the waitlist",
    }[answer]


def render_list(
    upcoming: list[Occurrence],
    counts: Mapping[int, Mapping[Answer, int]],
    mine: Mapping[int, Answer],
) -> Message:
    lines = ["**Upcoming events** (times in your own time zone)"]
    for occurrence in upcoming:
        details = occurrence.details
        line = (
            f"- **{occurrence.number}** · {literal(details.title)} ({details.kind.value}) · "
            f"{moment(occurrence.starts_at)} · {length(details.duration)}"
        )
        if details.capacity is not None:
            left = max(details.capacity - counts[occurrence.id].get(Answer.GOING, 0), 0)
            line += f" · {left} seat{'s' if left != 1 else ''} left"
        if occurrence.id in mine and mine[occurrence.id] is not Answer.NO:
            line += f" · you: {answer_text(mine[occurrence.id])}"
        lines.append(line)
    first = upcoming[0].number
    lines.append(f"\nSee one, with who's going: `/rounds event {first}`.")
    return Message("\n".join(lines))


def render_reminder(occurrence: Occurrence, answer: Answer | None) -> Message:
    details = occurrence.details
    lines = [
        f"⏰ **{literal(details.title)}** starts {moment(occurrence.starts_at, 'R')}: "
        f"{moment(occurrence.starts_at)} ({length(details.duration)})."
    ]
    if details.link:
        lines.append(f"Join: {literal(details.link)}")
    if answer is not None:
        lines.append("Plans changed? Answer again below; a freed seat goes to the waitlist.")
    else:
        lines.append(f"Details and who's going: `/rounds event {occurrence.number}`")
    return Message("\n".join(lines), buttons=rsvp_buttons(occurrence))


def render_changed(occurrence: Occurrence, changes: list[str]) -> Message:
    what = "; ".join(changes)
    when = moment(occurrence.starts_at)
    still = "" if when in what else f"When: {when}. "  # a new time is said once
    return Message(
        f"✏️ **{literal(occurrence.details.title)}** (event {occurrence.number}) has changed: "
        f"{what}.\n{still}Still coming? Your answer stands; change it below.",
        buttons=rsvp_buttons(occurrence),
    )


def render_cancelled(occurrence: Occurrence) -> Message:
    text = (
        f"❌ **{literal(occurrence.details.title)}** on {moment(occurrence.starts_at)} "
        f"(event {occurrence.number}) is cancelled."
    )
    if occurrence.cancel_reason:
        text += f"\nReason: {literal(occurrence.cancel_reason)}"
    text += "\nNo need to do anything. See what else is coming up: `/rounds events`."
    return Message(text)


def render_promoted(occurrence: Occurrence) -> Message:
    return Message(
        f"🎉 A seat opened up: you're now going to **{literal(occurrence.details.title)}**, "
        f"{moment(occurrence.starts_at)}. Can't make it any more? Free the seat below.",
        buttons=rsvp_buttons(occurrence),
    )


def render_followup(occurrence: Occurrence, host: Member | None, text: str) -> Message:
    who = f" from {mention(host.user_id)}" if host else ""
    return Message(
        f"📝 A follow-up{who} on **{literal(occurrence.details.title)}** "
        f"({moment(occurrence.starts_at, 'D')}):\n{literal(text)}"
    )


def render_listing(occurrence: Occurrence) -> Listing:
    """The event as Discord lists it natively: plain text, within Discord's limits."""
    details = occurrence.details
    link = details.link if len(details.link) <= LISTING_LOCATION else ""
    description = details.description
    footer = f"RSVP with the buttons on the card, or /rounds event {occurrence.number}."
    room = LISTING_DESCRIPTION - len(footer) - 2
    description = description[: room - 1] + "…" if len(description) > room else description
    return Listing(
        name=details.title[:LISTING_NAME],
        starts_at=occurrence.starts_at,
        ends_at=occurrence.ends_at,
        location=link or "Online: the link is on the card in the events channel",
        description=f"{description}\n\n{footer}".strip(),
        cancelled=occurrence.cancelled,
    )
