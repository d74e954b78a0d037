"""The "member left" input (ARCHITECTURE.md §7 `leave NAME`): programmes that declared
`on_member_left` run once for a member Rounds knows, inside one transaction."""

from __future__ import annotations

import io

from bot.bootstrap import build_console
from bot.clock import ManualClock
from bot.context import Actor, Context
from bot.domain import SpaceKey
from bot.engine import Rounds
from bot.features.catalog import build_router
from storage.store import SqlStore
from tests.conftest import START

SPACE = SpaceKey("console", "console")


async def test_leave_handlers_run_with_the_leaving_member(store: SqlStore) -> None:
    router = build_router()
    seen: list[str] = []

    async def note(ctx: Context) -> None:
        seen.append(ctx.member.user_id)

    router.on_member_left(note)
    rounds = Rounds(router, store, ManualClock(START))
    await rounds.member_joined(Actor(SPACE, "alice"))
    await rounds.member_left(Actor(SPACE, "alice"))
    await rounds.member_left(Actor(SPACE, "stranger"))  # never seen: nothing to let go of
    assert seen == ["alice"]


async def test_the_console_leave_instruction_is_a_member_leaving(store: SqlStore) -> None:
    out = io.StringIO()
    core, console = build_console(store, ManualClock(START), out)
    seen: list[str] = []

    async def note(ctx: Context) -> None:
        seen.append(ctx.member.user_id)

    core.router.on_member_left(note)
    await console.run_lines(["join alice", "join bob", "leave bob", "leave @carol", "leave !"])
    assert seen == ["bob"]
    assert "`!` isn't a usable name" in out.getvalue()
