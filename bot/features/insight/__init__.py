"""Managers' insight: the weekly digest in the managers channel (or DMs to each manager), the
8-week chart, `/rounds stats` and `/rounds audit`. Each programme adds its own digest section
and chart series through the router (`bot/digest.py`); this feature adds the members' own.

`_schedule` knows when digests are due, `_digest` plans them, `_chart` counts and draws,
`_commands` answers managers, `_render` words it all.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.digest import Trend
from bot.domain import Role
from bot.features.insight._commands import audit, stats
from bot.features.insight._digest import next_digest_at, run_digests
from bot.features.insight._schedule import (
    DAY,
    DAYS,
    DEFAULT_DAY,
    DEFAULT_TIME,
    OFF,
    TIME,
    TIME_RULE,
    clock_time,
)
from bot.features.insight.model import INSIGHT
from bot.options import Option, OptionKind
from bot.ports import Tx
from bot.router import Command, Job, Router, Setting

__all__ = ["register", "run_digests"]


async def new_members(tx: Tx, space_id: int, bounds: Sequence[datetime]) -> list[int]:
    return await tx.repo(INSIGHT).new_members_per_week(space_id, bounds)


def register(router: Router) -> None:
    router.setting(
        Setting(
            DAY,
            OptionKind.CHOICE,
            DEFAULT_DAY,
            "the weekday of the managers' weekly digest (off: none)",
            choices=(*DAYS, OFF),
        )
    )
    router.setting(
        Setting(
            TIME,
            OptionKind.TEXT,
            DEFAULT_TIME,
            "the time of the weekly digest, in the community's time zone",
            convert=clock_time,
            hint="HH:MM",
            rule=TIME_RULE,
            example="08:00",
        )
    )
    router.trend(Trend("New members", new_members, order=0))
    router.command(
        Command(
            ("stats",),
            "Activity per week, as a chart",
            stats,
            options=(
                Option(
                    "weeks",
                    OptionKind.INTEGER,
                    "how many weeks (1 to 52)",
                    min_value=1,
                    max_value=52,
                ),
            ),
            role=Role.MANAGER,
            examples=("/rounds stats", "/rounds stats weeks=12"),
            slow=True,  # drawing the chart (and loading matplotlib the first time) takes a while
        )
    )
    router.command(
        Command(
            ("audit",),
            "Recent config and moderation changes",
            audit,
            options=(
                Option(
                    "n",
                    OptionKind.INTEGER,
                    "how many changes (1 to 100)",
                    positional=True,
                    min_value=1,
                    max_value=100,
                ),
            ),
            role=Role.MANAGER,
            examples=("/rounds audit", "/rounds audit 50"),
        )
    )
    router.job(Job("insight.digest", timedelta(hours=1), run_digests, next_digest_at))
