"""Member text on Slack, end to end: a hostile name typed in `/rounds profile set` shows on the
intro card exactly as typed, inside the card's own bold, with the card's mention working."""

from __future__ import annotations

from tests.slack.conftest import ADMIN, MEMBER, SlackHarness, buttons, section_text
from tests.slack.fake_slack import block_kit_problems

INTROS = "C0INTROS"
NAME = "Ada **Obi [NHS](https://evil.example) @everyone <!channel>"
NAME_MRKDWN = "Ada \u2217\u2217Obi [NHS](https://evil.example) @everyone &lt;!channel&gt;"


async def test_a_hostile_name_shows_as_typed_inside_the_intro_cards_bold(
    slack: SlackHarness,
) -> None:
    await slack.command(f"config channel intros <#{INTROS}|introductions>", user=ADMIN)
    await slack.command(f'profile set name="{NAME}" role=resident specialty="emergency medicine"')
    await slack.command("intro")
    await slack.fake.wait_for("chat.postMessage", 1, lambda p: p["channel"] == INTROS)
    [card] = slack.fake.history(INTROS)
    assert block_kit_problems(card.params["blocks"]) == []
    first_line = f"👋 Meet *{NAME_MRKDWN}* (<@{MEMBER}>)\nresident · emergency medicine"
    assert section_text(card.params).startswith(first_line)
    assert card.params["text"].startswith(first_line)  # the notification too
    assert [b["text"]["text"] for b in buttons(card.params)] == ["Say hello"]
