"""Permission matrix on Slack: every manager-only command sent by a member (not a workspace
admin) over signed HTTP is refused in an ephemeral answer and changes nothing."""

from __future__ import annotations

import pytest

from bot.router import Command
from tests.helpers import changed, snapshot
from tests.permissions import REFUSAL, manager_commands, typed
from tests.slack.conftest import ADMIN, MEMBER, SlackHarness


@pytest.mark.parametrize("command", manager_commands(), ids=lambda c: c.name)
async def test_a_member_is_refused_every_manager_command_and_nothing_changes(
    slack: SlackHarness, command: Command
) -> None:
    await slack.command("help", user=ADMIN)
    await slack.command("help", user=MEMBER)
    await slack.core.runtime.kicked()  # the welcomes are sent before the snapshot
    before = await snapshot(slack.core.store)
    text = typed(command, member=f"<@{ADMIN}|amara>", channel="<#C0GENERAL|general>")
    answer = await slack.command(text.removeprefix("/rounds "), user=MEMBER)
    await slack.core.runtime.kicked()
    assert answer.status == 200
    said = answer.json() if answer.text else None
    if said is None:  # a slow command (a chart) is acknowledged at once and answered after
        [said] = await slack.fake.wait_for("respond/cmd")
    assert said["response_type"] == "ephemeral"
    assert REFUSAL in said["text"]
    assert changed(before, await snapshot(slack.core.store)) == {}
