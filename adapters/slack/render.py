"""Neutral messages as Slack sees them: mrkdwn text, Block Kit blocks, modals and the Home tab.

Everything here is a pure function of the neutral model, so any feature's output renders
without touching the adapter. Slack's limits (section length, fields per section, modal title
length, options per select) are applied here, once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.messages import (
    ADDRESS,
    CODE,
    ESCAPE,
    LABEL,
    MOMENT_RE,
    Button,
    ButtonStyle,
    FieldKind,
    Form,
    FormField,
    Message,
    chunks,
    literal,
    split_literal,
    unescape,
)

FORM_CALLBACK = "rounds.form"
ACTION_SEPARATOR = "#"
INPUT_ACTION = "value"

SECTION_LIMIT = 3000
FIELD_LIMIT = 2000
FIELDS_PER_SECTION = 10
BUTTONS_PER_BLOCK = 25
BUTTON_LABEL_LIMIT = 75
VALUE_LIMIT = 2000
MESSAGE_BLOCK_LIMIT = 50
HOME_BLOCK_LIMIT = 100
MODAL_TITLE_LIMIT = 24
SELECT_OPTION_LIMIT = 100
NOTIFICATION_LIMIT = 3000

# Date formats for `<!date^…>`: Slack shows each reader the moment in their own time zone.
DATE_FORMATS = {
    "F": "{date_short_pretty} {time}",
    "f": "{date_short_pretty} {time}",
    "D": "{date_short_pretty}",
    "d": "{date_short_pretty}",
    "T": "{time}",
    "t": "{time}",
    "R": "{ago}",
}

PIECE_RE = re.compile(
    rf"(?P<escaped>{ESCAPE})"
    rf"|(?P<code>{CODE})"
    rf"|\[(?P<label>{LABEL})\]\((?P<url>(?:https?://|mailto:)[^)\s]+)\)"
    r"|<@(?P<user>[A-Za-z0-9_.-]+)>"
    r"|<#(?P<channel>[A-Za-z0-9_.-]+)>"
    r"|(?P<moment><t:-?\d+:[FfDdTtR]>)"
    rf"|(?P<address>{ADDRESS})"
)
BULLET_RE = re.compile(r"^(\s*)- ", re.MULTILINE)
# mrkdwn has no escape character: a formatting character a member typed is shown as a
# look-alike that Slack never parses (full-width forms included: Slack formats with those too).
LOOKALIKES = {
    "*": "\u2217",  # ∗ asterisk operator
    "_": "\u02cd",  # ˍ modifier letter low macron
    "~": "\u223c",  # ∼ tilde operator
    "`": "\u02cb",  # ˋ modifier letter grave accent
    "＊": "\ufe61",  # ﹡ small asterisk
    "＿": "\u2e0f",  # ⸏ paragraphos
    "｀": "\u02cb",
}
QUOTES = (">", "＞")
SOFT_HYPHEN = "\u00ad"  # invisible; a line that starts with it is not a quote


def escape(text: str) -> str:
    """Slack's three control characters; everything else is literal in mrkdwn."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def moment(token: str) -> str:
    found = MOMENT_RE.fullmatch(token)
    if found is None:  # PIECE_RE only lets well-formed tokens through
        return escape(token)
    unix, style = int(found.group(1)), found.group(2)
    fallback = f"{datetime.fromtimestamp(unix, UTC):%Y-%m-%d %H:%M} UTC"
    return f"<!date^{unix}^{DATE_FORMATS[style]}|{fallback}>"


def _plain(text: str) -> str:
    return escape(text).replace("**", "*")


def _starts_line(text: str, position: int) -> bool:
    return not text[text.rfind("\n", 0, position) + 1 : position].strip()


def shown_literally(char: str, *, line_start: bool = False, address: bool = False) -> str:
    """One character a member typed, as mrkdwn that shows exactly that character."""
    if address and char in "_~":  # formatting never starts inside a link; keep it working
        return char
    if char in QUOTES and line_start:
        return SOFT_HYPHEN + escape(char)
    return LOOKALIKES.get(char) or escape(char)


def _mixed(text: str, *, address: bool = False) -> str:
    """A link label or address that may hold escaped characters, each shown literally."""
    return "".join(
        shown_literally(run, address=address) if escaped else escape(run)
        for run, escaped in split_literal(text)
    )


def _code(piece: str) -> str:
    # nothing formats inside code; only a backtick would end it early
    return "`" + escape(unescape(piece[1:-1]).replace("`", LOOKALIKES["`"])) + "`"


def mrkdwn(text: str) -> str:
    """The Markdown subset as Slack mrkdwn, with mention, channel and time tokens."""
    text = BULLET_RE.sub(lambda m: f"{m.group(1)}• ", text)
    out: list[str] = []
    position = 0
    for piece in PIECE_RE.finditer(text):
        out.append(_plain(text[position : piece.start()]))
        position = piece.end()
        if piece.group("escaped"):
            line_start = _starts_line(text, piece.start())
            out.append(shown_literally(piece.group("escaped")[1], line_start=line_start))
        elif piece.group("code"):
            out.append(_code(piece.group("code")))
        elif piece.group("url"):
            label = _mixed(piece.group("label")).replace("|", "¦")
            out.append(f"<{unescape(piece.group('url'))}|{label}>")
        elif piece.group("user"):
            out.append(f"<@{piece.group('user')}>")
        elif piece.group("channel"):
            out.append(f"<#{piece.group('channel')}>")
        elif piece.group("moment"):
            out.append(moment(piece.group("moment")))
        else:
            out.append(_mixed(piece.group("address"), address=True))
    out.append(_plain(text[position:]))
    return "".join(out)


