"""Directory queries as formulas: what a `/rounds find` must match, what ranks it, and the
same formula as an FTS5 MATCH expression (SQLite), as SQL (PostgreSQL), and evaluated in Python
on rows in hand, to score them. Queries are folded here, as stored forms are."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from math import comb
from typing import Literal

from sqlalchemy import ColumnElement, and_, false, func, literal_column, or_, true
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from bot.domain import DirectoryQuery
from bot.text import fold
from storage.directory_index import SHORT, is_short_term
from storage.models import MemberRow

MAX_WORDS = 8
MAX_WORD = 100
"""Characters; a longer word is in no profile (the handler takes 100 for the whole text)."""

Mode = Literal["contains", "term", "equals"]


@dataclass(frozen=True)
class Atom:
    """`column` contains `value`, has the short term `value`, or (a field key) equals it."""

    column: str
    value: str
    mode: Mode

    def holds(self, row: MemberRow) -> bool:
        stored: str = getattr(row, self.column)
        if self.mode == "term":
            return f" {self.value} " in stored
        if self.mode == "equals":
            if self.column == "interest_keys":
                return f"\n{self.value}\n" in stored
            return stored == self.value
        return self.value in stored


@dataclass(frozen=True)
class AllOf:
    parts: tuple[Formula, ...]


@dataclass(frozen=True)
class AnyOf:
    parts: tuple[Formula, ...]


Formula = Atom | AllOf | AnyOf | bool


def all_of(parts: Iterable[Formula]) -> Formula:
    kept = tuple(p for p in parts if p is not True)
    if any(p is False for p in kept):
        return False
    return kept[0] if len(kept) == 1 else AllOf(kept) if kept else True


def any_of(parts: Iterable[Formula]) -> Formula:
    kept = tuple(p for p in parts if p is not False)
    if any(p is True for p in kept):
        return True
    return kept[0] if len(kept) == 1 else AnyOf(kept) if kept else False


def at_least(atoms: Sequence[Formula], count: int) -> Formula:
    return any_of(all_of(chosen) for chosen in combinations(atoms, count))


def word_atom(word: str) -> Formula:
    if len(word) > MAX_WORD:
        return False
    if len(word) >= SHORT:
        return Atom("search_text", word, "contains")
    return Atom("search_terms", word, "term") if is_short_term(word) else False


def field_atoms(field: str, value: str) -> tuple[Formula, Formula]:
    """(the filter a member must pass, the exact match that ranks first) for a field."""
    column = f"{field}_key" if field != "interest" else "interest_keys"
    exact = Atom(column, value, "equals") if value and len(value) <= MAX_WORD else False
    if len(value) >= SHORT:
        return (Atom(column, value, "contains") if exact else False), exact
    short = Atom("search_terms", f"{field}:{value}", "term") if is_short_term(value) else False
    return any_of((short, exact)), exact


@dataclass(frozen=True)
class Plan:
    """A query folded and split into what must hold, what ranks, and what is counted."""

    filters: tuple[Formula, ...]
    exact: tuple[tuple[str, Formula], ...]
    words: tuple[Formula, ...]
    asked_words: bool

    @classmethod
    def of(cls, query: DirectoryQuery) -> Plan:
        filters: list[Formula] = []
        exact: list[tuple[str, Formula]] = []
        for field in ("specialty", "region"):
            value = getattr(query, field)
            if value:
                must, ranks = field_atoms(field, fold(value))
                filters.append(must)
                exact.append((field, ranks))
        if query.stage:
            exact.append(("stage", True))  # a filter too: every member found matches it
        if query.interest:
            must, ranks = field_atoms("interest", fold(query.interest))
            filters.append(must)
            exact.append(("interest", ranks))
        folded = list(dict.fromkeys(w for w in map(fold, query.words) if w))[:MAX_WORDS]
        words = tuple(atom for atom in map(word_atom, folded) if atom is not False)
        return cls(tuple(filters), tuple(exact), words, bool(query.words))

    @property
    def ranking(self) -> list[Formula]:
        return [atom for _, atom in self.exact if atom is not True]

    def tiers(self) -> list[tuple[Formula, int]]:
        """A formula for each score, best first (all exact matches and all words, then fewer),
        with how many phrases it looks up: its cost, which grows fast with many words."""
        ranking, fewest = self.ranking, 1 if self.words else 0
        return [
            (
                # an exact match implies its field's filter: the best tier needs no filters
                all_of(
                    (
                        *(self.filters if e < len(ranking) else ()),
                        at_least(ranking, e),
                        at_least(self.words, w),
                    )
                ),
                comb(len(ranking), e) * comb(len(self.words), w) * (e + w),
            )
            for e in range(len(ranking), -1, -1)
            for w in range(len(self.words), fewest - 1, -1)
        ]

    def candidates(self) -> Formula:
        return all_of((*self.filters, any_of(self.words) if self.words else True))

    def score(self, row: MemberRow) -> tuple[tuple[str, ...], int]:
        exact = tuple(name for name, atom in self.exact if holds(atom, row))
        return exact, sum(holds(word, row) for word in self.words)


def holds(formula: Formula, row: MemberRow) -> bool:
    if isinstance(formula, bool):
        return formula
    if isinstance(formula, Atom):
        return formula.holds(row)
    if isinstance(formula, AllOf):
        return all(holds(part, row) for part in formula.parts)
    return any(holds(part, row) for part in formula.parts)


# -- compiling formulas -------------------------------------------------------------------------
def fts_expression(formula: Formula) -> str:
    """An FTS5 MATCH expression. Member text only ever appears inside a quoted string, where
    FTS5 syntax (AND, NEAR, *, parentheses) has no meaning; a quote is written twice."""
    if isinstance(formula, Atom):
        # field keys are indexed between line breaks, short terms between spaces
        value = {"term": f" {formula.value} ", "equals": f"\n{formula.value}\n"}.get(
            formula.mode, formula.value
        )
        return f'{formula.column} : "{value.replace(chr(34), chr(34) * 2)}"'
    assert isinstance(formula, AllOf | AnyOf), formula  # constants are resolved before
    joiner = " AND " if isinstance(formula, AllOf) else " OR "
    return "(" + joiner.join(fts_expression(part) for part in formula.parts) + ")"


def _like(value: str) -> str:
    escaped = value.replace("/", "//").replace("%", "/%").replace("_", "/_")
    return f"%{escaped}%"


def sql_condition(formula: Formula) -> ColumnElement[bool]:
    """The formula on PostgreSQL, on members' own columns: LIKE (which pg_trgm indexes when
    installed), = and array `@>` (a GIN index, built in)."""
    if isinstance(formula, bool):
        return true() if formula else false()
    if isinstance(formula, AllOf | AnyOf):
        parts = [sql_condition(part) for part in formula.parts]
        return and_(*parts) if isinstance(formula, AllOf) else or_(*parts)
    column = getattr(MemberRow, formula.column)
    if formula.mode == "equals" and formula.column != "interest_keys":
        return column == formula.value  # type: ignore[no-any-return]
    needle = {"term": f" {formula.value} ", "equals": f"\n{formula.value}\n"}.get(
        formula.mode, formula.value
    )
    if formula.mode == "term":
        # the separator is inlined so the condition matches the index expression
        terms = func.string_to_array(column, literal_column("' '"), type_=ARRAY(Text))
        return terms.contains([formula.value])
    return column.like(_like(needle), escape="/")  # type: ignore[no-any-return]
