"""Typed command options: their declared shape and the conversion of raw text into values.

Every platform hands the core raw strings (Slack and the console from the text form, Discord
from its typed options rendered as text), so validation happens once, here.
"""

from __future__ import annotations

import enum
import re
import zoneinfo
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.errors import UserError
from bot.messages import literal
from bot.zones import ABBREVIATIONS, find_timezone, timezone_suggestions


class OptionKind(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    INTEGER = "integer"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MEMBER = "member"
    CHANNEL = "channel"
    DATETIME = "datetime"
    DURATION = "duration"
    TIMEZONE = "timezone"


DEFAULT_MAX_LENGTH = {OptionKind.TEXT: 200, OptionKind.LONG_TEXT: 2000}
HINTS = {
    OptionKind.TEXT: "text",
    OptionKind.LONG_TEXT: "text",
    OptionKind.INTEGER: "number",
    OptionKind.BOOLEAN: "yes|no",
    OptionKind.MEMBER: "@member",
    OptionKind.CHANNEL: "#channel",
    OptionKind.DATETIME: "YYYY-MM-DD HH:MM",
    OptionKind.DURATION: "2w|3d|4h|30m",
    OptionKind.TIMEZONE: "Region/City",
}


EXAMPLES = {
    OptionKind.TEXT: '"…"',
    OptionKind.LONG_TEXT: '"…"',
    OptionKind.INTEGER: "2",
    OptionKind.BOOLEAN: "yes",
    OptionKind.MEMBER: "@alice",
    OptionKind.CHANNEL: "#introductions",
    OptionKind.DATETIME: '"2026-03-10 18:00"',
    OptionKind.DURATION: "2w",
    OptionKind.TIMEZONE: "America/Chicago",
}


@dataclass(frozen=True)
class ParseContext:
    """What conversion needs to know about the member: their zone, for dates they type."""

    now: datetime
    timezone: str | None = None


Converter = Callable[[Any], Any]


@dataclass(frozen=True)
class Option:
    name: str
    kind: OptionKind
    description: str
    required: bool = False
    positional: bool = False
    greedy: bool = False
    choices: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()
    """Other words members type for a choice, e.g. `("resident", "trainee")`."""
    min_value: int | None = None
    max_value: int | None = None
    max_length: int | None = None
    convert: Converter | None = None
    shown_hint: str = ""
    """What the usage line shows for the value (default: from the kind), e.g. `1w-8w`."""
    shown_example: str = ""
    """A value to show in examples (default: from the kind)."""
    rule: str = ""
    """What the value may be, in words. When set, every refusal of a value says this, and
    `convert` may raise `ValueError` to refuse one."""

    @property
    def hint(self) -> str:
        if self.shown_hint:
            return self.shown_hint
        if self.kind is OptionKind.CHOICE:
            return "|".join(self.choices)
        return HINTS[self.kind]

    @property
    def example(self) -> str:
        if self.shown_example:
            return self.shown_example
        if self.kind is OptionKind.CHOICE and self.choices:
            return self.choices[0]
        return EXAMPLES[self.kind]

    @property
    def length_limit(self) -> int:
        return self.max_length or DEFAULT_MAX_LENGTH.get(self.kind, 200)

    def parse(self, raw: str, ctx: ParseContext) -> Any:
        raw = raw.strip()
        if not raw:
            raise UserError(
                f"`{self.name}` is empty. Give it a value ({self.hint}).", field=self.name
            )
        if len(raw) > self.length_limit:
            raise UserError(
                f"`{self.name}` is too long ({len(raw)} characters); "
                f"the most it takes is {self.length_limit}.",
                field=self.name,
            )
        try:
            value = PARSERS[self.kind](self, raw, ctx)
            return self.convert(value) if self.convert else value
        except (UserError, ValueError) as error:
            if not self.rule:
                if isinstance(error, UserError):
                    raise
                raise UserError(
                    f"`{self.name}` can't be `{literal(raw)}`.", field=self.name
                ) from None
            raise UserError(self.refusal(raw), field=self.name) from None

    def refusal(self, raw: str) -> str:
        return f"`{self.name}` takes {self.rule}, like `{self.example}` (not `{literal(raw)}`)."


def _text(option: Option, raw: str, ctx: ParseContext) -> str:
    if any(ord(c) < 32 and c not in "\n\t" for c in raw):
        raise UserError(f"`{option.name}` has control characters in it.", field=option.name)
    return raw


def _integer(option: Option, raw: str, ctx: ParseContext) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise UserError(
            f"`{option.name}` must be a whole number, not `{literal(raw)}`.", field=option.name
        ) from None
    if option.min_value is not None and value < option.min_value:
        raise UserError(f"`{option.name}` must be at least {option.min_value}.", field=option.name)
    if option.max_value is not None and value > option.max_value:
        raise UserError(f"`{option.name}` must be at most {option.max_value}.", field=option.name)
    return value


TRUE = {"yes", "y", "true", "on", "1"}
FALSE = {"no", "n", "false", "off", "0"}


def _boolean(option: Option, raw: str, ctx: ParseContext) -> bool:
    word = raw.lower()
    if word in TRUE:
        return True
    if word in FALSE:
        return False
    raise UserError(f"`{option.name}` takes yes or no, not `{literal(raw)}`.", field=option.name)


def _choice(option: Option, raw: str, ctx: ParseContext) -> str:
    word = " ".join(raw.lower().replace("_", " ").split())
    for choice in option.choices:
        if choice.lower() in (word, word.replace(" ", "-")):
            return choice
    for alias, choice in option.aliases:
        if alias == word:
            return choice
    allowed = ", ".join(option.choices)
    raise UserError(
        f"`{option.name}` can be one of: {allowed} (not `{literal(raw)}`).", field=option.name
    )


MEMBER_RE = re.compile(r"^<@!?([\w.-]+)(?:\|[^>]*)?>$|^@([\w.-]+)$")
CHANNEL_RE = re.compile(r"^<#([\w.-]+)(?:\|[^>]*)?>$|^#([\w.-]+)$")


def _member(option: Option, raw: str, ctx: ParseContext) -> str:
    match = MEMBER_RE.match(raw)
    if not match:
        raise UserError(
            f"`{option.name}` needs a member mention such as @alice, not `{literal(raw)}`.",
            field=option.name,
        )
    return match.group(1) or match.group(2)


def _channel(option: Option, raw: str, ctx: ParseContext) -> str:
    match = CHANNEL_RE.match(raw)
    if not match:
        raise UserError(
            f"`{option.name}` needs a channel such as #introductions, not `{literal(raw)}`.",
            field=option.name,
        )
    if match.group(1):
        return match.group(1)
    return match.group(2).lower()


DURATION_RE = re.compile(r"(\d{1,6})\s*(m|min|mins|minutes?|h|hours?|d|days?|w|weeks?)", re.I)
UNITS = {
    "m": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
}
MAX_DURATION = timedelta(days=366)


def parse_duration(raw: str) -> timedelta | None:
    text = raw.replace(" ", "").lower()
    pos, total = 0, timedelta()
    for match in DURATION_RE.finditer(text):
        if match.start() != pos:
            return None
        total += int(match.group(1)) * UNITS[match.group(2)[0].lower()]
        pos = match.end()
    if pos != len(text) or not text:
        return None
    return total


def _duration(option: Option, raw: str, ctx: ParseContext) -> timedelta:
    value = parse_duration(raw)
    if value is None:
        raise UserError(
            f"`{option.name}` is a length of time like 2w, 3d, 4h or 30m, not `{literal(raw)}`.",
            field=option.name,
        )
    if option.convert is None and (value <= timedelta() or value > MAX_DURATION):
        raise UserError(f"`{option.name}` must be between 1 minute and a year.", field=option.name)
    return value


def _timezone(option: Option, raw: str, ctx: ParseContext) -> str:
    name = find_timezone(raw)
    if name:
        return name
    hint = timezone_suggestions(raw)
    shown = literal(raw)
    if raw.strip().lower().replace(" ", "_") in ABBREVIATIONS:
        why = (
            f"`{shown}` is an abbreviation, and abbreviations don't say where daylight "
            "saving applies."
        )
    else:
        why = f"`{shown}` isn't a time zone I know."
    maybe = f" Did you mean {' or '.join(f'`{h}`' for h in hint)}?" if hint else ""
    raise UserError(
        f"{why}{maybe} Use a Region/City name such as America/Chicago, Europe/London or "
        "Africa/Lagos (or UTC).",
        field=option.name,
    )


DATETIME_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


def parse_datetime(raw: str, zone_name: str | None) -> datetime | None:
    """`2026-03-10 18:00` in the member's zone, or in an explicit one (`… Europe/London`)."""
    text = raw.strip()
    parts = text.rsplit(" ", 1)
    if len(parts) == 2 and (find_timezone(parts[1]) or parts[1][:1] in "+-"):
        if parts[1][:1] in "+-":
            try:
                return datetime.fromisoformat(parts[0].replace(" ", "T") + parts[1]).astimezone(UTC)
            except ValueError:
                return None
        zone_name, text = find_timezone(parts[1]), parts[0]
    for fmt in DATETIME_FORMATS:
        try:
            naive = datetime.strptime(text, fmt)  # noqa: DTZ007 - zone attached just below
        except ValueError:
            continue
        zone = zoneinfo.ZoneInfo(zone_name or "UTC")
        return naive.replace(tzinfo=zone).astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zoneinfo.ZoneInfo(zone_name or "UTC"))
    return parsed.astimezone(UTC)


