"""Neutral messages as console text: tokens become @names, #channels and readable times.

Markup is printed as it is (`**bold**` stays `**bold**`); what a member typed is printed as
they typed it, without the backslashes that keep it literal elsewhere.
"""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime

from bot.messages import (
    CHANNEL_RE,
    CODE,
    ESCAPE,
    LABEL,
    MENTION_RE,
    MOMENT_RE,
    Form,
    Message,
    unescape,
)

PIECE_RE = re.compile(
    rf"(?P<escaped>{ESCAPE})"
    rf"|(?P<code>{CODE})"
    rf"|\[(?P<label>{LABEL})\]\((?P<url>[^)\s]+)\)"
    rf"|(?P<token>{MENTION_RE.pattern}|{CHANNEL_RE.pattern}|{MOMENT_RE.pattern})"
)


def relative(at: datetime, now: datetime) -> str:
    seconds = int((at - now).total_seconds())
    size = abs(seconds)
    for unit, length in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if size >= length:
            count = size // length
            text = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {text}" if seconds > 0 else f"{text} ago"
    return "now"


def render_time(at: datetime, style: str, zone_name: str | None, now: datetime) -> str:
    zone = zoneinfo.ZoneInfo(zone_name or "UTC")
    here = at.astimezone(zone)
    if style == "R":
        return relative(at, now)
    if style in "dD":
        return f"{here:%a %d %b %Y}"
    if style in "tT":
        return f"{here:%H:%M} {here.tzname()}"
    return f"{here:%a %d %b %Y, %H:%M} {here.tzname()}"


def render_text(text: str, zone_name: str | None, now: datetime) -> str:
    def piece(found: re.Match[str]) -> str:
        if found.group("escaped"):
            return found.group("escaped")[1]
        if found.group("code"):
            return unescape(found.group("code"))
        if found.group("url"):
            label = render_text(found.group("label"), zone_name, now)
            return f"{label} ({unescape(found.group('url'))})"
        return token(found.group("token"), zone_name, now)

    return PIECE_RE.sub(piece, text)


def token(text: str, zone_name: str | None, now: datetime) -> str:
    if found := MENTION_RE.fullmatch(text):
        return f"@{found.group(1)}"
    if found := CHANNEL_RE.fullmatch(text):
        return f"#{found.group(1)}"
    found = MOMENT_RE.fullmatch(text)
    assert found is not None  # PIECE_RE only lets these three kinds through
    at = datetime.fromtimestamp(int(found.group(1)), UTC)
    return render_time(at, found.group(2), zone_name, now)


def body_lines(message: Message, zone_name: str | None, now: datetime) -> list[str]:
    lines = render_text(message.text, zone_name, now).split("\n")
    lines += [
        f"{render_text(k, zone_name, now)}: {render_text(v, zone_name, now)}"
        for k, v in message.fields
    ]
    lines += [f"[button] {button.label}" for button in message.buttons]
    if message.attachment is not None:
        lines.append(f"[file] {message.attachment.name}")
    return lines


def example(form: Form) -> str:
    """`field=value` for the form's first field, the way the member would type it."""
    first = form.fields[0]
    value = first.choices[0] if first.choices else (first.initial or first.placeholder or "…")
    return f'{first.name}="{value}"' if " " in value or value == "…" else f"{first.name}={value}"


def form_lines(form: Form) -> list[str]:
    names = []
    for field in form.fields:
        shown = field.name
        if field.choices:
            shown += f" ({'|'.join(field.choices)})"
        names.append(shown + ("*" if field.required else ""))
    lines = [f"[form] {form.title}", f"fields: {', '.join(names)}"]
    lines.append(f"Fill it in with: submit field=value …   e.g. submit {example(form)}")
    if form.hint:
        lines.append(unescape(form.hint))  # printed as markup, like every hint before it
    return lines


def block(header: str, lines: list[str]) -> str:
    return "\n".join([header, *(f"  {line}" if line else "" for line in lines)])
