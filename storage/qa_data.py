"""Peer Q&A's queries for members' data rights and the managers' digest and chart: one
member's posts, votes and follows (export), their erasure (anonymised or removed posts, with
the search index and answer counts kept true), and questions and answers counted per week."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.qa.model import Answer, ErasedPosts, MemberQa, Question, QuestionStatus
from storage import qa_search
from storage.qa_ladder import question_from_row
from storage.qa_tables import (
    QaAnswerRow,
    QaFollowerRow,
    QaQuestionRow,
    QaRevealRow,
    QaVoteRow,
)
from storage.weekly import per_week

POSTED = QuestionStatus.POSTED.value


def answer_from_row(row: QaAnswerRow) -> Answer:
    return Answer(
        id=row.id,
        space_id=row.space_id,
        number=row.number,
        question_id=row.question_id,
        author_id=row.author_id,
        body=row.body,
        votes=row.votes,
        answered_at=row.answered_at,
        post_version=row.post_version,
    )


class SqlQaData:
    """Every query is filtered by space, like the rest of `SqlQa`."""

    session: AsyncSession

    async def _reindex(self, question: Question) -> None:
        bodies = await self.session.scalars(
            select(QaAnswerRow.body)
            .where(
                QaAnswerRow.space_id == question.space_id,
                QaAnswerRow.question_id == question.id,
            )
            .order_by(QaAnswerRow.id)
        )
        tags = " ".join(t.replace("-", " ") for t in question.tags)
        parts = (question.title, tags, question.body, "\n".join(bodies))
        await qa_search.index(self.session, question.space_id, question.id, parts)

    async def _questions_by(self, space_id: int, member_id: int) -> list[Question]:
        rows = await self.session.scalars(
            select(QaQuestionRow)
            .where(QaQuestionRow.space_id == space_id, QaQuestionRow.author_id == member_id)
            .order_by(QaQuestionRow.id)
            .execution_options(populate_existing=True)
        )
        return [question_from_row(row) for row in rows]

    async def _answers_by(self, space_id: int, member_id: int) -> list[Answer]:
        rows = await self.session.scalars(
            select(QaAnswerRow)
            .where(QaAnswerRow.space_id == space_id, QaAnswerRow.author_id == member_id)
            .order_by(QaAnswerRow.id)
            .execution_options(populate_existing=True)
        )
        return [answer_from_row(row) for row in rows]

    async def member_posts(self, space_id: int, member_id: int) -> tuple[int, int]:
        questions = await self.session.scalar(
            select(func.count()).where(
                QaQuestionRow.space_id == space_id,
                QaQuestionRow.author_id == member_id,
                QaQuestionRow.status == POSTED,
            )
        )
        answers = await self.session.scalar(
            select(func.count()).where(
                QaAnswerRow.space_id == space_id, QaAnswerRow.author_id == member_id
            )
        )
        return int(questions or 0), int(answers or 0)

    async def export_member(self, space_id: int, member_id: int) -> MemberQa:
        votes = await self.session.execute(
            select(QaAnswerRow.number, QaVoteRow.at)
            .join(QaAnswerRow, QaAnswerRow.id == QaVoteRow.answer_id)
            .where(QaVoteRow.space_id == space_id, QaVoteRow.member_id == member_id)
            .order_by(QaVoteRow.at)
        )
        following = await self.session.scalars(
            select(QaFollowerRow.question_id)
            .where(QaFollowerRow.space_id == space_id, QaFollowerRow.member_id == member_id)
            .order_by(QaFollowerRow.question_id)
        )
        looked_up = await self.session.execute(
            select(QaRevealRow.question_id, QaRevealRow.at)
            .where(QaRevealRow.space_id == space_id, QaRevealRow.manager_id == member_id)
            .order_by(QaRevealRow.at)
        )
        return MemberQa(
            questions=await self._questions_by(space_id, member_id),
            answers=await self._answers_by(space_id, member_id),
            votes=[(number, at) for number, at in votes],
            following=list(following),
            looked_up=[(question_id, at) for question_id, at in looked_up],
        )

    async def erase_member(self, space_id: int, member_id: int, *, keep_posts: bool) -> ErasedPosts:
        for statement in (
            # the answers keep their vote counts; the core audit log keeps the look-ups
            delete(QaVoteRow).where(
                QaVoteRow.space_id == space_id, QaVoteRow.member_id == member_id
            ),
            delete(QaFollowerRow).where(
                QaFollowerRow.space_id == space_id, QaFollowerRow.member_id == member_id
            ),
            delete(QaRevealRow).where(
                QaRevealRow.space_id == space_id, QaRevealRow.manager_id == member_id
            ),
        ):
            await self.session.execute(statement)
        questions = await self._questions_by(space_id, member_id)
        answers = await self._answers_by(space_id, member_id)
        posted = [q for q in questions if q.status is QuestionStatus.POSTED]
        unposted = [q.id for q in questions if q.status is not QuestionStatus.POSTED]
        await self._delete_questions(space_id, unposted)  # drafts were never seen by anyone
        if keep_posts:
            for anonymise in (
                update(QaQuestionRow).where(
                    QaQuestionRow.space_id == space_id, QaQuestionRow.author_id == member_id
                ),
                update(QaAnswerRow).where(
                    QaAnswerRow.space_id == space_id, QaAnswerRow.author_id == member_id
                ),
            ):
                await self.session.execute(
                    anonymise.values(author_id=None).execution_options(synchronize_session=False)
                )
            return ErasedPosts([], [], posted, answers)
        gone = {q.id for q in posted}
        await self._delete_questions(space_id, sorted(gone))  # their threads go with them
        elsewhere = [a for a in answers if a.question_id not in gone]
        await self._delete_answers(space_id, elsewhere)
        return ErasedPosts(posted, elsewhere, [], [])

    async def _delete_questions(self, space_id: int, question_ids: list[int]) -> None:
        if question_ids:
            await self.session.execute(
                delete(QaQuestionRow).where(
                    QaQuestionRow.space_id == space_id, QaQuestionRow.id.in_(question_ids)
                )
            )
            await qa_search.forget(self.session, question_ids)

    async def _delete_answers(self, space_id: int, answers: list[Answer]) -> None:
        """Delete answers to other members' questions: their counts drop, an accepted one is
        no longer accepted, and each question's search document loses the answer's text."""
        for answer in answers:
            await self.session.execute(
                update(QaQuestionRow)
                .where(QaQuestionRow.space_id == space_id, QaQuestionRow.id == answer.question_id)
                .values(answers=QaQuestionRow.answers - 1)
                .execution_options(synchronize_session=False)
            )
            await self.session.execute(
                update(QaQuestionRow)
                .where(
                    QaQuestionRow.space_id == space_id,
                    QaQuestionRow.accepted_answer_id == answer.id,
                )
                .values(accepted_answer_id=None)
                .execution_options(synchronize_session=False)
            )
        if answers:
            await self.session.execute(
                delete(QaAnswerRow).where(
                    QaAnswerRow.space_id == space_id,
                    QaAnswerRow.id.in_([a.id for a in answers]),
                )
            )
        for question_id in sorted({a.question_id for a in answers}):
            row = await self.session.scalar(
                select(QaQuestionRow)
                .where(QaQuestionRow.space_id == space_id, QaQuestionRow.id == question_id)
                .execution_options(populate_existing=True)
            )
            if row is not None and row.status == POSTED:
                await self._reindex(question_from_row(row))

    async def questions_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        return await per_week(
            self.session,
            QaQuestionRow.posted_at,
            [QaQuestionRow.space_id == space_id, QaQuestionRow.status == POSTED],
            bounds,
        )

    async def answers_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        return await per_week(
            self.session, QaAnswerRow.answered_at, [QaAnswerRow.space_id == space_id], bounds
        )

    async def unanswered_before(self, space_id: int, before: datetime) -> int:
        count = await self.session.scalar(
            select(func.count()).where(
                QaQuestionRow.space_id == space_id,
                QaQuestionRow.status == POSTED,
                QaQuestionRow.answers == 0,
                QaQuestionRow.posted_at < before,
            )
        )
        return int(count or 0)
