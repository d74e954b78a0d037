"""The neutral message model: what features say, and where it goes. Adapters render it.

Text is a small Markdown subset (`**bold**`, `_italic_`, `` `code` ``, `[label](url)`, bullet
lines starting with `- `). Inline tokens are rendered by each platform for its readers:
`<@USER_ID>` mentions a member, `<#CHANNEL_ID>` names a channel and `<t:UNIX:STYLE>` is a
moment in time (style `F` full date and time, `R` relative, `D` date, `t` time).

Member text is literal. Anything a member wrote (profile fields, display names, setting values,
a search they typed) goes through `literal` (also called `sanitize`) before it is embedded in
text or in a field, so it can neither format itself, nor break the formatting around it, nor
forge a link, a mention, a channel, a time or a command. `literal` puts a backslash before every
character of `LITERAL_CHARS` (and before the `.` of a line's leading `1.`), as CommonMark does.
A backslash before one of those characters always means "this character, as itself", inside
code spans and link labels too. Each renderer shows it literally its own way:
- Discord keeps the backslash (its Markdown honours it; `/` needs none).
- Slack mrkdwn has no escape, and zero-width spaces around `*` make Slack format *more*, not
  less: `*`, `_`, `~` and the backtick (and the full-width `＊ ＿ ｀`, which Slack formats too)
  become look-alikes (`∗ ˍ ∼ ˋ`, as the jsx-slack library does), `<` `>` become `&lt;` `&gt;`,
  and a `>` that starts a line gets an invisible soft hyphen so it is not a quote.
- The console prints the character.
Inside a web address a member wrote (`https://…`), `_`, `~`, `-`, `.` and `#` are shown
unchanged so the address still works (nothing formats inside a link).

Plain-text slots are never markup: button labels, form titles, form field labels, choices and
initial values, attachment names. Put member text there as it is, never through `literal`
(a form would show the backslashes and save them back).

Ping syntax the core never writes is neutralised by the renderers in all text, escaped or not,
so even text that missed `literal` cannot ping a crowd: on Discord a zero-width space follows
the `@` of `@everyone`, `@here`, `<@&role>`, `<@!id>`; on Slack every `<` outside the core's own
tokens is `&lt;` (so no `<!channel>`), and plain `@here` is never parsed (no `link_names`).
"""

from __future__ import annotations

import base64
import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

MENTION_RE = re.compile(r"<@([^<>\s:]+)>")
CHANNEL_RE = re.compile(r"<#([^<>\s:|]+)>")
MOMENT_RE = re.compile(r"<t:(-?\d+):([FfDdTtR])>")


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def moment(at: datetime, style: str = "F") -> str:
    return f"<t:{int(at.timestamp())}:{style}>"


# Markup in the subset or on a platform: Markdown and mrkdwn delimiters, quotes, headings and
# list markers, Discord spoilers, token brackets, link brackets, the `/` that starts a command
# name, the full-width forms Slack formats too, and the backslash itself.
LITERAL_CHARS = "\\`*_~|<>[]#-+/＊＿｀＞"
_ESCAPABLE = LITERAL_CHARS + "."
ESCAPE = r"\\[" + re.escape(_ESCAPABLE) + "]"
"""One escaped character, as a regular expression (renderers put it first in their scanners)."""
_BACKSLASH = r"\\(?![" + re.escape(_ESCAPABLE) + "])"  # a backslash that escapes nothing
CODE = r"`(?:" + ESCAPE + "|" + _BACKSLASH + r"|[^`\\\n])+`"
"""A code span whose text may hold escaped characters (an escaped backtick does not end it)."""
LABEL = r"(?:" + ESCAPE + "|" + _BACKSLASH + r"|[^\]\\\n])+"
"""A link label whose text may hold escaped characters (an escaped `]` does not end it)."""
ADDRESS = r"(?:https?|mailto):(?:" + ESCAPE + r"|[^\s<>\\*_~`\[\]|])+"
"""A web address in text, escaped characters included. It stops at unescaped markup, so the
formatting around it (`**https://…**`) stays the bot's."""
_ESCAPE_RE = re.compile(r"\\([" + re.escape(_ESCAPABLE) + "])")
_MARKUP_RE = re.compile("[" + re.escape(LITERAL_CHARS) + "]")
_ORDERED_RE = re.compile(r"(^|\n)([ \t]*\d+)\.")  # "1. " starts a list on Discord


def literal(text: str) -> str:
    """Member-written text, escaped so every platform shows it as typed (module docstring)."""
    return _ORDERED_RE.sub(r"\1\2\\.", _MARKUP_RE.sub(lambda m: "\\" + m.group(0), text))


sanitize = literal
"""The older name of `literal`, kept so feature code reads the same."""


def split_literal(text: str) -> list[tuple[str, bool]]:
    """`text` as runs of markup (False) and single escaped characters, unescaped (True)."""
    runs: list[tuple[str, bool]] = []
    position = 0
    for found in _ESCAPE_RE.finditer(text):
        if found.start() > position:
            runs.append((text[position : found.start()], False))
        runs.append((found.group(1), True))
        position = found.end()
    if position < len(text):
        runs.append((text[position:], False))
    return runs