def plain_text(text: str, limit: int) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit) or " ", "emoji": True}


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def action_id(button: Button, index: int) -> str:
    """Slack wants action ids unique within a message: number them, and strip that on return."""
    return f"{button.action_id}{ACTION_SEPARATOR}{index}"


def button_element(button: Button, index: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": plain_text(button.label, BUTTON_LABEL_LIMIT),
        "action_id": action_id(button, index),
        "value": button.value[:VALUE_LIMIT],
    }
    if button.style is not ButtonStyle.DEFAULT:
        element["style"] = button.style.value
    return element


def blocks(message: Message) -> list[dict[str, Any]]:
    """One message as Block Kit: text sections, then fields, then rows of buttons.

    Slack takes at most 50 blocks. When a message needs more, the end of its text gives way:
    its buttons and its file note are what the reader acts on, so they are kept.
    """
    content: list[dict[str, Any]] = []
    text = mrkdwn(message.text)
    if text.strip():
        content += [
            {"type": "section", "text": {"type": "mrkdwn", "text": part}}
            for part in chunks(text, SECTION_LIMIT)
            if part.strip()
        ]
    fields = [
        {"type": "mrkdwn", "text": clip(f"*{mrkdwn(label)}*\n{mrkdwn(value)}", FIELD_LIMIT)}
        for label, value in message.fields
    ]
    for start in range(0, len(fields), FIELDS_PER_SECTION):
        content.append({"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]})
    controls: list[dict[str, Any]] = []
    buttons = [button_element(b, i) for i, b in enumerate(message.buttons)]
    for start in range(0, len(buttons), BUTTONS_PER_BLOCK):
        controls.append({"type": "actions", "elements": buttons[start : start + BUTTONS_PER_BLOCK]})
    if message.attachment is not None:
        controls.append(
            {
                "type": "context",
                "elements": [
                    {"type": "mrkdwn", "text": f"📎 {mrkdwn(literal(message.attachment.name))}"}
                ],
            }
        )
    controls = controls[-MESSAGE_BLOCK_LIMIT:]
    return content[: MESSAGE_BLOCK_LIMIT - len(controls)] + controls


def notification(message: Message) -> str:
    """The `text` Slack shows in notifications and where blocks can't be shown."""
    return clip(mrkdwn(message.text), NOTIFICATION_LIMIT) or " "


def message_payload(message: Message) -> dict[str, Any]:
    return {"text": notification(message), "blocks": blocks(message)}


def home_view(messages: Sequence[Message]) -> dict[str, Any]:
    """The App Home tab: each programme's section, separated by dividers."""
    result: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if index:
            result.append({"type": "divider"})
        result += blocks(message)
    if not result:
        result = [{"type": "section", "text": {"type": "mrkdwn", "text": "Nothing here yet."}}]
    return {"type": "home", "blocks": result[:HOME_BLOCK_LIMIT]}


# -- forms ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Origin:
    """Where a form was opened, carried in the modal so its answer goes back there."""

    channel_id: str | None = None
    response_url: str | None = None
    home: bool = False


def form_metadata(form: Form, origin: Origin) -> str:
    return json.dumps(
        {
            "form": form.form_id,
            "context": form.context,
            "channel": origin.channel_id,
            "url": origin.response_url,
            "home": origin.home,
        }
    )


def _option(choice: str) -> dict[str, Any]:
    return {"text": plain_text(choice, 75), "value": choice[:150]}


def input_element(field: FormField) -> dict[str, Any]:
    element: dict[str, Any]
    if field.kind is FieldKind.CHOICE:
        element = {
            "type": "static_select",
            "options": [_option(c) for c in field.choices[:SELECT_OPTION_LIMIT]],
        }
        if field.initial in field.choices:
            element["initial_option"] = _option(field.initial)
    else:
        element = {"type": "plain_text_input", "max_length": field.max_length}
        if field.kind is FieldKind.LONG_TEXT:
            element["multiline"] = True
        if field.initial:
            element["initial_value"] = field.initial[: field.max_length]
    placeholder = field.placeholder or PLACEHOLDERS.get(field.kind, "")
    if placeholder:
        element["placeholder"] = plain_text(placeholder, 150)
    element["action_id"] = INPUT_ACTION
    return element


PLACEHOLDERS = {
    FieldKind.DATETIME: "YYYY-MM-DD HH:MM, in your time zone",
    FieldKind.TIMEZONE: "Region/City, e.g. America/Chicago",
}


def modal(form: Form, origin: Origin) -> dict[str, Any]:
    """A form as a modal; `block_id` is the field name, so errors land on the right field."""
    view_blocks: list[dict[str, Any]] = [
        {
            "type": "input",
            "block_id": field.name,
            "optional": not field.required,
            "label": plain_text(field.label, 2000),
            "element": input_element(field),
        }
        for field in form.fields
    ]
    if form.hint:
        view_blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn(form.hint)}]}
        )
    return {
        "type": "modal",
        "callback_id": FORM_CALLBACK,
        "private_metadata": form_metadata(form, origin),
        "title": plain_text(form.title, MODAL_TITLE_LIMIT),
        "submit": plain_text(form.submit_label, MODAL_TITLE_LIMIT),
        "close": plain_text("Cancel", MODAL_TITLE_LIMIT),
        "blocks": view_blocks,
    }


def modal_errors(field_errors: Mapping[str, str], field_names: Iterable[str]) -> dict[str, str]:
    """Errors keyed by block id. An error about no particular field goes on the first one."""
    names = list(field_names)
    errors: dict[str, str] = {}
    for name, text in field_errors.items():
        key = name if name in names else names[0]
        errors[key] = clip(f"{errors[key]} {text}" if key in errors else text, 500)
    return errors
