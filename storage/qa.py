"""Peer Q&A's repository (its tables are in `storage/qa_tables.py`).

Every query is filtered by space, so an id from another space (a replayed button, a typed
number) finds nothing. Short numbers members type come from a per-space counter row, which
an upsert bumps atomically on both backends. The full-text index is in `storage/qa_search.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.qa.model import (
    QA,
    Answer,
    Question,
    QuestionStatus,
    SearchHit,
    SearchQuery,
)
from storage import qa_search
from storage.qa_board import QaBoard
from storage.qa_data import SqlQaData, answer_from_row
from storage.qa_ladder import SqlQaLadder, question_from_row
from storage.qa_tables import (
    QaAnswerRow,
    QaCounterRow,
    QaFollowerRow,
    QaQuestionRow,
    QaQuestionTagRow,
    QaRevealRow,
    QaVoteRow,
)
from storage.repos import _insert

_question = question_from_row


_answer = answer_from_row


class SqlQa(SqlQaLadder, SqlQaData, QaBoard):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- numbers -------------------------------------------------------------------------------
    async def _next_number(self, space_id: int, kind: str) -> int:
        column = getattr(QaCounterRow, kind)
        statement = (
            _insert(self.session)(QaCounterRow)
            .values({"space_id": space_id, "questions": 0, "answers": 0, kind: 1})
            .on_conflict_do_update(index_elements=["space_id"], set_={kind: column + 1})
            .returning(column)
        )
        return int((await self.session.execute(statement)).scalar_one())

    # -- questions -----------------------------------------------------------------------------
    async def create_question(
        self,
        space_id: int,
        author_id: int,
        title: str,
        body: str,
        tags: tuple[str, ...],
        anonymous: bool,
        status: QuestionStatus,
        at: datetime,
    ) -> Question:
        question_id = (
            await self.session.execute(
                insert(QaQuestionRow)
                .values(
                    space_id=space_id,
                    author_id=author_id,
                    anonymous=anonymous,
                    title=title,
                    body=body,
                    tags=",".join(tags),
                    status=status.value,
                    asked_at=at,
                    answers=0,
                    card_version=1,
                )
                .returning(QaQuestionRow.id)
            )
        ).scalar_one()
        if tags:
            await self.session.execute(
                insert(QaQuestionTagRow),
                [{"question_id": question_id, "tag": t, "space_id": space_id} for t in tags],
            )
        found = await self.question(space_id, question_id)
        assert found is not None
        return found

    async def post_question(
        self, space_id: int, question_id: int, channel_id: str, at: datetime
    ) -> Question:
        number = await self._next_number(space_id, "questions")
        await self._update(
            space_id,
            question_id,
            number=number,
            status=QuestionStatus.POSTED.value,
            channel_id=channel_id,
            posted_at=at,
        )
        posted = await self.question(space_id, question_id)
        assert posted is not None
        await self._reindex(posted)
        return posted

    async def _update(self, space_id: int, question_id: int, **values: Any) -> None:
        await self.session.execute(
            update(QaQuestionRow)
            .where(QaQuestionRow.space_id == space_id, QaQuestionRow.id == question_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def set_status(self, space_id: int, question_id: int, status: QuestionStatus) -> None:
        await self._update(space_id, question_id, status=status.value)

    async def delete_draft(self, space_id: int, question_id: int) -> bool:
        deleted = await self.session.execute(
            delete(QaQuestionRow)
            .where(
                QaQuestionRow.space_id == space_id,
                QaQuestionRow.id == question_id,
                QaQuestionRow.status == QuestionStatus.DRAFT.value,
            )
            .returning(QaQuestionRow.id)
        )
        return deleted.first() is not None

    async def question(self, space_id: int, question_id: int) -> Question | None:
        row = await self.session.scalar(
            select(QaQuestionRow)
            .where(QaQuestionRow.space_id == space_id, QaQuestionRow.id == question_id)
            .execution_options(populate_existing=True)
        )
        return _question(row) if row else None

    async def question_by_number(self, space_id: int, number: int) -> Question | None:
        row = await self.session.scalar(
            select(QaQuestionRow)
            .where(QaQuestionRow.space_id == space_id, QaQuestionRow.number == number)
            .execution_options(populate_existing=True)
        )
        return _question(row) if row else None

    # -- answers -------------------------------------------------------------------------------
    async def add_answer(
        self, space_id: int, question_id: int, author_id: int, body: str, at: datetime
    ) -> Answer:
        question = await self.question(space_id, question_id)
        if question is None:
            raise LookupError(f"no question {question_id} in space {space_id}")
        number = await self._next_number(space_id, "answers")
        answer_id = (
            await self.session.execute(
                insert(QaAnswerRow)
                .values(
                    space_id=space_id,
                    number=number,
                    question_id=question_id,
                    author_id=author_id,
                    body=body,
                    votes=0,
                    answered_at=at,
                    post_version=1,
                )
                .returning(QaAnswerRow.id)
            )
        ).scalar_one()
        await self._update(
            space_id,
            question_id,
            answers=QaQuestionRow.answers + 1,
            first_answer_at=question.first_answer_at or at,
        )
        await self._reindex(question)
        found = await self.answer(space_id, answer_id)
        assert found is not None
        return found

    async def answer(self, space_id: int, answer_id: int) -> Answer | None:
        row = await self.session.scalar(
            select(QaAnswerRow)
            .where(QaAnswerRow.space_id == space_id, QaAnswerRow.id == answer_id)
            .execution_options(populate_existing=True)
        )
        return _answer(row) if row else None

    async def answer_by_number(self, space_id: int, number: int) -> Answer | None:
        row = await self.session.scalar(
            select(QaAnswerRow)
            .where(QaAnswerRow.space_id == space_id, QaAnswerRow.number == number)
            .execution_options(populate_existing=True)
        )
        return _answer(row) if row else None

    async def answers(self, space_id: int, question_id: int) -> list[Answer]:
        rows = await self.session.scalars(
            select(QaAnswerRow)
            .where(QaAnswerRow.space_id == space_id, QaAnswerRow.question_id == question_id)
            .order_by(QaAnswerRow.votes.desc(), QaAnswerRow.id)
            .execution_options(populate_existing=True)
        )
        return [_answer(row) for row in rows]

    async def accept(self, space_id: int, question_id: int, answer_id: int) -> None:
        await self._update(space_id, question_id, accepted_answer_id=answer_id)

    async def vote(self, space_id: int, answer_id: int, member_id: int, at: datetime) -> bool:
        if await self.answer(space_id, answer_id) is None:
            return False  # another space's answer: no row that could block a real vote
        inserted = await self.session.execute(
            _insert(self.session)(QaVoteRow)
            .values(answer_id=answer_id, member_id=member_id, space_id=space_id, at=at)
            .on_conflict_do_nothing(index_elements=["answer_id", "member_id"])
            .returning(QaVoteRow.answer_id)
        )
        if inserted.first() is None:
            return False
        await self.session.execute(
            update(QaAnswerRow)
            .where(QaAnswerRow.space_id == space_id, QaAnswerRow.id == answer_id)
            .values(votes=QaAnswerRow.votes + 1)
            .execution_options(synchronize_session=False)
        )
        return True

    async def next_card_version(self, space_id: int, question_id: int) -> int:
        version = await self.session.scalar(
            update(QaQuestionRow)
            .where(QaQuestionRow.space_id == space_id, QaQuestionRow.id == question_id)
            .values(card_version=QaQuestionRow.card_version + 1)
            .returning(QaQuestionRow.card_version)
            .execution_options(synchronize_session=False)
        )
        return int(version or 0)

    async def next_post_version(self, space_id: int, answer_id: int) -> int:
        version = await self.session.scalar(
            update(QaAnswerRow)
            .where(QaAnswerRow.space_id == space_id, QaAnswerRow.id == answer_id)
            .values(post_version=QaAnswerRow.post_version + 1)
            .returning(QaAnswerRow.post_version)
            .execution_options(synchronize_session=False)
        )
        return int(version or 0)

    # -- followers -----------------------------------------------------------------------------
    async def follow(self, space_id: int, question_id: int, member_id: int) -> bool:
        if await self.question(space_id, question_id) is None:
            return False
        inserted = await self.session.execute(
            _insert(self.session)(QaFollowerRow)
            .values(question_id=question_id, member_id=member_id, space_id=space_id)
            .on_conflict_do_nothing(index_elements=["question_id", "member_id"])
            .returning(QaFollowerRow.member_id)
        )
        return inserted.first() is not None

    async def unfollow(self, space_id: int, question_id: int, member_id: int) -> bool:
        deleted = await self.session.execute(
            delete(QaFollowerRow)
            .where(
                QaFollowerRow.space_id == space_id,
                QaFollowerRow.question_id == question_id,
                QaFollowerRow.member_id == member_id,
            )
            .returning(QaFollowerRow.member_id)
        )
        return deleted.first() is not None

    async def followers(self, space_id: int, question_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(QaFollowerRow.member_id)
            .where(QaFollowerRow.space_id == space_id, QaFollowerRow.question_id == question_id)
            .order_by(QaFollowerRow.member_id)
        )
        return list(rows)

    # -- finding questions -----------------------------------------------------------------------
    async def search(self, space_id: int, query: SearchQuery) -> list[SearchHit]:
        at_least = min(2, len(query.words)) if query.any_word else len(query.words)
        ids = await qa_search.search(
            self.session, space_id, query.words, at_least, query.tag, query.limit
        )
        rows = await self.session.scalars(
            select(QaQuestionRow).where(
                QaQuestionRow.space_id == space_id, QaQuestionRow.id.in_(ids)
            )
        )
        by_id = {row.id: _question(row) for row in rows}
        accepted_ids = [q.accepted_answer_id for q in by_id.values() if q.accepted_answer_id]
        answers = await self.session.scalars(
            select(QaAnswerRow).where(
                QaAnswerRow.space_id == space_id, QaAnswerRow.id.in_(accepted_ids)
            )
        )
        accepted = {row.id: _answer(row) for row in answers}
        return [
            SearchHit(by_id[i], accepted.get(by_id[i].accepted_answer_id or 0))
            for i in ids
            if i in by_id
        ]

    async def open_questions(self, space_id: int, limit: int) -> list[Question]:
        rows = await self.session.scalars(
            select(QaQuestionRow)
            .where(
                QaQuestionRow.space_id == space_id,
                QaQuestionRow.status == QuestionStatus.POSTED.value,
                QaQuestionRow.answers == 0,
            )
            .order_by(QaQuestionRow.posted_at, QaQuestionRow.id)
            .limit(limit)
        )
        return [_question(row) for row in rows]

    async def record_reveal(
        self, space_id: int, question_id: int, manager_id: int, at: datetime
    ) -> None:
        if await self.question(space_id, question_id) is None:
            return
        await self.session.execute(
            insert(QaRevealRow).values(
                space_id=space_id, question_id=question_id, manager_id=manager_id, at=at
            )
        )


REPOSITORIES = {QA.name: SqlQa}
