"""Repositories: rows in, core domain objects out, all inside one session's transaction."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime, time
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Member, Profile, QuietHours, Space, SpaceKey
from bot.messages import ChannelPost, DirectMessage, EventListing, GroupMessage, Target
from bot.ports import NewDelivery
from storage.directory_index import directory_columns, interest_keys
from storage.erasure import SqlMemberErasure, SqlOutboxErasure
from storage.models import (
    InboundEventRow,
    MemberInterestRow,
    MemberRow,
    OutboxRow,
    SettingRow,
    SpaceRow,
)
from storage.outbox_rows import FINISHED, cancel_older


def _insert(session: AsyncSession):  # type: ignore[no-untyped-def]
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING on both backends."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class SqlSpaces:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_or_create(self, key: SpaceKey, name: str = "") -> Space:
        insert = _insert(self.session)
        await self.session.execute(
            insert(SpaceRow)
            .values(
                platform=key.platform,
                external_id=key.external_id,
                name=name,
                created_at=datetime.now(UTC),
            )
            .on_conflict_do_nothing(index_elements=["platform", "external_id"])
        )
        row = (
            await self.session.execute(
                select(SpaceRow).where(
                    SpaceRow.platform == key.platform, SpaceRow.external_id == key.external_id
                )
            )
        ).scalar_one()
        return Space(row.id, key, row.name)


def quiet_from_text(text: str | None) -> QuietHours | None:
    if not text:
        return None
    start, end = text.split("-")
    return QuietHours(time.fromisoformat(start), time.fromisoformat(end))


def member_from_row(row: MemberRow) -> Member:
    return Member(
        id=row.id,
        space_id=row.space_id,
        user_id=row.user_id,
        display_name=row.display_name,
        joined_at=row.joined_at,
        is_manager=row.is_manager,
        is_platform_admin=row.platform_admin,
        welcomed_at=row.welcomed_at,
        profile=Profile(
            name=row.name,
            profession=row.profession,
            stage=row.stage,
            specialty=row.specialty,
            institution=row.institution,
            region=row.region,
            timezone=row.timezone,
            interests=tuple(json.loads(row.interests or "[]")),
            goals=tuple(json.loads(row.goals or "[]")),
            open_to_mentor=row.open_to_mentor,
            seeking_mentor=row.seeking_mentor,
            quiet_hours=quiet_from_text(row.quiet_hours),
        ),
    )


def profile_columns(profile: Profile) -> dict[str, object]:
    return {
        "name": profile.name,
        "profession": profile.profession,
        "stage": profile.stage,
        "specialty": profile.specialty,
        "institution": profile.institution,
        "region": profile.region,
        "timezone": profile.timezone,
        "interests": json.dumps(list(profile.interests)),
        "goals": json.dumps(list(profile.goals)),
        "open_to_mentor": profile.open_to_mentor,
        "seeking_mentor": profile.seeking_mentor,
        "quiet_hours": str(profile.quiet_hours) if profile.quiet_hours else None,
    }


class SqlMembers(SqlMemberErasure):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, space_id: int, user_id: str) -> Member | None:
        row = (
            await self.session.execute(
                select(MemberRow)
                .where(MemberRow.space_id == space_id, MemberRow.user_id == user_id)
                .execution_options(populate_existing=True)  # updates bypass the identity map
            )
        ).scalar_one_or_none()
        return member_from_row(row) if row else None

    async def add(
        self,
        space_id: int,
        user_id: str,
        display_name: str,
        joined_at: datetime,
        *,
        is_manager: bool = False,
    ) -> Member:
        """Add a member; if a concurrent transaction just added them, return that row.

        A new member's first two interactions can race (a command while their home page
        opens); the loser must not fail with a unique violation.
        """
        insert = _insert(self.session)
        await self.session.execute(
            insert(MemberRow)
            .values(
                space_id=space_id,
                user_id=user_id,
                display_name=display_name,
                joined_at=joined_at,
                is_manager=is_manager,
                interests="[]",
                goals="[]",
            )
            .on_conflict_do_nothing(index_elements=["space_id", "user_id"])
        )
        member = await self.get(space_id, user_id)
        assert member is not None  # inserted now, or by the transaction that won the race
        return member

    async def rename(self, space_id: int, member_id: int, display_name: str) -> None:
        row = await self.session.get(MemberRow, member_id, populate_existing=True)
        if row is not None and row.space_id == space_id:  # the directory searches names too
            profile = member_from_row(row).profile
            await self._update(
                space_id,
                member_id,
                display_name=display_name,
                **directory_columns(profile, display_name),
            )

    async def save_profile(self, space_id: int, member_id: int, profile: Profile) -> None:
        display_name = (
            await self.session.execute(
                select(MemberRow.display_name).where(
                    MemberRow.space_id == space_id, MemberRow.id == member_id
                )
            )
        ).scalar_one_or_none()
        if display_name is None:
            return  # not a member of this space
        await self._update(
            space_id,
            member_id,
            **profile_columns(profile),
            **directory_columns(profile, display_name),
        )
        await self.session.execute(
            delete(MemberInterestRow).where(  # by the primary key, as in `by_ids`
                MemberInterestRow.space_id + 0 == space_id, MemberInterestRow.member_id == member_id
            )
        )
        keys = interest_keys(profile)
        if keys:
            await self.session.execute(
                insert(MemberInterestRow),
                [{"member_id": member_id, "space_id": space_id, "interest": k} for k in keys],
            )

    async def by_ids(self, space_id: int, member_ids: list[int]) -> dict[int, Member]:
        found: dict[int, Member] = {}
        for start in range(0, len(member_ids), 500):
            # by the primary key; `+ 0` keeps SQLite's planner, without statistics, from
            # walking the whole space through (space_id, user_id) instead
            rows = await self.session.execute(
                select(MemberRow).where(
                    MemberRow.id.in_(member_ids[start : start + 500]),
                    MemberRow.space_id + 0 == space_id,
                )
            )
            found.update({row.id: member_from_row(row) for row in rows.scalars()})
        return found

    async def names(self, space_id: int, member_ids: list[int]) -> dict[int, str]:
        found: dict[int, str] = {}
        for start in range(0, len(member_ids), 500):
            rows = await self.session.execute(
                select(MemberRow.id, MemberRow.display_name, MemberRow.user_id).where(
                    MemberRow.space_id + 0 == space_id,  # by the primary key, as in `by_ids`
                    MemberRow.id.in_(member_ids[start : start + 500]),
                )
            )
            found.update({row.id: row.display_name or row.user_id for row in rows})
        return found

    async def by_user_ids(self, space_id: int, user_ids: list[str]) -> dict[str, Member]:
        rows = await self.session.execute(
            select(MemberRow).where(MemberRow.space_id == space_id, MemberRow.user_id.in_(user_ids))
        )
        return {row.user_id: member_from_row(row) for row in rows.scalars()}

    async def mark_welcomed(self, space_id: int, member_id: int, at: datetime) -> None:
        await self._update(space_id, member_id, welcomed_at=at)

    async def set_manager(self, space_id: int, member_id: int, is_manager: bool) -> None:
        await self._update(space_id, member_id, is_manager=is_manager)

    async def set_platform_admin(self, space_id: int, member_id: int, is_admin: bool) -> None:
        await self._update(space_id, member_id, platform_admin=is_admin)

    async def managers(self, space_id: int) -> list[Member]:
        rows = await self.session.execute(
            select(MemberRow)
            .where(
                MemberRow.space_id == space_id,
                or_(MemberRow.is_manager.is_(True), MemberRow.platform_admin.is_(True)),
            )
            .order_by(MemberRow.id)
        )
        return [member_from_row(row) for row in rows.scalars()]

    async def count(self, space_id: int) -> int:
        total = await self.session.scalar(
            select(func.count()).select_from(MemberRow).where(MemberRow.space_id == space_id)
        )
        return int(total or 0)

    async def _update(self, space_id: int, member_id: int, **values: object) -> None:
        await self.session.execute(
            update(MemberRow)
            .where(MemberRow.space_id == space_id, MemberRow.id == member_id)
            .values(**values)
            .execution_options(synchronize_session=False)
        )


class SqlSettings:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def all(self, space_id: int) -> dict[str, str]:
        rows = await self.session.execute(
            select(SettingRow.key, SettingRow.value).where(SettingRow.space_id == space_id)
        )
        return {key: value for key, value in rows}

    async def put(self, space_id: int, key: str, value: str) -> None:
        insert = _insert(self.session)
        statement = insert(SettingRow).values(space_id=space_id, key=key, value=value)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["space_id", "key"], set_={"value": statement.excluded.value}
            )
        )


def target_columns(target: Target) -> dict[str, str | None]:
    if isinstance(target, DirectMessage):
        return {"target_kind": "dm", "target_id": target.user_id, "thread_ref": None}
    if isinstance(target, GroupMessage):
        return {"target_kind": "group", "target_id": ",".join(target.user_ids), "thread_ref": None}
    if isinstance(target, EventListing):
        return {"target_kind": "listing", "target_id": "", "thread_ref": None}
    assert isinstance(target, ChannelPost)
    return {
        "target_kind": "channel",
        "target_id": target.channel_id,
        "thread_ref": target.thread_ref,
    }


ROWS_PER_INSERT = 500
"""Rows per multi-row INSERT: 15 columns each stays far below both databases' bind limits."""


