"""What members type into Q&A, checked: question and answer ids, tags, search words."""

from __future__ import annotations

import re
from collections.abc import Callable

from bot.errors import UserError

MAX_TAGS = 5
MAX_TAG_LENGTH = 30
MAX_WORDS = 8
TAG_RE = re.compile(r"^[a-z0-9][a-z0-9+-]*$")
WORD_RE = re.compile(r"[^\W_]+")
ID_RE = re.compile(r"^#?([QqAa])?\s*#?(\d{1,9})$")

# PostgreSQL's English stop words (snowball `english.stop`), dropped before either backend
# sees the query, so SQLite and PostgreSQL match the same words.
_STOP_WORDS_TEXT = (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself "
    "she her hers herself it its itself they them their theirs themselves what which who whom "
    "this that these those am is are was were be been being have has had having do does did "
    "doing a an the and but if or because as until while of at by for with about against "
    "between into through during before after above below to from up down in out on off over "
    "under again further then once here there when where why how all any both each few more "
    "most other some such no nor not only own same so than too very s t can will just don "
    "should now"
)
STOP_WORDS = frozenset(_STOP_WORDS_TEXT.split())


def qid(number: int | None) -> str:
    return f"Q{number}" if number is not None else "Q?"


def aid(number: int) -> str:
    return f"A{number}"


def id_parser(kind: str) -> Callable[[object], int]:
    """Reads `12`, `#12` or `Q12` (for questions; `A12` for answers) as the number 12."""
    other = {"Q": "A", "A": "Q"}[kind]
    names = {"Q": "a question", "A": "an answer"}

    def parse(value: object) -> int:
        text = str(value).strip()
        found = ID_RE.match(text)
        if found is None:
            raise UserError(
                f"`{text[:20]}` isn't {names[kind]} id. Use its number, like {kind}12 or 12.",
                field=names[kind].split()[-1],
            )
        if (found.group(1) or kind).upper() == other:
            raise UserError(
                f"{text.upper()} is {names[other]}'s id; this takes {names[kind]}'s, "
                f"like {kind}12.",
                field=names[kind].split()[-1],
            )
        return int(found.group(2))

    return parse


def parse_tags(value: object) -> tuple[str, ...]:
    tags: list[str] = []
    for part in str(value).split(","):
        tag = re.sub(r"\s+", "-", part.strip().lstrip("#").lower())
        if not tag:
            continue
        if len(tag) > MAX_TAG_LENGTH or not TAG_RE.match(tag):
            raise UserError(
                f"Tags are short words or phrases with letters, digits and hyphens, each at "
                f"most {MAX_TAG_LENGTH} characters, e.g. `tags=qi,conflict`.",
                field="tags",
            )
        if tag not in tags:
            tags.append(tag)
    if len(tags) > MAX_TAGS:
        raise UserError(f"Give at most {MAX_TAGS} tags, separated by commas.", field="tags")
    return tuple(tags)


def parse_tag(value: object) -> str:
    tags = parse_tags(value)
    if len(tags) != 1:
        raise UserError("Search one tag at a time, e.g. `tag=qi`.", field="tag")
    return tags[0]


def search_words(text: str) -> tuple[str, ...]:
    """The words worth searching for: lowercase, no stop words, each once, at most eight."""
    found = [w for w in WORD_RE.findall(text.lower()) if w not in STOP_WORDS]
    return tuple(dict.fromkeys(w[:40] for w in found))[:MAX_WORDS]
