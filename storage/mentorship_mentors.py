"""Mentors' rows: offers (capacity, areas), pauses, leaving, and the count of pairs that hold
a mentor's places, kept with every change of a pair's status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.mentorship.model import DEFAULT_CAPACITY, Mentor
from storage.mentorship_rows import MentorAreaRow, MentorRow, mentor_of
from storage.repos import _insert


class MentorRecords:
    session: AsyncSession

    # -- mentors -----------------------------------------------------------------------------
    async def mentor(self, space_id: int, member_id: int) -> Mentor | None:
        row = await self.session.scalar(
            select(MentorRow)
            .where(MentorRow.space_id == space_id, MentorRow.member_id == member_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return None
        areas: tuple[str, ...] = ()
        if row.own_areas:
            labels = await self.session.scalars(
                select(MentorAreaRow.label)
                .where(MentorAreaRow.space_id == space_id, MentorAreaRow.member_id == member_id)
                .order_by(MentorAreaRow.area)
            )
            areas = tuple(labels)
        return mentor_of(row, areas)

    async def save_mentor(
        self,
        space_id: int,
        member_id: int,
        at: datetime,
        *,
        capacity: int | None = None,
        areas: tuple[str, ...] | None = None,
    ) -> Mentor:
        values: dict[str, object] = {"changed_at": at, "left_at": None}
        if capacity is not None:
            values["capacity"] = capacity
        if areas is not None:
            values["own_areas"] = bool(areas)
        insert = _insert(self.session)
        statement = insert(MentorRow).values(
            member_id=member_id,
            space_id=space_id,
            capacity=capacity if capacity is not None else DEFAULT_CAPACITY,
            commitments=0,
            own_areas=bool(areas),
            changed_at=at,
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["member_id"], set_=values, where=MentorRow.space_id == space_id
            )
        )
        if areas is not None:
            await self.session.execute(
                delete(MentorAreaRow).where(
                    MentorAreaRow.space_id == space_id, MentorAreaRow.member_id == member_id
                )
            )
            unique = {a.lower()[:40]: a[:40] for a in areas}
            if unique:
                await self.session.execute(
                    insert(MentorAreaRow),
                    [
                        {"member_id": member_id, "space_id": space_id, "area": k, "label": v}
                        for k, v in unique.items()
                    ],
                )
        found = await self.mentor(space_id, member_id)
        assert found is not None  # written just now (a row of another space is never changed)
        return found

    async def _mentor_update(self, space_id: int, member_id: int, **values: object) -> None:
        await self.session.execute(
            update(MentorRow)
            .where(MentorRow.space_id == space_id, MentorRow.member_id == member_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )

    async def pause_mentor(
        self, space_id: int, member_id: int, at: datetime, until: datetime | None
    ) -> None:
        await self._mentor_update(space_id, member_id, paused_at=at, paused_until=until)

    async def resume_mentor(self, space_id: int, member_id: int) -> None:
        await self._mentor_update(space_id, member_id, paused_at=None, paused_until=None)

    async def mentor_left(self, space_id: int, member_id: int, at: datetime) -> None:
        await self._mentor_update(space_id, member_id, left_at=at, changed_at=at)

    async def commitments(self, space_id: int, member_id: int) -> int:
        count = await self.session.scalar(
            select(MentorRow.commitments).where(
                MentorRow.space_id == space_id, MentorRow.member_id == member_id
            )
        )
        return int(count or 0)

    async def _commit(self, space_id: int, member_id: int, change: int, at: datetime) -> None:
        """A pair began (+1) or stopped (-1) counting against the mentor's capacity. A
        `mentor=yes` profile gets its row (with the defaults) at its first pair."""
        await self.session.execute(
            _insert(self.session)(MentorRow)
            .values(
                member_id=member_id,
                space_id=space_id,
                capacity=DEFAULT_CAPACITY,
                commitments=0,
                own_areas=False,
                changed_at=at,
            )
            .on_conflict_do_nothing(index_elements=["member_id"])
        )
        await self._mentor_update(
            space_id,
            member_id,
            commitments=case(
                (MentorRow.commitments + change < 0, 0), else_=MentorRow.commitments + change
            ),
        )
