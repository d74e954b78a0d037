"""A new member's first two interactions can arrive at once (a command while their App Home
opens): both are answered, and the member is stored once."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time

import pytest
from sqlalchemy import func, select

from bot.bootstrap import build_core
from bot.clock import ManualClock
from bot.context import Actor
from bot.domain import SpaceKey
from bot.engine import APOLOGY
from storage.models import MemberRow
from storage.store import SqlStore
from tests.conftest import fresh_schema

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


async def test_a_command_that_meets_a_busy_database_waits_and_succeeds(
    database_url: str, clock: ManualClock
) -> None:
    """Another writer holds SQLite's write lock longer than a statement waits for it: the
    command is retried within its deadline instead of apologising."""
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite's single writer lock")
    store = SqlStore.from_url(database_url, busy_timeout=0.05)
    await fresh_schema(store)
    core = build_core(store, clock, send_when_planned=False)
    actor = Actor(SPACE, "amara", display_name="amara")
    await core.rounds.command(actor, "help")
    path = database_url.split("///", 1)[1]

    def hold_the_write_lock(ready: threading.Event) -> None:
        other = sqlite3.connect(path)
        other.execute("BEGIN IMMEDIATE")
        ready.set()
        time.sleep(0.6)
        other.commit()
        other.close()

    ready = threading.Event()
    holder = threading.Thread(target=hold_the_write_lock, args=(ready,))
    holder.start()
    ready.wait()
    outcome = await core.rounds.command(actor, "profile set specialty=surgery")
    holder.join()
    assert outcome.replies[0].message.text.startswith("✓ Saved your profile")
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SPACE)
        saved = await tx.members.get(space.id, "amara")
    assert saved is not None and saved.profile.specialty == "surgery"
    await store.close()