def unescape(text: str) -> str:
    """The characters `literal` escaped, as themselves (for code spans, addresses, plain text)."""
    return _ESCAPE_RE.sub(r"\1", text)


class ButtonStyle(enum.StrEnum):
    DEFAULT = "default"
    PRIMARY = "primary"
    DANGER = "danger"


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str = ""
    style: ButtonStyle = ButtonStyle.DEFAULT


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes
    mime_type: str


class FieldKind(enum.StrEnum):
    TEXT = "text"
    LONG_TEXT = "long_text"
    CHOICE = "choice"
    DATETIME = "datetime"
    TIMEZONE = "timezone"


@dataclass(frozen=True)
class FormField:
    name: str
    label: str
    kind: FieldKind = FieldKind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    initial: str = ""
    placeholder: str = ""
    max_length: int = 200


MAX_FORM_FIELDS = 5  # Discord modals hold five inputs


@dataclass(frozen=True)
class Form:
    """A titled set of fields. Every form has a command-line equivalent, named in `hint`.

    `context` is an opaque value (e.g. an event id) handed back with the submission.
    """

    form_id: str
    title: str
    fields: tuple[FormField, ...]
    submit_label: str = "Save"
    context: str = ""
    hint: str = ""

    def __post_init__(self) -> None:
        if not 1 <= len(self.fields) <= MAX_FORM_FIELDS:
            raise ValueError(f"a form has 1 to {MAX_FORM_FIELDS} fields, not {len(self.fields)}")
        if len(self.title) > 45:
            raise ValueError("form titles are at most 45 characters (Discord's limit)")


@dataclass(frozen=True)
class Listing:
    """A community event as a platform lists it natively (Discord's Scheduled Events): plain
    text, never markup. Only a delivery to `EventListing` carries one."""

    name: str
    starts_at: datetime
    ends_at: datetime
    location: str
    description: str = ""
    cancelled: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "starts_at": self.starts_at.isoformat(),
            "ends_at": self.ends_at.isoformat(),
            "location": self.location,
            "description": self.description,
            "cancelled": self.cancelled,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Listing:
        return cls(
            name=data["name"],
            starts_at=datetime.fromisoformat(data["starts_at"]),
            ends_at=datetime.fromisoformat(data["ends_at"]),
            location=data["location"],
            description=data.get("description", ""),
            cancelled=bool(data.get("cancelled")),
        )


@dataclass(frozen=True)
class Message:
    text: str
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = None
    listing: Listing | None = None

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"text": self.text}
        if self.fields:
            data["fields"] = [list(pair) for pair in self.fields]
        if self.buttons:
            data["buttons"] = [
                {"label": b.label, "action_id": b.action_id, "value": b.value, "style": b.style}
                for b in self.buttons
            ]
        if self.attachment:
            data["attachment"] = {
                "name": self.attachment.name,
                "mime_type": self.attachment.mime_type,
                "data": base64.b64encode(self.attachment.data).decode("ascii"),
            }
        if self.listing:
            data["listing"] = self.listing.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Message:
        attachment = data.get("attachment")
        return cls(
            text=data["text"],
            fields=tuple((str(k), str(v)) for k, v in data.get("fields", [])),
            buttons=tuple(
                Button(b["label"], b["action_id"], b.get("value", ""), ButtonStyle(b["style"]))
                for b in data.get("buttons", [])
            ),
            attachment=Attachment(
                attachment["name"], base64.b64decode(attachment["data"]), attachment["mime_type"]
            )
            if attachment
            else None,
            listing=Listing.from_dict(data["listing"]) if data.get("listing") else None,
        )


@dataclass(frozen=True)
class DirectMessage:
    user_id: str


@dataclass(frozen=True)
class ChannelPost:
    channel_id: str
    thread_ref: str | None = None


@dataclass(frozen=True)
class GroupMessage:
    """One conversation with several members (a Slack group DM). Platforms without group DMs
    get a direct message to each member instead (the dispatcher does that)."""

    user_ids: tuple[str, ...]


@dataclass(frozen=True)
class EventListing:
    """The platform's own list of community events (Discord's Scheduled Events), for platforms
    with the `NativeEvents` capability. The message's `listing` says what to list; a newer
    version updates the same listing."""


Target = DirectMessage | ChannelPost | GroupMessage | EventListing


@dataclass(frozen=True)
class Reply:
    """An answer to the command in hand: private (ephemeral) or public in the channel."""

    message: Message
    private: bool = True


@dataclass
class Outcome:
    """Everything the core answers to one command, button press or form submission."""

    replies: list[Reply] = field(default_factory=list)
    form: Form | None = None
    field_errors: dict[str, str] = field(default_factory=dict)
    updated: Message | None = None
    refused: bool = False
    """The member's input was refused (nothing changed): a form they submitted stays open."""

    def reply(self, message: Message | str, *, private: bool = True) -> None:
        if isinstance(message, str):
            message = Message(message)
        self.replies.append(Reply(message, private))


def chunks(text: str, limit: int) -> list[str]:
    """Split at line breaks so each piece fits a platform's limit (a Slack section block, a
    Discord embed); a line longer than the limit is cut."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces
