"""The neutral message model: what features say, and where it goes. Adapters render it.

Text is a small Markdown subset (`**bold**`, `_italic_`, `` `code` ``, `[label](url)`, bullet
lines starting with `- `). Inline tokens are rendered by each platform for its readers:
`<@USER_ID>` mentions a member, `<#CHANNEL_ID>` names a channel and `<t:UNIX:STYLE>` is a
moment in time (style `F` full date and time, `R` relative, `D` date, `t` time). Text a member
wrote goes through `sanitize` first so it can never forge a token.
"""

from __future__ import annotations

import base64
import enum
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

TOKEN_RE = re.compile(r"<(@|#|t:)([^<>\s]+)>")
MENTION_RE = re.compile(r"<@([^<>\s:]+)>")
CHANNEL_RE = re.compile(r"<#([^<>\s:|]+)>")
MOMENT_RE = re.compile(r"<t:(-?\d+):([FfDdTtR])>")


def mention(user_id: str) -> str:
    return f"<@{user_id}>"


def channel(channel_id: str) -> str:
    return f"<#{channel_id}>"


def moment(at: datetime, style: str = "F") -> str:
    return f"<t:{int(at.timestamp())}:{style}>"


def sanitize(text: str) -> str:
    """Make member-written text safe to embed: it cannot produce mention or time tokens."""
    return TOKEN_RE.sub(lambda m: f"‹{m.group(1)}{m.group(2)}›", text)


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
class Message:
    text: str
    fields: tuple[tuple[str, str], ...] = ()
    buttons: tuple[Button, ...] = ()
    attachment: Attachment | None = None

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


Target = DirectMessage | ChannelPost | GroupMessage


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

    def reply(self, message: Message | str, *, private: bool = True) -> None:
        if isinstance(message, str):
            message = Message(message)
        self.replies.append(Reply(message, private))
