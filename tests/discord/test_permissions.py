"""Permission matrix on Discord: every `/rounds-manage` command used by a member without Manage
Server (a server can let members see it) is refused privately and changes nothing."""

from __future__ import annotations

import pytest

from adapters.discord.service import DiscordService
from bot.bootstrap import Core
from bot.router import Command
from tests.discord.fake_discord import ALICE, BOB, EPHEMERAL, FakeDiscord, slash
from tests.helpers import changed, snapshot
from tests.permissions import REFUSAL, interaction, manager_commands


@pytest.mark.parametrize("command", manager_commands(), ids=lambda c: c.name)
async def test_a_member_is_refused_every_manager_command_and_nothing_changes(
    fake: FakeDiscord, service: DiscordService, core: Core, command: Command
) -> None:
    for user in (ALICE, BOB):
        hello = slash("rounds", "help", user_id=user)
        await fake.dispatch("INTERACTION_CREATE", hello)
        await fake.callback_for(hello)
    await core.runtime.kicked()
    before = await snapshot(core.store)
    tried = interaction(command, BOB)
    await fake.dispatch("INTERACTION_CREATE", tried)
    callback = (await fake.callback_for(tried)).body
    answer = callback["data"]
    if callback["type"] == 5:  # a slow command (a chart) is deferred at once: the answer follows
        answer = {"flags": answer["flags"], **(await fake.followup_for(tried)).body}
    await core.runtime.kicked()
    assert answer["flags"] == EPHEMERAL
    assert REFUSAL in answer["content"]
    # only the record that this interaction id was seen (so a replay does nothing)
    assert set(changed(before, await snapshot(core.store))) <= {"inbound_events"}
