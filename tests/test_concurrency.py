"""A new member's first two interactions can arrive at once (a command while their App Home
opens): both are answered, and the member is stored once."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import SpaceKey
from bot.engine import APOLOGY
from storage.models import MemberRow
from storage.store import SqlStore

SPACE = SpaceKey("console", "T-RACE")


async def test_concurrent_first_interactions_of_a_new_member_both_succeed(
    store: SqlStore, clock: ManualClock
) -> None:
    core = build_core(store, clock)
    actor = Actor(SPACE, "newbie", display_name="newbie")
    await core.rounds.command(Actor(SPACE, "someone-else"), "help")  # the space exists
    outcomes = await asyncio.gather(
        core.rounds.command(actor, "help"),
        core.rounds.command(actor, "profile set specialty=surgery"),
        core.rounds.home(actor),
    )
    help_reply, saved, home = outcomes
    assert help_reply.replies[0].message.text.startswith("**Rounds: what you can do**")  # type: ignore[union-attr]
    assert saved.replies[0].message.text.startswith("✓ Saved your profile")  # type: ignore[union-attr]
    assert home and home[0].text.startswith("**Your profile**")  # type: ignore[union-attr, index]
    assert all(APOLOGY not in str(o) for o in outcomes)
    async with store.sessions() as session:
        count = await session.scalar(
            select(func.count()).select_from(MemberRow).where(MemberRow.user_id == "newbie")
        )
    assert count == 1
    await core.runtime.kicked()
