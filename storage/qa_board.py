"""Q&A's reads for the managers' dashboard: answer and acceptance counts in one query."""

from __future__ import annotations

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.qa.model import QuestionStatus
from storage.qa_tables import QaQuestionRow


class QaBoard:
    session: AsyncSession

    async def board_rates(self, space_id: int) -> tuple[int, int, int]:
        answered = case((QaQuestionRow.answers > 0, 1), else_=0)
        accepted = case((QaQuestionRow.accepted_answer_id.is_not(None), 1), else_=0)
        row = (
            await self.session.execute(
                select(
                    func.count(),
                    func.coalesce(func.sum(answered), 0),
                    func.coalesce(func.sum(accepted), 0),
                ).where(
                    QaQuestionRow.space_id == space_id,
                    QaQuestionRow.status == QuestionStatus.POSTED.value,
                )
            )
        ).one()
        return int(row[0]), int(row[1]), int(row[2])
