"""Networking rounds: opted-in members are paired with a peer every few weeks, introduced with
reasons, asked halfway whether they met, and paused after ignoring three rounds in a row.

`_schedule` knows when rounds happen, `_pairing` who meets whom, `_jobs` plans each round's
messages, `_commands` answers members and managers, `_render` words it all.
"""

from __future__ import annotations

from datetime import timedelta

from bot.dashboard import BoardPage
from bot.domain import Role
from bot.features.network import _board
from bot.features.network._commands import (
    JOIN_ACTION,
    answer,
    exclude,
    home,
    join,
    join_by_button,
    leave,
    report,
    snooze,
    status,
)
from bot.features.network._data import MEMBER_DATA, digest
from bot.features.network._jobs import next_pairing_at, run_rounds
from bot.features.network._render import MET_ACTION
from bot.features.network._schedule import DEFAULT_EVERY, EVERY_RULE, weeks_only
from bot.options import Option, OptionKind
from bot.router import Command, Job, Router, Setting

__all__ = ["register", "run_rounds"]


def register(router: Router) -> None:
    router.setting(
        Setting(
            "network.every",
            OptionKind.DURATION,
            DEFAULT_EVERY,
            "how often networking rounds pair members",
            convert=weeks_only,
            hint="1w-8w",
            rule=EVERY_RULE,
            example="2w",
        )
    )
    commands = (
        ("join", "Join networking rounds: meet a new peer every few weeks", join, ()),
        (
            "snooze",
            "Pause your networking rounds for a few weeks",
            snooze,
            (
                Option(
                    "weeks",
                    OptionKind.INTEGER,
                    "how many weeks (1 to 12)",
                    required=True,
                    positional=True,
                    min_value=1,
                    max_value=12,
                ),
            ),
        ),
        ("leave", "Leave networking rounds", leave, ()),
        ("status", "Your networking round: state, next pairing, current partner", status, ()),
        (
            "exclude",
            "Never be paired with a member (they are not told)",
            exclude,
            (Option("member", OptionKind.MEMBER, "who", required=True, positional=True),),
        ),
    )
    for name, summary, handler, options in commands:
        router.command(Command(("network", name), summary, handler, options=options))
    router.command(
        Command(
            ("network", "report"),
            "Participation in networking rounds (for managers)",
            report,
            role=Role.MANAGER,
        )
    )
    router.action(MET_ACTION, answer)
    router.action(JOIN_ACTION, join_by_button)
    router.home_section(home)
    router.job(Job("network.rounds", timedelta(hours=1), run_rounds, next_pairing_at))
    router.member_data(MEMBER_DATA)
    router.digest_section(digest)
    router.board_page(BoardPage("networking", "Networking rounds", _board.page, _board.health, 10))
