"""The managers' web dashboard, as the core declares it: `/rounds dashboard` (a one-time
sign-in link by DM) and `/rounds dashboard signout`, the overview and audit pages, and the
daily purge of spent links and sessions. Programmes declare their own pages
(`router.board_page`); the web package (`web/`) renders them all.

`access` signs managers in and checks them on every request, `service` is what the web package
uses, `_pages` builds the overview and audit, `_commands` and `_render` talk in chat.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.context import JobContext
from bot.dashboard import BoardPage
from bot.domain import Role
from bot.features.dashboard._commands import SIGNOUT, dashboard
from bot.features.dashboard._pages import audit, overview
from bot.features.dashboard.model import DASHBOARD
from bot.options import Option, OptionKind
from bot.router import Command, Job, Router

__all__ = ["register"]

PURGE_EVERY = timedelta(days=1)
KEEP = timedelta(days=1)
"""Spent and expired links and sessions are kept a day (for a manager asking what happened)."""


async def purge(job: JobContext) -> None:
    async with job.store.transaction() as tx:
        await tx.repo(DASHBOARD).purge(job.now - KEEP)


async def next_purge_at(job: JobContext) -> datetime | None:
    return None  # the daily tick is enough: nothing waits on it


def register(router: Router) -> None:
    router.command(
        Command(
            ("dashboard",),
            "A sign-in link to the managers' web dashboard",
            dashboard,
            options=(
                Option(
                    "action",
                    OptionKind.CHOICE,
                    "signout: end every dashboard session of yours",
                    positional=True,
                    choices=(SIGNOUT,),
                ),
            ),
            role=Role.MANAGER,
            examples=("/rounds dashboard", "/rounds dashboard signout"),
        )
    )
    router.board_page(BoardPage("overview", "Overview", overview, order=0))
    router.board_page(BoardPage("audit", "Audit log", audit, order=1000))
    router.job(Job("dashboard.purge", PURGE_EVERY, purge, next_purge_at))