def row_values(space_id: int, delivery: NewDelivery, at: datetime) -> dict[str, Any]:
    return {
        "space_id": space_id,
        "dedupe_key": delivery.dedupe_key,
        "purpose": delivery.purpose,
        "payload": json.dumps(delivery.message.to_dict()),
        "fallback_channel": delivery.fallback_channel,
        "replaces": delivery.replaces,
        "thread_of": delivery.thread_of,
        "quiet": delivery.quiet,
        "due_at": delivery.due_at,
        "expires_at": delivery.expires_at,
        "status": "pending",
        "attempts": 0,
        "created_at": at,
        **target_columns(delivery.target),
    }


class SqlOutbox(SqlOutboxErasure):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(self, space_id: int, delivery: NewDelivery) -> bool:
        return await self.enqueue_many(space_id, [delivery]) == 1

    async def enqueue_many(self, space_id: int, deliveries: Sequence[NewDelivery]) -> int:
        insert = _insert(self.session)
        # wall-clock time, like created_at: these calls carry no moment of the core's clock
        at = datetime.now(UTC)
        new: set[str] = set()
        table = cast(Table, OutboxRow.__table__)
        # one cached statement, executed many times (SQLAlchemy batches the rows itself);
        # a multi-row VALUES clause would be compiled afresh for every chunk
        statement = (
            insert(table)
            .on_conflict_do_nothing(index_elements=["space_id", "dedupe_key"])
            .returning(table.c.dedupe_key)
        )
        for start in range(0, len(deliveries), ROWS_PER_INSERT):
            chunk = deliveries[start : start + ROWS_PER_INSERT]
            inserted = await self.session.execute(
                statement, [row_values(space_id, delivery, at) for delivery in chunk]
            )
            new.update(inserted.scalars())
        for delivery in deliveries:
            if delivery.replaces and delivery.dedupe_key in new:
                await cancel_older(self.session, space_id, delivery.replaces, at)
        return len(new)

    async def cancel(self, space_id: int, dedupe_key: str) -> bool:
        cancelled = await self.session.execute(
            update(OutboxRow)
            .where(
                OutboxRow.space_id == space_id,
                OutboxRow.dedupe_key == dedupe_key,
                OutboxRow.status == "pending",
            )
            .values(status="cancelled", payload=None, finished_at=datetime.now(UTC))
            .returning(OutboxRow.id)
            .execution_options(synchronize_session=False)
        )
        return cancelled.first() is not None

    async def spaces(self) -> list[int]:
        return list(
            (await self.session.execute(select(SpaceRow.id).order_by(SpaceRow.id))).scalars()
        )

    async def purge_finished(self, space_id: int, before: datetime) -> int:
        purged = await self.session.execute(
            delete(OutboxRow).where(
                OutboxRow.space_id == space_id,
                OutboxRow.finished_at < before,
                OutboxRow.status.in_(FINISHED),
            )
        )
        return int(purged.rowcount or 0)  # type: ignore[attr-defined]

    async def oldest_finished(self, space_id: int) -> datetime | None:
        return await self.session.scalar(
            select(func.min(OutboxRow.finished_at)).where(
                OutboxRow.space_id == space_id, OutboxRow.status.in_(FINISHED)
            )
        )


class SqlInbound:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def first_time(self, space_id: int, key: str, at: datetime) -> bool:
        insert = _insert(self.session)
        statement = (
            insert(InboundEventRow)
            .values(space_id=space_id, key=key[:100], seen_at=at)
            .on_conflict_do_nothing(index_elements=["space_id", "key"])
            .returning(InboundEventRow.key)
        )
        return (await self.session.execute(statement)).scalar_one_or_none() is not None

    async def oldest(self) -> datetime | None:
        return await self.session.scalar(select(func.min(InboundEventRow.seen_at)))

    async def forget_before(self, moment: datetime) -> int:
        result = await self.session.execute(
            delete(InboundEventRow).where(InboundEventRow.seen_at < moment)
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
