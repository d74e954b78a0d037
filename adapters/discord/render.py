"""Neutral messages as Discord messages: text, embed fields, buttons, files.

Discord already speaks the core's Markdown subset, its backslash escapes and its `<@id>`,
`<#id>` and `<t:unix:F>` tokens, so text mostly passes through; what changes is where long text
and fields go (an embed), how buttons carry their action (custom ids), how `/rounds …` commands
are named here, and that nothing in the text can ping a crowd or a role.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Any

import discord

from adapters.discord.components import ActionButton
from adapters.discord.schema import Schema, discord_name
from adapters.discord.translate import button_id
from bot.messages import (
    ADDRESS,
    CODE,
    ESCAPE,
    LABEL,
    ButtonStyle,
    Message,
    chunks,
    split_literal,
    unescape,
)
from bot.router import TOP

MAX_CONTENT = 2000
MAX_DESCRIPTION = 4096
MAX_EMBED_TEXT = 6000  # all of a message's embeds together
MAX_FIELDS = 25
MAX_FIELD_NAME = 256
MAX_FIELD_VALUE = 1024
MAX_BUTTONS = 25
MAX_LABEL = 80
# `(?<!\\)`: a `/rounds` a member typed arrives escaped (`\/rounds`) and is left as typed
COMMAND_RE = re.compile(r"(?<!\\)" + re.escape(TOP) + r"((?: [a-z][a-z-]*)*)")
STYLES = {
    ButtonStyle.DEFAULT: discord.ButtonStyle.secondary,
    ButtonStyle.PRIMARY: discord.ButtonStyle.primary,
    ButtonStyle.DANGER: discord.ButtonStyle.danger,
}
ALLOWED_MENTIONS = discord.AllowedMentions(everyone=False, roles=False, users=True)


@dataclass(frozen=True)
class RenderedButton:
    label: str
    custom_id: str
    style: ButtonStyle


@dataclass
class Rendered:
    """A Discord message as plain data (tests assert on this; `kwargs` makes SDK objects)."""

    content: str = ""
    description: str | None = None
    more: list[str] = field(default_factory=list)
    """Text longer than one embed holds, in further embeds (split at line breaks)."""
    fields: list[tuple[str, str]] = field(default_factory=list)
    buttons: list[RenderedButton] = field(default_factory=list)
    file: tuple[str, bytes] | None = None

    def kwargs(self, *, edit: bool = False) -> dict[str, Any]:
        embeds = []
        if self.description is not None or self.fields:
            embeds = [discord.Embed(description=self.description)]
            embeds += [discord.Embed(description=text) for text in self.more]
            for name, value in self.fields:  # after all the text
                embeds[-1].add_field(name=name, value=value, inline=False)
        view = None
        if self.buttons:
            view = discord.ui.View(timeout=None)
            for button in self.buttons:
                view.add_item(ActionButton(button.label, button.custom_id, STYLES[button.style]))
            view.stop()  # fully dynamic: presses are routed by custom id, not kept in memory
        data: dict[str, Any] = {"content": self.content or None}
        data["allowed_mentions"] = ALLOWED_MENTIONS
        if edit:
            data.update(embeds=embeds, view=view)
            if self.file is not None:
                data["attachments"] = [discord.File(io.BytesIO(self.file[1]), self.file[0])]
            return data
        if embeds:
            data["embeds"] = embeds
        if view is not None:
            data["view"] = view
        if self.file is not None:
            data["file"] = discord.File(io.BytesIO(self.file[1]), filename=self.file[0])
        return data


def clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


CODE_COMMAND_RE = re.compile(r"(?<!\\)`(" + re.escape(TOP) + r"(?:\\.|[^`\\])*)`")
ARGUMENT_RE = re.compile(r'\b([a-z][a-z0-9_.-]*)=(?:"([^"]*)"|(\S+))')


def discord_arguments(text: str) -> str:
    """`key=value` in a command example becomes Discord's `key:value` (no quotes needed)."""

    def options(match: re.Match[str]) -> str:
        example = ARGUMENT_RE.sub(
            lambda m: f"{discord_name(m.group(1))}:{m.group(2) or m.group(3)}", match.group(1)
        )
        return f"`{example}`"

    return CODE_COMMAND_RE.sub(options, text)


def name_commands(text: str, schema: Schema) -> str:
    """`/rounds config` in core text becomes how Discord types it: `/rounds-manage config show`,
    with `key=value` examples as `key:value`."""
    text = discord_arguments(text)

    def replace(match: re.Match[str]) -> str:
        words = match.group(1).split()
        for length in range(len(words), 0, -1):
            typed = schema.commands.get(tuple(words[:length]))
            if typed:
                rest = " ".join(words[length:])
                return f"{typed} {rest}" if rest else typed
        return match.group(0)

    return COMMAND_RE.sub(replace, text)


PIECE_RE = re.compile(
    rf"(?P<escaped>{ESCAPE})"
    rf"|(?P<code>{CODE})"
    rf"|\[(?P<label>{LABEL})\]\((?P<url>(?:https?://|mailto:)[^)\s]+)\)"
    r"|(?P<token><[@#][A-Za-z0-9_.-]+>|<t:-?\d+:[FfDdTtR]>)"
    rf"|(?P<address>{ADDRESS})"
)
# `@everyone`, `@here`, roles (`<@&id>`), nicknames (`<@!id>`) and bare ids: the core never
# writes these, so wherever they appear (escaped or not) a zero-width space keeps them text.
# ALLOWED_MENTIONS stops the pings; this stops them rendering as mentions too.
PING_RE = re.compile(r"@(?=everyone|here|[&!]|\d)")
ZERO_WIDTH_SPACE = "\u200b"
ADDRESS_SAFE = "_~-.#+/"  # characters that format nothing inside a link, left as typed there


def _unping(text: str) -> str:
    return PING_RE.sub("@" + ZERO_WIDTH_SPACE, text)


def shown_literally(char: str, *, address: bool = False) -> str:
    """One character a member typed, as Discord Markdown that shows exactly that character."""
    if char == "/" or (address and char in ADDRESS_SAFE):  # an escape would break the link
        return char
    return "\\" + char


def _mixed(text: str, *, address: bool = False) -> str:
    return "".join(
        shown_literally(run, address=address) if escaped else _unping(run)
        for run, escaped in split_literal(text)
    )


def markdown(text: str) -> str:
    """Neutral text as Discord Markdown: escapes as Discord's, no pings, tokens as they are."""
    out: list[str] = []
    position = 0
    for piece in PIECE_RE.finditer(text):
        out.append(_unping(text[position : piece.start()]))
        position = piece.end()
        if piece.group("escaped"):
            out.append(shown_literally(piece.group("escaped")[1]))
        elif piece.group("code"):
            # a backslash inside code shows as a backslash, and a backtick would end the code
            inner = unescape(piece.group("code")[1:-1]).replace("`", "\u02cb")
            out.append(f"`{_unping(inner)}`")
        elif piece.group("url"):
            out.append(f"[{_mixed(piece.group('label'))}]({unescape(piece.group('url'))})")
        elif piece.group("token"):
            out.append(piece.group("token"))
        else:
            out.append(_mixed(piece.group("address"), address=True))
    out.append(_unping(text[position:]))
    return "".join(out)


def render(message: Message, space: str, schema: Schema) -> Rendered:
    text = markdown(name_commands(message.text, schema))
    rendered = Rendered()
    rendered.fields = [
        (
            clip(markdown(name), MAX_FIELD_NAME),
            clip(markdown(name_commands(value, schema)), MAX_FIELD_VALUE) or "-",
        )
        for name, value in message.fields[:MAX_FIELDS]
    ]
    if len(text) <= MAX_CONTENT:
        rendered.content = text
    else:
        room = MAX_EMBED_TEXT - sum(len(name) + len(value) for name, value in rendered.fields)
        pieces = []
        for piece in chunks(text, MAX_DESCRIPTION):
            pieces.append(clip(piece, room))
            room -= len(pieces[-1])
            if room <= 1:
                break
        rendered.description, rendered.more = pieces[0], pieces[1:]
    rendered.buttons = [
        RenderedButton(clip(b.label, MAX_LABEL), button_id(space, b.action_id, b.value), b.style)
        for b in message.buttons[:MAX_BUTTONS]
    ]
    if message.attachment is not None:
        rendered.file = (message.attachment.name, message.attachment.data)
    if not (rendered.content or rendered.description or rendered.fields or rendered.file):
        rendered.content = "\u200b"  # Discord refuses an empty message
    return rendered
