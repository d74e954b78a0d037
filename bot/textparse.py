"""Tokenizer for the text form of commands used by Slack and the console.

`/rounds profile set specialty="emergency medicine" timezone=America/Chicago` becomes
positional words and `key=value` pairs. Quotes may be straight or curly (phones turn `"` into
`“`), and a quote only opens at the start of a word or right after `key=`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.errors import UserError

KEY_RE = re.compile(r"[a-z][a-z0-9_.-]{0,39}", re.IGNORECASE)
QUOTES = {'"': '"', "'": "'", "“": "”", "„": "“", "‘": "’", "”": "”"}
MAX_COMMAND_LENGTH = 4000


@dataclass(frozen=True)
class Token:
    value: str
    key: str | None = None
    quoted: bool = False


def tokenize(text: str) -> list[Token]:
    if len(text) > MAX_COMMAND_LENGTH:
        raise UserError(
            f"That command is too long ({len(text)} characters); "
            f"keep it under {MAX_COMMAND_LENGTH}."
        )
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        key = None
        match = KEY_RE.match(text, i)
        if match and match.end() < n and text[match.end()] == "=":
            key = match.group(0).lower()
            i = match.end() + 1
        value, quoted, i = _read_word(text, i)
        tokens.append(Token(value, key, quoted))
    return tokens


def _read_word(text: str, i: int) -> tuple[str, bool, int]:
    parts: list[str] = []
    quoted = False
    n = len(text)
    at_start = True
    while i < n and not text[i].isspace():
        char = text[i]
        if at_start and char in QUOTES:
            closing = QUOTES[char]
            i += 1
            quoted = True
            closed = False
            while i < n:
                char = text[i]
                if char == "\\" and i + 1 < n and text[i + 1] in (closing, "\\"):
                    parts.append(text[i + 1])
                    i += 2
                    continue
                if char == closing or (closing in "”“" and char in "”“"):
                    closed = True
                    i += 1
                    break
                parts.append(char)
                i += 1
            if not closed:
                raise UserError(
                    "A quote isn't closed. Put the value in matching quotes, "
                    'like specialty="emergency medicine".'
                )
            at_start = False
            continue
        parts.append(char)
        at_start = False
        i += 1
    return "".join(parts), quoted, i


def quote(value: str) -> str:
    """The text form of a value, quoted when needed, so that `tokenize` reads it back exactly."""
    needs = (
        not value
        or any(c.isspace() for c in value)
        or value[0] in QUOTES
        or "\\" in value
        or "=" in value
    )
    if not needs:
        return value
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'
