"""Small builders for tests: look members up in the store."""

from __future__ import annotations

from bot.domain import Member, SpaceKey
from storage.store import SqlStore

CONSOLE = SpaceKey("console", "console")


async def stored_member(store: SqlStore, user_id: str, space: SpaceKey = CONSOLE) -> Member | None:
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(space)
        return await tx.members.get(found.id, user_id)


async def stored_settings(store: SqlStore, space: SpaceKey = CONSOLE) -> dict[str, str]:
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(space)
        return await tx.settings.all(found.id)