def _datetime(option: Option, raw: str, ctx: ParseContext) -> datetime:
    value = parse_datetime(raw, ctx.timezone)
    if value is None:
        raise UserError(
            f'`{option.name}` is a date and time like "2026-03-10 18:00" (your own time zone), '
            f"not `{literal(raw)}`.",
            field=option.name,
        )
    return value


PARSERS: dict[OptionKind, Callable[[Option, str, ParseContext], Any]] = {
    OptionKind.TEXT: _text,
    OptionKind.LONG_TEXT: _text,
    OptionKind.INTEGER: _integer,
    OptionKind.BOOLEAN: _boolean,
    OptionKind.CHOICE: _choice,
    OptionKind.MEMBER: _member,
    OptionKind.CHANNEL: _channel,
    OptionKind.DATETIME: _datetime,
    OptionKind.DURATION: _duration,
    OptionKind.TIMEZONE: _timezone,
}


def parse_all(
    options: Iterable[Option], values: Mapping[str, str], ctx: ParseContext, *, refused: str
) -> dict[str, Any]:
    """A form's fields, every one checked before any is used: all errors at once, each on its
    field, prefixed by `refused` (what was not done, e.g. "Nothing was saved."). Fields left
    empty, and names the options don't know, are skipped."""
    known = {option.name: option for option in options}
    parsed: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, raw in values.items():
        option = known.get(name)
        if option is None or not raw.strip():
            continue
        try:
            parsed[name] = option.parse(raw, ctx)
        except UserError as error:
            errors[name] = error.message
    if errors:
        raise UserError(f"{refused} " + " ".join(errors.values()), fields=errors)
    return parsed


def format_duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    for unit, size in (("w", 7 * 24 * 60), ("d", 24 * 60), ("h", 60)):
        if minutes and minutes % size == 0:
            return f"{minutes // size}{unit}"
    return f"{minutes}m"
