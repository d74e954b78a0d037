"""The member directory (`/rounds find`), a shared core concept: folded queries answered from
indexes (SQLite FTS5, PostgreSQL pg_trgm and GIN), ranked exact field matches first, then by
how many words matched, then by id; always within one space.

Results come in tiers, best score first (storage/directory_plan.py builds them), each read in
id order and stopped at the limit, so a word that most members match costs no more than a rare
one. When few members match at all they are scored at once; when many words would need many
tiers, every candidate is scored once instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    func,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy import column as sql_column
from sqlalchemy import table as sql_table
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import DirectoryHit, DirectoryQuery
from storage.directory_index import SEARCH_TABLE
from storage.directory_plan import Formula, Plan, all_of, any_of, fts_expression, sql_condition
from storage.models import MemberRow
from storage.repos import member_from_row

PROBE = 100
"""When no more than this many members match at all, they are scored in one go."""
BUDGET = 24
"""Phrases the tiers may look up (three words, tier by tier: 12) before the candidates are all
scored at once instead (eight words: right after the first tier)."""
WINDOW = 50
"""Best-scored candidates read at once when scoring all; the plain filters pass most."""

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
        tiers, spent = plan.tiers(), 0
        for number, (tier, phrases) in enumerate(tiers):
            if number > 0 and spent + phrases > BUDGET:
                # many words, few members with most of them: scoring every candidate once
                # costs less than proving, combination by combination, that tiers are empty
                found = await self._score_all(space_id, query, plan)
                break
            spent += phrases
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
                .where(_match(formula))
                .order_by(SEARCH.c.rowid)
            )
        else:
            statement = select(what).where(sql_condition(formula)).order_by(MemberRow.id)
        statement = self._plain(statement, space_id, query, skip)
        return list((await self.session.execute(statement.limit(limit))).scalars())

    def _plain(
        self, statement: Select[Any], space_id: int, query: DirectoryQuery, skip: Sequence[int]
    ) -> Select[Any]:
        """The filters every result passes: the space, stage, mentoring, not the asker."""
        statement = statement.where(MemberRow.space_id == space_id)
        if query.stage:
            statement = statement.where(MemberRow.stage == query.stage)
        if query.mentor is not None:
            statement = statement.where(MemberRow.open_to_mentor.is_(query.mentor))
        excluded = [*skip, *([query.exclude_member_id] if query.exclude_member_id else [])]
        if excluded:
            statement = statement.where(MemberRow.id.not_in(excluded))
        return statement

    async def _score_all(self, space_id: int, query: DirectoryQuery, plan: Plan) -> list[MemberRow]:
        """The best candidates, every one scored: on SQLite by counting each word's and each
        exact match's index hits, on PostgreSQL from the rows' own columns."""
        if not self.sqlite:
            exact, words = (
                sum((_one_if(atom) for atom in atoms), start=literal(0))
                for atoms in (plan.ranking, plan.words)
            )
            statement = select(MemberRow).where(sql_condition(plan.candidates()))
            statement = self._plain(statement, space_id, query, ())
            statement = statement.order_by(exact.desc(), words.desc(), MemberRow.id)
            return list((await self.session.execute(statement.limit(query.limit))).scalars())
        hits = [  # (index hits, counted as a word, counted as an exact match)
            *((all_of((*plan.filters, word)), 1, 0) for word in plan.words),
            *((all_of((*plan.filters, atom, any_of(plan.words))), 0, 1) for atom in plan.ranking),
        ]
        if not plan.words:
            hits.append((all_of(plan.filters), 0, 0))  # candidates with no exact match too
        parts = union_all(
            *(
                select(
                    SEARCH.c.rowid.label("id"), literal(w).label("w"), literal(x).label("x")
                ).where(_match(formula))
                for formula, w, x in hits
                if formula is not False
            )
        ).subquery()
        exact, words = func.sum(parts.c.x), func.sum(parts.c.w)
        window: int | None = WINDOW
        while True:
            scored = (
                select(parts.c.id, words.label("w"), exact.label("x"))
                .group_by(parts.c.id)
                .order_by(exact.desc(), words.desc(), parts.c.id)
                .limit(window)
                .subquery()
            )
            statement = select(MemberRow).join(scored, scored.c.id == MemberRow.id)
            statement = self._plain(statement, space_id, query, ())
            statement = statement.order_by(scored.c.x.desc(), scored.c.w.desc(), MemberRow.id)
            rows = list((await self.session.execute(statement.limit(query.limit))).scalars())
            if len(rows) >= query.limit or window is None:
                return rows
            window = None  # the plain filters passed too few of the best: read them all

    async def _rows(self, ids: list[int]) -> list[MemberRow]:
        if not ids:
            return []
        statement = select(MemberRow).where(MemberRow.id.in_(ids))
        return list((await self.session.execute(statement)).scalars())


def _match(formula: Formula) -> ColumnElement[bool]:
    return literal_column(SEARCH_TABLE).op("MATCH")(fts_expression(formula))


def _one_if(formula: Formula) -> ColumnElement[int]:
    return case((sql_condition(formula), 1), else_=0)
