"""Members' data rights and managers' insight on Slack, end to end: `/rounds my-data` arrives
as a JSON file in the member's DM (files_upload_v2: an ephemeral reply can't carry a file),
`/rounds forget-me` is confirmed with a button and erases, `/rounds stats` uploads its chart."""

from __future__ import annotations

import json

from bot.domain import SpaceKey
from storage.store import SqlStore
from tests.helpers import stored_member
from tests.slack.conftest import ADMIN, MEMBER, SlackHarness, buttons, section_text
from tests.slack.fake_slack import TEAM, Posted

SPACE = SpaceKey("slack", TEAM)
PNG = b"\x89PNG\r\n\x1a\n"


def private(answer: object) -> str:
    body = answer.json()  # type: ignore[attr-defined]
    assert body["response_type"] == "ephemeral"
    return str(body["text"])


async def test_my_data_is_a_json_file_in_the_members_dm(slack: SlackHarness) -> None:
    await slack.command('profile set name="Ben Osei" institution="Korle Bu"')
    said = private(await slack.command("my-data"))
    assert said.startswith("Here is everything Rounds stores about you in this community")
    [requested] = await slack.fake.wait_for("files.getUploadURLExternal")
    assert requested["filename"] == "rounds-my-data.json"
    [uploaded] = await slack.fake.wait_for("upload")
    data = json.loads(uploaded["bytes"])
    assert data["member"]["user_id"] == MEMBER
    assert data["member"]["profile"]["institution"] == "Korle Bu"
    [completed] = await slack.fake.wait_for("files.completeUploadExternal")
    assert completed["channel_id"] == "D0BEN"  # in the member's DM with Rounds, no one else's


async def test_forget_me_asks_with_buttons_then_erases(
    slack: SlackHarness, store: SqlStore
) -> None:
    await slack.command('profile set name="Ben Osei"')
    answer = await slack.command("forget-me")
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert section_text(body).startswith("*Erase everything Rounds knows about you?*")
    labels = [b["text"]["text"] for b in buttons(body)]
    assert labels == ["Erase everything", "Cancel"]
    assert buttons(body)[0]["style"] == "danger"

    ephemeral = Posted("C0GENERAL", "1772442000.000300", body)
    pressed = await slack.press_on(ephemeral, "Erase everything")
    replaced, done = await slack.fake.wait_for(pressed, 2)
    assert replaced["replace_original"] is True
    assert replaced["text"] == "Erased. Thank you for having been part of this community."
    assert done["text"].startswith("✓ Done. Rounds has erased your profile")
    assert await stored_member(store, MEMBER, SPACE) is None


async def test_stats_uploads_the_chart_for_a_manager(slack: SlackHarness) -> None:
    acked = await slack.command("stats weeks=6", user=ADMIN)
    assert acked.text == ""  # declared slow: acknowledged at once, answered after
    [said] = await slack.fake.wait_for("respond/cmd")
    assert said["response_type"] == "ephemeral"
    assert said["text"].startswith("*Community activity, the last 6 weeks*")
    [uploaded] = await slack.fake.wait_for("upload")
    assert uploaded["bytes"][:8] == PNG
    await slack.command("stats", user=MEMBER)
    _, refused = await slack.fake.wait_for("respond/cmd", 2)
    assert refused["text"].startswith("Only community managers can do that.")
