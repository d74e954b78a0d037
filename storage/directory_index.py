"""What the member directory stores to search by: folded forms of a profile, written by Python
as the profile is saved, and the indexes over them (SQLite FTS5 trigram, PostgreSQL pg_trgm and
GIN), created identically by `SqlStore.create_schema` and by migration 0005."""

from __future__ import annotations

import functools
import logging
import unicodedata

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from bot.domain import Profile
from bot.text import fold

log = logging.getLogger(__name__)

SHORT = 3
"""Words shorter than this are looked up as whole terms (trigram indexes need 3 characters)."""
FIELDS = ("specialty", "region", "interest")

# Scripts written without spaces between words: every character starts a term there, so a
# one- or two-character search ("李", "北京") finds it inside a longer run ("北京大学").
_UNSPACED = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1100, 0x11FF),  # Hangul Jamo
    (0x1780, 0x17FF),  # Khmer
    (0x2E80, 0x2FDF),  # CJK radicals
    (0x3005, 0x3007),  # 々 〆 〇
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3130, 0x318F),  # Hangul compatibility Jamo
    (0x31F0, 0x31FF),  # Katakana extensions
    (0x3400, 0x4DBF),  # CJK extension A
    (0x4E00, 0x9FFF),  # CJK unified ideographs
    (0xAC00, 0xD7FF),  # Hangul syllables
    (0xF900, 0xFAFF),  # CJK compatibility ideographs
    (0x20000, 0x3FFFF),  # CJK extensions B onwards
)


@functools.lru_cache(maxsize=4096)  # bounded: members choose the characters
def _kind(char: str) -> str:
    """Unit (a term on its own), word (part of a spaced word) or gap (between terms)."""
    point = ord(char)
    if any(low <= point <= high for low, high in _UNSPACED):
        return "unit"
    category = unicodedata.category(char)
    if category[0] == "S" and point > 0x7F:  # emoji and other symbols, e.g. 🩺 ±
        return "unit"
    return "word" if category[0] in "LNM" else "gap"


def short_terms(folded: str) -> set[str]:
    """The one- and two-character terms a short search can find in folded text: two-letter
    words of spaced scripts ("uk", "ai"), and every character and pair of characters of
    unspaced scripts and symbols. Single letters of spaced scripts are left out: they would
    match nearly everyone."""
    terms: set[str] = set()
    run, kind = "", "gap"
    for char in [*folded, " "]:
        now = _kind(char)
        if now != kind or now == "gap":
            if kind == "word" and len(run) == 2:
                terms.add(run)
            run, kind = "", now
        if now == "gap":
            continue
        if now == "unit":
            terms.add(char)
            if run:
                terms.add(run[-1] + char)
        run += char
    return terms


def is_short_term(word: str) -> bool:
    """Whether a short folded word can be found at all (it is a term `short_terms` stores)."""
    return word in short_terms(word)


def directory_columns(profile: Profile, display_name: str) -> dict[str, str]:
    """The members columns the directory searches, for a profile as it is being saved."""
    parts = [
        profile.name,
        display_name,
        profile.profession,
        profile.stage,
        profile.specialty,
        profile.institution,
        profile.region,
        *profile.interests,
        *profile.goals,
    ]
    body = fold(" | ".join(part for part in parts if part))
    specialty, region = fold(profile.specialty or ""), fold(profile.region or "")
    items = list(dict.fromkeys(k for k in map(fold, (*profile.interests, *profile.goals)) if k))
    terms = short_terms(body)
    for field, values in (("specialty", [specialty]), ("region", [region]), ("interest", items)):
        terms |= {f"{field}:{term}" for value in values for term in short_terms(value)}
    return {
        "search_text": body,
        "specialty_key": specialty,
        "region_key": region,
        # one item a line, with a line break at both ends, so "\nitem\n" finds exactly one
        "interest_keys": "\n" + "\n".join(items) + "\n" if items else "",
        # space-separated, with a space at both ends, so " term " finds exactly one
        "search_terms": " " + " ".join(sorted(terms)) + " " if terms else "",
    }


