"""Small builders for tests: look members up in the store; a console community to drive."""

from __future__ import annotations

import io

from bot.bootstrap import build_console
from bot.clock import ManualClock
from bot.domain import Member, SpaceKey
from bot.messages import Button
from storage.store import SqlStore
from tests.conftest import START

CONSOLE = SpaceKey("console", "console")


async def stored_member(store: SqlStore, user_id: str, space: SpaceKey = CONSOLE) -> Member | None:
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(space)
        return await tx.members.get(found.id, user_id)


async def stored_settings(store: SqlStore, space: SpaceKey = CONSOLE) -> dict[str, str]:
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(space)
        return await tx.settings.all(found.id)


class Community:
    """A console community whose outputs (and buttons) the test can read."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.out = io.StringIO()
        self.clock = ManualClock(START)
        self.core, self.console = build_console(store, self.clock, self.out)

    async def run(self, lines: str) -> str:
        start = self.out.tell()
        await self.console.run_lines(lines.strip().splitlines())
        return self.out.getvalue()[start:]

    def button(self, label: str) -> Button:
        for shown in reversed(self.console.state.outputs):
            for button in shown.message.buttons:
                if button.label == label:
                    return button
        raise AssertionError(f"no {label!r} button shown")

    def restart(self) -> Community:
        """The same database, a new process: nothing held in memory survives."""
        again = Community(self.store)
        again.clock.set(self.clock.now())
        return again


async def snapshot(store: SqlStore) -> dict[str, set[tuple[object, ...]]]:
    """Every row of every table, to prove that something changed nothing at all."""
    from sqlalchemy import select

    from storage.models import Base

    rows: dict[str, set[tuple[object, ...]]] = {}
    async with store.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            result = await connection.execute(select(table))
            rows[table.name] = {tuple(row) for row in result}
    return rows


def changed(
    before: dict[str, set[tuple[object, ...]]], after: dict[str, set[tuple[object, ...]]]
) -> dict[str, set[tuple[object, ...]]]:
    """The rows that differ between two snapshots, by table (empty: nothing changed)."""
    return {name: before[name] ^ after[name] for name in before if before[name] != after[name]}
