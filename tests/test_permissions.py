"""Permission matrix on the console: every manager-only command typed by a member is refused
privately and changes nothing (every table as it was)."""

from __future__ import annotations

import pytest

from bot.router import Command
from storage.store import SqlStore
from tests.helpers import Community, changed, snapshot
from tests.permissions import REFUSAL, manager_commands, typed


@pytest.mark.parametrize("command", manager_commands(), ids=lambda c: c.name)
async def test_a_member_is_refused_every_manager_command_and_nothing_changes(
    store: SqlStore, command: Command
) -> None:
    community = Community(store)
    await community.run("join alice\njoin bob\nalice: /rounds config channel qa #questions")
    before = await snapshot(store)
    out = await community.run(f"bob: {typed(command)}")
    assert out.startswith("[private @bob]"), out
    assert REFUSAL in out
    assert changed(before, await snapshot(store)) == {}


@pytest.mark.parametrize("command", manager_commands(), ids=lambda c: c.name)
async def test_a_manager_typing_the_same_line_is_not_refused(
    store: SqlStore, command: Command
) -> None:
    community = Community(store)
    await community.run("join alice\njoin bob\nalice: /rounds config channel qa #questions")
    out = await community.run(f"alice: {typed(command)}")
    assert REFUSAL not in out