def interest_keys(profile: Profile) -> set[str]:
    """The member_interests rows: folded interests and goals, cut to the column's 40."""
    return {key[:40] for key in map(fold, (*profile.interests, *profile.goals)) if key}


# -- indexes ------------------------------------------------------------------------------------
SEARCH_TABLE = "member_search"
INDEXED = ("search_text", "specialty_key", "region_key", "interest_keys", "search_terms")
# Field keys are indexed with a line break at both ends, so "\nvalue\n" is an exact match.
_VALUES = "{0}.search_text, char(10) || {0}.specialty_key || char(10), "
_VALUES += "char(10) || {0}.region_key || char(10), {0}.interest_keys, {0}.search_terms"
_COLUMNS = ", ".join(INDEXED)
SQLITE_DDL = (
    # Contentless: the text lives in members; the index keeps only what finds a row. Trigram
    # finds any substring of three characters or more; case_sensitive because stored forms and
    # queries are folded already (Python's folding, which SQLite's would not match).
    f"CREATE VIRTUAL TABLE {SEARCH_TABLE} USING fts5({_COLUMNS}, content='', "
    "tokenize='trigram case_sensitive 1')",
    # The triggers keep the index in step with every write to members, whatever writes it. A
    # contentless index forgets a row only when given the values it indexed, which the
    # triggers recompute from `old` the same way.
    f"CREATE TRIGGER {SEARCH_TABLE}_insert AFTER INSERT ON members BEGIN "
    f"INSERT INTO {SEARCH_TABLE}(rowid, {_COLUMNS}) VALUES (new.id, {_VALUES.format('new')}); END",
    f"CREATE TRIGGER {SEARCH_TABLE}_delete AFTER DELETE ON members BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.id, {_VALUES.format('old')}); END",
    f"CREATE TRIGGER {SEARCH_TABLE}_update AFTER UPDATE OF {_COLUMNS} ON members BEGIN "
    f"INSERT INTO {SEARCH_TABLE}({SEARCH_TABLE}, rowid, {_COLUMNS}) "
    f"VALUES ('delete', old.id, {_VALUES.format('old')}); "
    f"INSERT INTO {SEARCH_TABLE}(rowid, {_COLUMNS}) VALUES (new.id, {_VALUES.format('new')}); END",
)
TRGM_INDEX = "ix_members_directory_trgm"
TERMS_INDEX = "ix_members_directory_terms"
POSTGRES_TRGM_DDL = (
    f"CREATE INDEX IF NOT EXISTS {TRGM_INDEX} ON members USING gin (search_text gin_trgm_ops, "
    "specialty_key gin_trgm_ops, region_key gin_trgm_ops, interest_keys gin_trgm_ops)"
)
# Built in (no extension): short terms as an array, found with `@>`.
POSTGRES_TERMS_DDL = (
    f"CREATE INDEX IF NOT EXISTS {TERMS_INDEX} ON members USING gin "
    "(string_to_array(search_terms, ' '))"
)


def install_search(connection: Connection) -> None:
    """Create the directory's indexes on an empty members table (tests; `create_schema`)."""
    if connection.dialect.name == "sqlite":
        for statement in SQLITE_DDL:
            connection.execute(text(statement))
    elif connection.dialect.name == "postgresql":
        if has_pg_trgm(connection):
            connection.execute(text(POSTGRES_TRGM_DDL))
        connection.execute(text(POSTGRES_TERMS_DDL))


def has_pg_trgm(connection: Connection) -> bool:
    """Install pg_trgm if allowed. Without it the directory still answers, by scanning."""
    try:
        with connection.begin_nested():
            connection.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    except DBAPIError as error:  # no right to create extensions, or no contrib package
        reason = type(error.orig).__name__
        log.warning("pg_trgm could not be installed (%s); the directory will scan", reason)
        return False
    return True


def alembic_compares(name: str | None, type_: str, parent_names: object) -> bool:
    """Alembic's include_name: False for the directory's own search objects, which the models
    do not describe (a virtual table and its shadow tables, operator-class indexes)."""
    if type_ == "table" and name is not None and name.startswith(SEARCH_TABLE):
        return False
    return not (type_ == "index" and name in (TRGM_INDEX, TERMS_INDEX))
