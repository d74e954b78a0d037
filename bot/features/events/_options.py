"""The typed options of the event commands, and the checks of their values."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from bot.features.events.model import EventKind, Repeat
from bot.options import Option, OptionKind

KINDS = tuple(kind.value for kind in EventKind)
REPEATS = tuple(repeat.value for repeat in Repeat)
SHORTEST, LONGEST = timedelta(minutes=15), timedelta(days=3)
DEFAULT_LENGTH = timedelta(hours=1)
ADDRESS_RE = re.compile(r"^https?://[^\s<>\"'`]+\.[^\s<>\"'`]+$", re.IGNORECASE)


def event_number(value: Any) -> int:
    text = str(value).strip().lstrip("#")
    if not text.isdigit() or not 0 < int(text) < 10**9:
        raise ValueError(value)
    return int(text)


def event_length(value: Any) -> timedelta:
    if not isinstance(value, timedelta) or not SHORTEST <= value <= LONGEST:
        raise ValueError(value)
    return value


def web_address(value: Any) -> str:
    text = str(value).strip()
    if not ADDRESS_RE.match(text):
        raise ValueError(value)
    return text


ID = Option(
    "id",
    OptionKind.TEXT,
    "the event's number",
    required=True,
    positional=True,
    max_length=12,
    convert=event_number,
    rule="an event number (see `/rounds events`)",
    shown_hint="number",
    shown_example="12",
)
TITLE = Option("title", OptionKind.TEXT, "what it's called", max_length=120)
WHEN = Option(
    "when",
    OptionKind.TEXT,
    'when it starts: "2026-03-10 18:00", "tomorrow 18:00" or "next tuesday 12:30"',
    max_length=60,
    shown_hint="YYYY-MM-DD HH:MM",
    shown_example='"tomorrow 18:00"',
)
TZ = Option("tz", OptionKind.TIMEZONE, "the time zone of `when` (default: your own)")
DURATION = Option(
    "duration",
    OptionKind.DURATION,
    "how long it lasts (default 1h)",
    convert=event_length,
    rule="a length from 15m to 3d",
    shown_example="90m",
)
KIND = Option("kind", OptionKind.CHOICE, "what kind of event (default workshop)", choices=KINDS)
CAPACITY = Option(
    "capacity",
    OptionKind.INTEGER,
    "how many seats (leave it out for no limit)",
    min_value=1,
    max_value=10_000,
)
LINK = Option(
    "link",
    OptionKind.TEXT,
    "where to join: a web address",
    max_length=500,
    convert=web_address,
    rule="a web address starting with https://",
    shown_example="https://meet.example.org/leaders",
)
DESCRIPTION = Option(
    "description", OptionKind.LONG_TEXT, "what it's about, in a few lines", max_length=1000
)
HOST = Option("host", OptionKind.MEMBER, "who hosts it (default: you)")
REPEAT = Option("repeat", OptionKind.CHOICE, "repeat it (with `until`)", choices=REPEATS)
UNTIL = Option(
    "until",
    OptionKind.TEXT,
    "the last day of a series",
    max_length=30,
    shown_hint="YYYY-MM-DD",
    shown_example="2026-06-30",
)
SERIES = Option("series", OptionKind.BOOLEAN, "apply it to every upcoming occurrence of the series")
REASON = Option(
    "reason",
    OptionKind.TEXT,
    "why, in a few words (members are told)",
    positional=True,
    greedy=True,
    max_length=300,
)
FEED_ACTION = Option(
    "action",
    OptionKind.CHOICE,
    "rotate: replace the link (the old one stops working)",
    positional=True,
    choices=("rotate",),
)
FOLLOWUP_TEXT = Option(
    "text",
    OptionKind.LONG_TEXT,
    "what to tell everyone who went",
    required=True,
    positional=True,
    greedy=True,
    max_length=1500,
)

CHANGES = (TITLE, WHEN, TZ, DURATION, KIND, CAPACITY, LINK, DESCRIPTION, HOST)
CREATE = (*CHANGES, REPEAT, UNTIL)
