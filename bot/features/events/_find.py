"""An event by the number a member typed, and who may change it (its host, its creator, or a
manager). Numbers from another community find nothing."""

from __future__ import annotations

from bot.context import Context
from bot.errors import UserError
from bot.features.events.model import EVENTS, Occurrence, Series

NOT_YOURS = (
    "Only the event's host, whoever created it, or a community manager can change it. "
    "Ask them, or see it with `/rounds event {number}`."
)


async def find(ctx: Context, number: int) -> tuple[Occurrence, Series]:
    repo = ctx.tx.repo(EVENTS)
    occurrence = await repo.occurrence(ctx.space.id, number)
    series = await repo.series(ctx.space.id, occurrence.series_id) if occurrence else None
    if occurrence is None or series is None:
        raise UserError(
            f"There's no event {number} here. See upcoming events with `/rounds events`.",
            field="id",
        )
    return occurrence, series


def may_manage(ctx: Context, occurrence: Occurrence, series: Series) -> None:
    mine = ctx.member.id in (occurrence.details.host_id, series.creator_id)
    if not (mine or ctx.is_manager):
        raise UserError(NOT_YOURS.format(number=occurrence.number))
