"""Networking rounds' queries for members' data rights and the managers' digest: one member's
pairings and exclusions (export), their erasure, and a round's answers counted in SQL."""

from __future__ import annotations

from sqlalchemy import delete, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.features.network.model import PairInfo, RoundInfo
from storage.network_tables import (
    NetworkExclusionRow,
    NetworkMemberRow,
    NetworkPairMemberRow,
    NetworkPairRow,
    NetworkRoundRow,
)


def round_info(row: NetworkRoundRow) -> RoundInfo:
    return RoundInfo(row.id, row.number, row.starts_at, row.ends_at, row.planned_at is not None)


class SqlNetworkData:
    """Every query is filtered by space, like the rest of `SqlNetwork`."""

    session: AsyncSession

    async def recent_rounds(self, space_id: int, limit: int) -> list[RoundInfo]:
        rows = await self.session.scalars(
            select(NetworkRoundRow)
            .where(NetworkRoundRow.space_id == space_id)
            .order_by(NetworkRoundRow.number.desc())
            .limit(limit)
        )
        return [round_info(row) for row in rows]

    async def round_answers(self, space_id: int, round_id: int) -> dict[str | None, int]:
        rows = await self.session.execute(
            select(NetworkPairMemberRow.answer, func.count())
            .join(NetworkPairRow, NetworkPairRow.id == NetworkPairMemberRow.pair_id)
            .where(NetworkPairRow.space_id == space_id, NetworkPairRow.round_id == round_id)
            .group_by(NetworkPairMemberRow.answer)
        )
        return {answer: int(count) for answer, count in rows}

    async def member_pairs(self, space_id: int, member_id: int) -> list[tuple[RoundInfo, PairInfo]]:
        mine = (
            select(NetworkPairMemberRow.pair_id)
            .where(
                NetworkPairMemberRow.space_id == space_id,
                NetworkPairMemberRow.member_id == member_id,
            )
            .scalar_subquery()
        )
        rows = await self.session.execute(
            select(
                NetworkRoundRow,
                NetworkPairMemberRow.pair_id,
                NetworkPairMemberRow.member_id,
                NetworkPairMemberRow.answer,
            )
            .join(NetworkPairRow, NetworkPairRow.round_id == NetworkRoundRow.id)
            .join(NetworkPairMemberRow, NetworkPairMemberRow.pair_id == NetworkPairRow.id)
            .where(NetworkPairRow.space_id == space_id, NetworkPairRow.id.in_(mine))
            .order_by(NetworkRoundRow.number, NetworkPairMemberRow.member_id)
        )
        rounds: dict[int, RoundInfo] = {}
        answers: dict[int, dict[int, str | None]] = {}
        for round_row, pair_id, member, answer in rows.all():
            rounds[pair_id] = round_info(round_row)
            answers.setdefault(pair_id, {})[member] = answer
        return [
            (rounds[pair_id], PairInfo(pair_id, rounds[pair_id].id, tuple(given), given))
            for pair_id, given in answers.items()
        ]

    async def excluded_by(self, space_id: int, member_id: int) -> list[int]:
        rows = await self.session.scalars(
            select(NetworkExclusionRow.excluded_id)
            .where(
                NetworkExclusionRow.space_id == space_id,
                NetworkExclusionRow.member_id == member_id,
            )
            .order_by(NetworkExclusionRow.excluded_id)
        )
        return list(rows)

    async def erase_member(self, space_id: int, member_id: int) -> None:
        for statement in (
            delete(NetworkMemberRow).where(
                NetworkMemberRow.space_id == space_id, NetworkMemberRow.member_id == member_id
            ),
            delete(NetworkExclusionRow).where(
                NetworkExclusionRow.space_id == space_id,
                or_(
                    NetworkExclusionRow.member_id == member_id,
                    NetworkExclusionRow.excluded_id == member_id,
                ),
            ),
            delete(NetworkPairMemberRow).where(
                NetworkPairMemberRow.space_id == space_id,
                NetworkPairMemberRow.member_id == member_id,
            ),
        ):
            await self.session.execute(statement)
