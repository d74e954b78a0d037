"""Networking rounds on the managers' dashboard: participation, the met rate of each recent
round, and who was paused after three unanswered rounds (names only)."""

from __future__ import annotations

from collections.abc import Sequence

from bot.dashboard import Block, BoardContext, Column, Figures, Note, Table
from bot.features.network.model import NETWORK, NetworkStatus

ROUNDS = 12


def _rate(met: int, paired: int) -> str:
    return f"{met / paired:.0%}" if paired else "–"


async def health(ctx: BoardContext) -> str:
    network = ctx.tx.repo(NETWORK)
    counts = await network.counts(ctx.space_id)
    active = counts.get(NetworkStatus.ACTIVE, 0)
    line = f"{active} taking part, {counts.get(NetworkStatus.PAUSED, 0)} paused"
    latest = await network.recent_rounds(ctx.space_id, 1)
    if latest:
        answers = await network.round_answers(ctx.space_id, latest[0].id)
        paired = sum(answers.values())
        line += f"; round {latest[0].number}: {_rate(answers.get('met', 0), paired)} met"
    return line + "."


async def page(ctx: BoardContext) -> Sequence[Block]:
    network = ctx.tx.repo(NETWORK)
    counts = await network.counts(ctx.space_id)
    figures = Figures(
        tuple((status.value.capitalize(), str(counts.get(status, 0))) for status in NetworkStatus),
        "Participation",
    )
    rounds = []
    for info in await network.recent_rounds(ctx.space_id, ROUNDS):
        answers = await network.round_answers(ctx.space_id, info.id)
        paired = sum(answers.values())
        met = answers.get("met", 0)
        answered = paired - answers.get(None, 0)
        rounds.append((info.number, info.starts_at, paired, answered, met, _rate(met, paired)))
    paused = await network.with_status(ctx.space_id, NetworkStatus.PAUSED)
    names = await ctx.tx.members.names(ctx.space_id, [p.member_id for p in paused])
    paused_rows = tuple(
        (names[p.member_id], p.ignored_streak) for p in paused if p.member_id in names
    )
    return [
        figures,
        Table(
            "rounds",
            f"The last {ROUNDS} rounds",
            (
                Column("Round", numeric=True),
                Column("Started"),
                Column("Paired", numeric=True),
                Column("Answered", numeric=True),
                Column("Met", numeric=True),
                Column("Met rate"),
            ),
            tuple(rounds),
            empty="No rounds yet.",
        ),
        Note("Paused members ignored three rounds in a row; they rejoin with a command."),
        Table(
            "paused",
            "Paused members",
            (Column("Member"), Column("Unanswered rounds", numeric=True)),
            paused_rows,
            empty="Nobody is paused.",
        ),
    ]
