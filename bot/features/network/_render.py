"""What networking rounds say: introductions with reasons, the halfway question, status."""

from __future__ import annotations

import random
from datetime import datetime

from bot.domain import Member
from bot.features.network._pairing import hours_apart
from bot.messages import Button, ButtonStyle, Message, mention, moment, sanitize
from bot.text import listed

MET_ACTION = "network.met"
ANSWERS = {"met": "Met this week", "later": "Not yet", "skip": "Can't this time"}
NUMBERS = (
    "no",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
)
QUESTIONS = (
    "What drew you to your field, and what keeps you there?",
    "What's one project you're proud of this year?",
    "What leadership lesson did you learn the hard way?",
    "What would you like to get better at in the next six months?",
    "How does your institution support people at your stage, and what's missing?",
    "Who has been a mentor to you, and what did they do well?",
    "What's a problem in your service you'd fix with a free hand?",
)


def city(zone: str | None) -> str | None:
    if not zone or "/" not in zone:
        return None
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def time_reason(a: Member, b: Member, offsets: dict[int, float]) -> str | None:
    apart = hours_apart(offsets[a.id], offsets[b.id])
    where_a, where_b = city(a.profile.timezone), city(b.profile.timezone)
    if not (where_a and where_b):
        return None
    if apart == 0:
        return f"{where_a} and {where_b} share a clock" if where_a != where_b else None
    return f"{where_a} and {where_b} are {hours(apart)} apart"


def hours(apart: float) -> str:
    whole = int(apart)
    count = NUMBERS[whole] if whole == apart and whole < len(NUMBERS) else f"{apart:g}"
    return f"{count} hour{'s' if apart != 1 else ''}"


def shared_work(a: Member, b: Member) -> list[str]:
    """Interests and goals `a` and `b` have in common, in `a`'s order."""
    theirs = {x.lower() for x in (*b.profile.interests, *b.profile.goals)}
    return [x for x in (*a.profile.interests, *a.profile.goals) if x.lower() in theirs]


def reasons(group: list[Member], offsets: dict[int, float]) -> list[str]:
    """Why these members were matched, said to all of them: a group of three hears which two
    share what, and every city with its distance."""
    found: list[str] = []
    everyone = shared_work(group[0], group[1])
    for other in group[2:]:
        everyone = [x for x in everyone if x in shared_work(group[0], other)]
    if everyone:
        who = "you both" if len(group) == 2 else "you all"
        found.append(f"{who} work on {sanitize(' and '.join(everyone[:2]))}")
    else:
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                shared = shared_work(a, b)
                if shared and not found:
                    found.append(
                        f"{mention(a.user_id)} and {mention(b.user_id)} both work on "
                        f"{sanitize(' and '.join(shared[:2]))}"
                    )
    places = {m.profile.institution for m in group if m.profile.institution}
    if len(places) == len(group):
        found.append("you're at " + listed([sanitize(p) for p in sorted(places)]))
    placed = [m for m in group if city(m.profile.timezone)]
    if len(placed) == 3:
        found.extend(clock_reason(placed, offsets))
    elif len(placed) == 2 and (when := time_reason(placed[0], placed[1], offsets)):
        found.append(when)
    return found


def clock_reason(group: list[Member], offsets: dict[int, float]) -> list[str]:
    """Three members' cities and how far apart the furthest two are."""
    cities = list(dict.fromkeys(city(m.profile.timezone) or "" for m in group))
    if len(cities) < 2:
        return []
    widest = max(hours_apart(offsets[a.id], offsets[b.id]) for a in group for b in group)
    named = listed(cities)
    if widest == 0:
        return [f"{named} share a clock"]
    return [f"{named} are at most {hours(widest)} apart"]


def render_introduction(
    group: list[Member], offsets: dict[int, float], ends_at: datetime, seed: int
) -> Message:
    names = [mention(m.user_id) for m in group]
    who = listed(names)
    lines = [f"🤝 **Networking round:** {who}, meet each other!"]
    why = reasons(group, offsets)
    lines.append(
        ("Why you: " + "; ".join(why) + ".") if why else "You were matched to meet someone new."
    )
    lines.append(f"Find 20 minutes by {moment(ends_at, 'D')}: a call, a coffee, or a chat here.")
    lines.append("\nSome first questions:")
    rng = random.Random(seed)
    lines.extend(f"- {q}" for q in rng.sample(QUESTIONS, 3))
    lines.append("\nSee each other's profiles with `/rounds profile @name`.")
    return Message("\n".join(lines))


def render_check(pair_id: int, partners: list[Member]) -> Message:
    names = " and ".join(mention(m.user_id) for m in partners)
    return Message(
        f"Halfway through this networking round: did you meet {names}?",
        buttons=tuple(
            Button(
                label,
                MET_ACTION,
                f"{pair_id}:{key}",
                ButtonStyle.PRIMARY if key == "met" else ButtonStyle.DEFAULT,
            )
            for key, label in ANSWERS.items()
        ),
    )


def render_answered(partners: list[Member], answer: str) -> Message:
    names = " and ".join(mention(m.user_id) for m in partners)
    return Message(f"Did you meet {names}? ✓ {ANSWERS[answer]}")
