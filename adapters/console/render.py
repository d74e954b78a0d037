"""Neutral messages as console text: tokens become @names, #channels and readable times."""

from __future__ import annotations

import re
import zoneinfo
from datetime import UTC, datetime

from bot.messages import CHANNEL_RE, MENTION_RE, MOMENT_RE, Form, Message

LINK_RE = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")


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
    text = MENTION_RE.sub(lambda m: f"@{m.group(1)}", text)
    text = CHANNEL_RE.sub(lambda m: f"#{m.group(1)}", text)
    text = MOMENT_RE.sub(
        lambda m: render_time(
            datetime.fromtimestamp(int(m.group(1)), UTC), m.group(2), zone_name, now
        ),
        text,
    )
    return LINK_RE.sub(lambda m: f"{m.group(1)} ({m.group(2)})", text)


def body_lines(message: Message, zone_name: str | None, now: datetime) -> list[str]:
    lines = render_text(message.text, zone_name, now).split("\n")
    lines += [f"{k}: {render_text(v, zone_name, now)}" for k, v in message.fields]
    lines += [f"[button] {button.label}" for button in message.buttons]
    if message.attachment is not None:
        lines.append(f"[file] {message.attachment.name}")
    return lines


def form_lines(form: Form) -> list[str]:
    names = []
    for field in form.fields:
        shown = field.name
        if field.choices:
            shown += f" ({'|'.join(field.choices)})"
        names.append(shown + ("*" if field.required else ""))
    lines = [f"[form] {form.title}", f"fields: {', '.join(names)}"]
    lines.append('Fill it in with: submit field=value …   e.g. submit name="Ada Obi"')
    if form.hint:
        lines.append(form.hint)
    return lines


def block(header: str, lines: list[str]) -> str:
    return "\n".join([header, *(f"  {line}" if line else "" for line in lines)])
