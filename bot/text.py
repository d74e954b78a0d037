"""Small text helpers that several features share: values as members typed them, the
profile fields every card shows, and the folded form that search compares."""

from __future__ import annotations

import functools
import unicodedata
from datetime import timedelta

from bot.domain import Profile
from bot.messages import literal
from bot.options import format_duration

PROFILE_FORM_ACTION = "profile.form"
"""The button that opens the profile form (declared by the profile feature, used by others)."""
PROFILE_EXAMPLE = (
    '/rounds profile set role=resident specialty="emergency medicine" timezone=America/Chicago'
)


def listed(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def plural(count: int, word: str) -> str:
    """`1 answer`, `3 answers`."""
    return f"{count} {word}{'s' if count != 1 else ''}"


def shown(value: object) -> str:
    """A parsed value the way a member would type it back: yes/no, 2w, a comma list."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, tuple):
        return ", ".join(str(item) for item in value)
    return str(value)


def mentorship(profile: Profile) -> str | None:
    wishes = []
    if profile.open_to_mentor:
        wishes.append("open to mentoring")
    if profile.seeking_mentor:
        wishes.append("looking for a mentor")
    return " and ".join(wishes) or None


def profile_fields(profile: Profile, *, with_zone: bool) -> list[tuple[str, str]]:
    """The key/value lines of a profile or introduction card, member text literal."""
    values: list[tuple[str, object]] = [
        ("Institution", profile.institution),
        ("Region", profile.region),
    ]
    if with_zone:
        values.append(("Time zone", profile.timezone))
    values += [
        ("Interests", profile.interests),
        ("Goals", profile.goals),
        ("Mentorship", mentorship(profile)),
    ]
    return [(label, literal(shown(value))) for label, value in values if value]


@functools.lru_cache(maxsize=4096)  # bounded: members choose the characters
def _folded_char(char: str) -> str:
    """One character of decomposed, case-folded text as fold keeps it: itself, a space
    (control characters) or nothing (optional marks and invisible characters)."""
    point, category = ord(char), unicodedata.category(char)
    # Accents and vowel points, which people often leave out when they type, judged by
    # canonical combining class: overlays (1), Hebrew and Arabic points (10-36), marks above,
    # below or beside a letter (200-240). Marks that are part of the letter itself (virama,
    # nukta, kana voicing, Thai tones) are kept, so no two words of those scripts merge.
    combining = unicodedata.combining(char)
    if combining == 1 or 10 <= combining <= 36 or 200 <= combining <= 240:
        return ""
    # Variation selectors (emoji or text presentation), joiners, bidi and other format
    # characters, and lone surrogates (which no database stores).
    if 0xFE00 <= point <= 0xFE0F or 0xE0100 <= point <= 0xE01EF or category in ("Cf", "Cs"):
        return ""
    return " " if category == "Cc" else char


def fold(text: str) -> str:
    """The form search compares: `Île-de-France`, `ILE-DE-FRANCE` and `ile-de-france` fold to
    the same text, in any script.

    Compatibility-decomposed (ﬁ → fi, full-width → ASCII), case-folded (ß → ss), accents
    dropped, recomposed (Hangul syllables, kana), control characters read as spaces and runs
    of whitespace made one space. Stored forms and queries are both folded by this function,
    never by the database, so the two always agree.
    """
    text = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", text).casefold())
    kept = "".join(map(_folded_char, text))
    return " ".join(unicodedata.normalize("NFC", kept).split())
