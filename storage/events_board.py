"""Events' reads for the managers' dashboard: the latest past occurrences."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.events.model import Occurrence
from storage.event_rows import EventOccurrenceRow, occurrence_from


class EventsBoard:
    session: AsyncSession

    async def board_past(self, space_id: int, now: datetime, limit: int) -> list[Occurrence]:
        rows = await self.session.scalars(
            select(EventOccurrenceRow)
            .where(EventOccurrenceRow.space_id == space_id, EventOccurrenceRow.ends_at <= now)
            .order_by(EventOccurrenceRow.starts_at.desc(), EventOccurrenceRow.number.desc())
            .limit(limit)
        )
        return [occurrence_from(row) for row in rows]
