"""The member directory (`/rounds find`), a shared core concept: folded queries answered from
indexes (SQLite FTS5, PostgreSQL pg_trgm and GIN), ranked exact field matches first, then by
how many words matched, then by id; always within one space.

A query becomes a formula over atoms ("the text contains x", "the specialty is y"). The same
formula is compiled to an FTS5 MATCH expression on SQLite, to SQL on PostgreSQL, and evaluated
in Python on the rows found, to score them. Results come in tiers, best score first, each read
in id order and stopped at the limit, so a word that half the members match costs no more than
a rare one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Literal

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    false,
    func,
    literal_column,
    or_,
    select,
    text,
    true,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import Text

from bot.domain import DirectoryHit, DirectoryQuery
from bot.text import fold
from storage.directory_index import SEARCH_TABLE, SHORT, is_short_term
from storage.models import MemberRow
from storage.repos import member_from_row

MAX_WORDS = 8
MAX_WORD = 100
"""Characters; a longer word is in no profile (the handler takes 100 for the whole text)."""
PROBE = 100
"""When no more than this many members match at all, they are scored in one go."""

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

    def tiers(self) -> list[Formula]:
        """Formulas for each score, best first: all exact matches and all words, then fewer."""
        ranking = [atom for _, atom in self.exact if atom is not True]
        fewest = 1 if self.words else 0
        return [
            # an exact match implies its field's filter: the best tier needs no filters
            all_of(
                (
                    *(self.filters if e < len(ranking) else ()),
                    at_least(ranking, e),
                    at_least(self.words, w),
                )
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
    """The formula on PostgreSQL: LIKE (backed by pg_trgm when installed), = and array `@>`."""
    if isinstance(formula, bool):
        return true() if formula else false()
    if isinstance(formula, AllOf):
        return and_(*map(sql_condition, formula.parts))
    if isinstance(formula, AnyOf):
        return or_(*map(sql_condition, formula.parts))
    column = getattr(MemberRow, formula.column)
    if formula.mode == "term":
        # the separator is inlined so the condition matches the index expression
        terms = func.string_to_array(column, literal_column("' '"), type_=ARRAY(Text))
        return terms.contains([formula.value])
    if formula.mode == "equals" and formula.column != "interest_keys":
        return column == formula.value  # type: ignore[no-any-return]
    value = f"\n{formula.value}\n" if formula.mode == "equals" else formula.value
    return column.like(_like(value), escape="/")  # type: ignore[no-any-return]


SEARCH = sql_table(SEARCH_TABLE, sql_column("rowid"))


class SqlDirectory:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.sqlite = session.get_bind().dialect.name == "sqlite"

    async def find(self, space_id: int, query: DirectoryQuery) -> list[DirectoryHit]:
        plan = Plan.of(query)
        if plan.asked_words and not plan.words:
            return []  # words were asked for and none can match: never everyone instead
        if not self.sqlite:
            # A plan for these words, not a generic one: whether reading members in id order
            # beats the trigram index depends on how common the words are.
            await self.session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))
        found: list[MemberRow] = []
        tiers = plan.tiers()
        for number, tier in enumerate(tiers):
            need, seen = query.limit - len(found), [row.id for row in found]
            found += await self._matching(MemberRow, space_id, query, tier, need, seen)
            if len(found) >= query.limit or len(tiers) == 1:
                break
            if number == 0:  # few matched everything; if few match at all, score them at once
                ids = await self._matching(MemberRow.id, space_id, query, plan.candidates(), PROBE)
                if len(ids) < PROBE:
                    found = await self._rows(ids)
                    break
        hits = []
        for row in found:
            exact, words = plan.score(row)
            hits.append(DirectoryHit(member_from_row(row), exact, words))
        hits.sort(key=lambda hit: (-len(hit.exact), -hit.words, hit.member.id))
        return hits[: query.limit]

    async def _matching(
        self,
        what: Any,
        space_id: int,
        query: DirectoryQuery,
        formula: Formula,
        limit: int,
        skip: Sequence[int] = (),
    ) -> list[Any]:
        """Members of the space (rows or ids, as `what` says) that pass the formula and the
        plain filters, in id order, at most `limit`."""
        if formula is False or limit <= 0:
            return []
        statement: Select[Any]
        if self.sqlite and formula is not True:
            statement = (
                select(what)
                .select_from(SEARCH)
                .join(MemberRow, MemberRow.id == SEARCH.c.rowid)
                .where(literal_column(SEARCH_TABLE).op("MATCH")(fts_expression(formula)))
                .order_by(SEARCH.c.rowid)
            )
        else:
            statement = select(what).where(sql_condition(formula)).order_by(MemberRow.id)
        statement = statement.where(MemberRow.space_id == space_id)
        if query.stage:
            statement = statement.where(MemberRow.stage == query.stage)
        if query.mentor is not None:
            statement = statement.where(MemberRow.open_to_mentor.is_(query.mentor))
        excluded = [*skip, *([query.exclude_member_id] if query.exclude_member_id else [])]
        if excluded:
            statement = statement.where(MemberRow.id.not_in(excluded))
        return list((await self.session.execute(statement.limit(limit))).scalars())

    async def _rows(self, ids: list[int]) -> list[MemberRow]:
        if not ids:
            return []
        statement = select(MemberRow).where(MemberRow.id.in_(ids))
        return list((await self.session.execute(statement)).scalars())
