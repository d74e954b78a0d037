"""Networking rounds' tables and repository: participants, exclusions, rounds, pairs, answers.

Every query is filtered by space, so an id from another space (a replayed button) finds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.domain import Member
from bot.features.network.model import (
    NETWORK,
    NetworkStatus,
    PairInfo,
    Participant,
    RoundInfo,
)
from storage.models import MemberRow
from storage.network_data import SqlNetworkData, round_info
from storage.network_tables import (
    NetworkExclusionRow,
    NetworkMemberRow,
    NetworkPairMemberRow,
    NetworkPairRow,
    NetworkRoundRow,
)
from storage.repos import _insert, member_from_row

__all__ = [
    "REPOSITORIES",
    "NetworkExclusionRow",
    "NetworkMemberRow",
    "NetworkPairMemberRow",
    "NetworkPairRow",
    "NetworkRoundRow",
    "SqlNetwork",
]


CHUNK = 500  # rows per statement: well under SQLite's and asyncpg's parameter limits


def _participant(row: NetworkMemberRow) -> Participant:
    status = NetworkStatus(row.status)
    return Participant(
        row.member_id, status, row.snoozed_until, row.ignored_streak, row.told_alone_after
    )


_round = round_info


class SqlNetwork(SqlNetworkData):
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def participant(self, space_id: int, member_id: int) -> Participant | None:
        row = await self.session.scalar(
            select(NetworkMemberRow)
            .where(NetworkMemberRow.space_id == space_id, NetworkMemberRow.member_id == member_id)
            .execution_options(populate_existing=True)
        )
        if row is None:
            return None
        return _participant(row)

    async def mark_told_alone(self, space_id: int, member_id: int, after_round: int) -> None:
        await self.session.execute(
            update(NetworkMemberRow)
            .where(NetworkMemberRow.space_id == space_id, NetworkMemberRow.member_id == member_id)
            .values(told_alone_after=after_round)
            .execution_options(synchronize_session=False)
        )

    async def set_status(
        self,
        space_id: int,
        member_id: int,
        status: NetworkStatus,
        at: datetime,
        snoozed_until: datetime | None = None,
    ) -> None:
        insert = _insert(self.session)
        values: dict[str, object] = {
            "status": status.value,
            "snoozed_until": snoozed_until,
            "changed_at": at,
        }
        if status is NetworkStatus.ACTIVE:
            values["ignored_streak"] = 0
        statement = insert(NetworkMemberRow).values(
            {"member_id": member_id, "space_id": space_id, "ignored_streak": 0, **values}
        )
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=["member_id"],
                set_=values,
                where=NetworkMemberRow.space_id == space_id,
            )
        )

    async def set_statuses(
        self, space_id: int, member_ids: list[int], status: NetworkStatus, at: datetime
    ) -> None:
        for start in range(0, len(member_ids), CHUNK):
            await self.session.execute(
                update(NetworkMemberRow)
                .where(
                    NetworkMemberRow.space_id == space_id,
                    NetworkMemberRow.member_id.in_(member_ids[start : start + CHUNK]),
                )
                .values(status=status.value, snoozed_until=None, changed_at=at)
                .execution_options(synchronize_session=False)
            )

    async def set_streaks(self, space_id: int, streaks: dict[int, int]) -> None:
        """One UPDATE per streak length (a handful), not one per member."""
        by_streak: dict[int, list[int]] = defaultdict(list)
        for member_id, streak in streaks.items():
            by_streak[streak].append(member_id)
        for streak, member_ids in by_streak.items():
            for start in range(0, len(member_ids), CHUNK):
                await self.session.execute(
                    update(NetworkMemberRow)
                    .where(
                        NetworkMemberRow.space_id == space_id,
                        NetworkMemberRow.member_id.in_(member_ids[start : start + CHUNK]),
                    )
                    .values(ignored_streak=streak)
                    .execution_options(synchronize_session=False)
                )

    async def participants(self, space_id: int) -> dict[int, Participant]:
        rows = await self.session.execute(
            select(NetworkMemberRow).where(NetworkMemberRow.space_id == space_id)
        )
        return {row.member_id: _participant(row) for row in rows.scalars()}

    async def with_status(self, space_id: int, status: NetworkStatus) -> list[Participant]:
        rows = await self.session.scalars(
            select(NetworkMemberRow)
            .where(NetworkMemberRow.space_id == space_id, NetworkMemberRow.status == status.value)
            .order_by(NetworkMemberRow.member_id)
        )
        return [_participant(row) for row in rows]

    async def reactivate(self, space_id: int, now: datetime) -> None:
        await self.session.execute(
            update(NetworkMemberRow)
            .where(
                NetworkMemberRow.space_id == space_id,
                NetworkMemberRow.status == "snoozed",
                NetworkMemberRow.snoozed_until <= now,
            )
            .values(status="active", snoozed_until=None, changed_at=now)
            .execution_options(synchronize_session=False)
        )

    async def exclude(self, space_id: int, member_id: int, excluded_id: int) -> bool:
        insert = _insert(self.session)
        statement = (
            insert(NetworkExclusionRow)
            .values(member_id=member_id, excluded_id=excluded_id, space_id=space_id)
            .on_conflict_do_nothing(index_elements=["member_id", "excluded_id"])
            .returning(NetworkExclusionRow.member_id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def exclusions(self, space_id: int) -> set[tuple[int, int]]:
        rows = await self.session.execute(
            select(NetworkExclusionRow.member_id, NetworkExclusionRow.excluded_id).where(
                NetworkExclusionRow.space_id == space_id
            )
        )
        return {(a, b) for a, b in rows}

    async def spaces_with_participants(self) -> list[int]:
        rows = await self.session.execute(
            select(NetworkMemberRow.space_id)
            .where(NetworkMemberRow.status.in_(("active", "snoozed")))
            .distinct()
        )
        return list(rows.scalars())

    async def eligible(self, space_id: int, now: datetime) -> list[Member]:
        statement = (
            select(MemberRow)
            .join(NetworkMemberRow, NetworkMemberRow.member_id == MemberRow.id)
            .where(
                NetworkMemberRow.space_id == space_id,
                or_(
                    NetworkMemberRow.status == "active",
                    (NetworkMemberRow.status == "snoozed")
                    & (NetworkMemberRow.snoozed_until <= now),
                ),
            )
            .order_by(MemberRow.id)
        )
        return [member_from_row(row) for row in (await self.session.execute(statement)).scalars()]

    async def counts(self, space_id: int) -> dict[NetworkStatus, int]:
        rows = await self.session.execute(
            select(NetworkMemberRow.status, func.count())
            .where(NetworkMemberRow.space_id == space_id)
            .group_by(NetworkMemberRow.status)
        )
        return {NetworkStatus(status): int(count) for status, count in rows}

    async def history(self, space_id: int) -> set[frozenset[int]]:
        rows = await self.session.execute(
            select(NetworkPairMemberRow.pair_id, NetworkPairMemberRow.member_id)
            .join(NetworkPairRow, NetworkPairRow.id == NetworkPairMemberRow.pair_id)
            .where(NetworkPairRow.space_id == space_id)
        )
        groups: dict[int, list[int]] = defaultdict(list)
        for pair_id, member_id in rows:
            groups[pair_id].append(member_id)
        seen: set[frozenset[int]] = set()
        for members in groups.values():
            for i, a in enumerate(members):
                for b in members[i + 1 :]:
                    seen.add(frozenset((a, b)))
        return seen

    async def start_round(
        self, space_id: int, number: int, starts_at: datetime, ends_at: datetime, at: datetime
    ) -> RoundInfo | None:
        insert = _insert(self.session)
        statement = (
            insert(NetworkRoundRow)
            .values(
                space_id=space_id, number=number, starts_at=starts_at, ends_at=ends_at, paired_at=at
            )
            .on_conflict_do_nothing(index_elements=["space_id", "number"])
            .returning(NetworkRoundRow.id)
        )
        round_id = (await self.session.execute(statement)).scalar_one_or_none()
        if round_id is None:
            return None
        return RoundInfo(round_id, number, starts_at, ends_at, planned=False)

    async def mark_planned(self, space_id: int, round_id: int, at: datetime) -> None:
        await self.session.execute(
            update(NetworkRoundRow)
            .where(NetworkRoundRow.space_id == space_id, NetworkRoundRow.id == round_id)
            .values(planned_at=at)
            .execution_options(synchronize_session=False)
        )

    async def add_pairs(
        self, space_id: int, round_id: int, groups: list[tuple[int, ...]]
    ) -> list[int]:
        insert = _insert(self.session)
        pair_ids: list[int] = []
        for start in range(0, len(groups), CHUNK):
            chunk = groups[start : start + CHUNK]
            inserted = await self.session.execute(
                insert(NetworkPairRow).returning(NetworkPairRow.id, sort_by_parameter_order=True),
                [{"round_id": round_id, "space_id": space_id} for _ in chunk],
            )
            ids = [int(row_id) for row_id in inserted.scalars()]
            await self.session.execute(
                insert(NetworkPairMemberRow),
                [
                    {"pair_id": pair_id, "member_id": member_id, "space_id": space_id}
                    for pair_id, group in zip(ids, chunk, strict=True)
                    for member_id in group
                ],
            )
            pair_ids += ids
        return pair_ids

    async def latest_round(self, space_id: int) -> RoundInfo | None:
        row = await self.session.scalar(
            select(NetworkRoundRow)
            .where(NetworkRoundRow.space_id == space_id)
            .order_by(NetworkRoundRow.number.desc())
            .limit(1)
        )
        return _round(row) if row else None

    async def round_pairs(self, space_id: int, round_id: int) -> list[PairInfo]:
        rows = await self.session.execute(
            select(
                NetworkPairMemberRow.pair_id,
                NetworkPairMemberRow.member_id,
                NetworkPairMemberRow.answer,
            )
            .join(NetworkPairRow, NetworkPairRow.id == NetworkPairMemberRow.pair_id)
            .where(NetworkPairRow.space_id == space_id, NetworkPairRow.round_id == round_id)
            .order_by(NetworkPairMemberRow.pair_id, NetworkPairMemberRow.member_id)
        )
        pairs: dict[int, dict[int, str | None]] = defaultdict(dict)
        for pair_id, member_id, answer in rows:
            pairs[pair_id][member_id] = answer
        return [
            PairInfo(pair_id, round_id, tuple(answers), answers)
            for pair_id, answers in pairs.items()
        ]

    async def pair(self, space_id: int, pair_id: int) -> PairInfo | None:
        round_id = await self.session.scalar(
            select(NetworkPairRow.round_id).where(
                NetworkPairRow.space_id == space_id, NetworkPairRow.id == pair_id
            )
        )
        if round_id is None:
            return None
        rows = await self.session.execute(
            select(NetworkPairMemberRow.member_id, NetworkPairMemberRow.answer)
            .where(NetworkPairMemberRow.pair_id == pair_id)
            .order_by(NetworkPairMemberRow.member_id)
        )
        answers = {member_id: answer for member_id, answer in rows}
        return PairInfo(pair_id, round_id, tuple(answers), answers)

    async def current_pair(
        self, space_id: int, member_id: int
    ) -> tuple[RoundInfo, PairInfo] | None:
        row = (
            await self.session.execute(
                select(NetworkRoundRow, NetworkPairMemberRow.pair_id)
                .join(NetworkPairRow, NetworkPairRow.round_id == NetworkRoundRow.id)
                .join(NetworkPairMemberRow, NetworkPairMemberRow.pair_id == NetworkPairRow.id)
                .where(
                    NetworkPairMemberRow.space_id == space_id,
                    NetworkPairMemberRow.member_id == member_id,
                )
                .order_by(NetworkRoundRow.number.desc())
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        pair = await self.pair(space_id, row[1])
        assert pair is not None
        return _round(row[0]), pair

    async def answer(
        self, space_id: int, pair_id: int, member_id: int, answer: str, at: datetime
    ) -> None:
        await self.session.execute(
            update(NetworkPairMemberRow)
            .where(
                NetworkPairMemberRow.space_id == space_id,
                NetworkPairMemberRow.pair_id == pair_id,
                NetworkPairMemberRow.member_id == member_id,
            )
            .values(answer=answer, answered_at=at)
            .execution_options(synchronize_session=False)
        )


REPOSITORIES = {NETWORK.name: SqlNetwork}
