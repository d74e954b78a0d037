"""Community events' queries for members' data rights and the managers' chart: one member's
answers and the events they created or host (export), their erasure, and answers counted per
week in SQL."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.events.model import Answer, MemberEvents
from storage.event_rows import (
    EventOccurrenceRow,
    EventRsvpRow,
    EventSeriesRow,
    occurrence_from,
    rsvp_from,
    series_from,
)
from storage.weekly import per_week


class EventData:
    """Every query is filtered by space, like the rest of `SqlEvents`."""

    session: AsyncSession

    async def export_member(self, space_id: int, member_id: int) -> MemberEvents:
        answered = await self.session.execute(
            select(EventOccurrenceRow, EventRsvpRow)
            .join(EventRsvpRow, EventRsvpRow.occurrence_id == EventOccurrenceRow.id)
            .where(EventRsvpRow.space_id == space_id, EventRsvpRow.member_id == member_id)
            .order_by(EventOccurrenceRow.starts_at, EventOccurrenceRow.number)
        )
        created = await self.session.scalars(
            select(EventSeriesRow)
            .where(EventSeriesRow.space_id == space_id, EventSeriesRow.creator_id == member_id)
            .order_by(EventSeriesRow.id)
        )
        hosting = await self.session.scalars(
            select(EventOccurrenceRow)
            .where(EventOccurrenceRow.space_id == space_id, EventOccurrenceRow.host_id == member_id)
            .order_by(EventOccurrenceRow.starts_at, EventOccurrenceRow.number)
        )
        return MemberEvents(
            rsvps=[(occurrence_from(o), rsvp_from(r)) for o, r in answered],
            created=[series_from(s) for s in created],
            hosting=[occurrence_from(o) for o in hosting],
        )

    async def erase_member(self, space_id: int, member_id: int) -> None:
        # explicit, not left to ON DELETE actions
        await self.session.execute(
            delete(EventRsvpRow).where(
                EventRsvpRow.space_id == space_id, EventRsvpRow.member_id == member_id
            )
        )
        for table in (EventSeriesRow, EventOccurrenceRow):
            await self.session.execute(
                update(table)
                .where(table.space_id == space_id, table.host_id == member_id)
                .values(host_id=None)
                .execution_options(synchronize_session=False)
            )
        await self.session.execute(
            update(EventSeriesRow)
            .where(EventSeriesRow.space_id == space_id, EventSeriesRow.creator_id == member_id)
            .values(creator_id=None)
            .execution_options(synchronize_session=False)
        )

    async def rsvps_per_week(self, space_id: int, bounds: Sequence[datetime]) -> list[int]:
        return await per_week(
            self.session,
            EventRsvpRow.answered_at,
            [EventRsvpRow.space_id == space_id, EventRsvpRow.answer != Answer.NO.value],
            bounds,
        )
