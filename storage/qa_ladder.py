"""The follow-up ladder's queries for the Q&A repository: which questions wait for which step,
when the next one is due, who answered before, and the drafts to forget."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.qa.model import Question, QuestionStatus, Stage
from storage.qa_tables import QaAnswerRow, QaQuestionRow

STAGE_COLUMNS = {Stage.PEERS: "peers_at", Stage.MANAGERS: "managers_at", Stage.HELPED: "helped_at"}


def question_from_row(row: QaQuestionRow) -> Question:
    return Question(
        id=row.id,
        space_id=row.space_id,
        number=row.number,
        author_id=row.author_id,
        anonymous=row.anonymous,
        title=row.title,
        body=row.body,
        tags=tuple(t for t in row.tags.split(",") if t),
        status=QuestionStatus(row.status),
        channel_id=row.channel_id,
        asked_at=row.asked_at,
        posted_at=row.posted_at,
        answers=row.answers,
        first_answer_at=row.first_answer_at,
        accepted_answer_id=row.accepted_answer_id,
        card_version=row.card_version,
    )


class SqlQaLadder:
    """Every query is filtered by space, like the rest of `SqlQa`."""

    session: AsyncSession

    async def spaces_with_questions(self) -> list[int]:
        rows = await self.session.scalars(
            select(QaQuestionRow.space_id)
            .where(
                QaQuestionRow.status.in_((QuestionStatus.POSTED.value, QuestionStatus.DRAFT.value)),
                QaQuestionRow.accepted_answer_id.is_(None),
                QaQuestionRow.helped_at.is_(None),
            )
            .distinct()
        )
        return list(rows)

    @staticmethod
    def _waiting(space_id: int, stage: Stage) -> list[Any]:
        """Conditions of a question still waiting for `stage` of the ladder."""
        found = [
            QaQuestionRow.space_id == space_id,
            QaQuestionRow.status == QuestionStatus.POSTED.value,
            QaQuestionRow.accepted_answer_id.is_(None),
            getattr(QaQuestionRow, STAGE_COLUMNS[stage]).is_(None),
        ]
        if stage is Stage.HELPED:
            return [*found, QaQuestionRow.answers > 0]
        return [*found, QaQuestionRow.answers == 0]

    @staticmethod
    def _since(stage: Stage) -> Any:
        return QaQuestionRow.first_answer_at if stage is Stage.HELPED else QaQuestionRow.posted_at

    async def due(self, space_id: int, stage: Stage, before: datetime) -> list[Question]:
        rows = await self.session.scalars(
            select(QaQuestionRow)
            .where(*self._waiting(space_id, stage), self._since(stage) <= before)
            .order_by(QaQuestionRow.id)
        )
        return [question_from_row(row) for row in rows]

    async def earliest(self, space_id: int, stage: Stage) -> datetime | None:
        return await self.session.scalar(
            select(func.min(self._since(stage))).where(*self._waiting(space_id, stage))
        )

    async def mark_done(
        self, space_id: int, question_ids: list[int], stage: Stage, at: datetime
    ) -> None:
        if not question_ids:
            return
        await self.session.execute(
            update(QaQuestionRow)
            .where(QaQuestionRow.space_id == space_id, QaQuestionRow.id.in_(question_ids))
            .values({STAGE_COLUMNS[stage]: at})
            .execution_options(synchronize_session=False)
        )

    async def answerers(self, space_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(QaAnswerRow.author_id)
            .where(QaAnswerRow.space_id == space_id, QaAnswerRow.author_id.is_not(None))
            .distinct()
            .order_by(QaAnswerRow.author_id)
        )
        return [member_id for member_id in rows if member_id is not None]

    async def purge_drafts(self, space_id: int, before: datetime) -> int:
        deleted = await self.session.execute(
            delete(QaQuestionRow)
            .where(
                QaQuestionRow.space_id == space_id,
                QaQuestionRow.status == QuestionStatus.DRAFT.value,
                QaQuestionRow.asked_at < before,
            )
            .returning(QaQuestionRow.id)
        )
        return len(deleted.all())
