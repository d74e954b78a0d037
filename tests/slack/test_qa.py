"""Peer Q&A on Slack, end to end: signed `/rounds` requests and button presses through Bolt,
the card in the Q&A channel, the answer in its thread (`thread_ts`), the card edited when an
answer is accepted, and the guard's private warning with its buttons."""

from __future__ import annotations

from typing import Any

from bot.domain import SpaceKey
from storage.store import SqlStore
from tests.slack.conftest import ADMIN, CHANNEL, MEMBER, SlackHarness, buttons, section_text
from tests.slack.fake_slack import TEAM, Posted
from tests.slack.test_http import submission
from tests.slack.test_programmes import labels, posted_in, private

SPACE = SpaceKey("slack", TEAM)
QA_CHANNEL = "C0QA"
ASK = 'ask title="How do I negotiate protected time for QI?" body="My rota is full." tags=qi'


async def with_qa_channel(slack: SlackHarness) -> None:
    await slack.command(f"config channel qa <#{QA_CHANNEL}|questions>", user=ADMIN)


def in_thread_of(card: Posted) -> Any:
    return lambda params: params.get("thread_ts") == card.ts


async def test_ask_posts_the_card_an_answer_goes_in_its_thread_and_accepting_edits_it(
    slack: SlackHarness,
) -> None:
    await with_qa_channel(slack)
    asked = private(await slack.command(ASK))
    assert asked.startswith(f"✓ Your question Q1 is up in <#{QA_CHANNEL}>.")
    [card] = await posted_in(slack, QA_CHANNEL)
    assert section_text(card.params).startswith(
        "❓ *Q1: How do I negotiate protected time for QI?*\n"
        f"Asked by <@{MEMBER}> · qi\n\nMy rota is full.\n\nNo answers yet."
    )
    assert labels(card.params) == ["Answer", "Follow"]

    # a peer presses Answer: a modal opens, and the answer goes in the card's thread
    await slack.press_on(card, "Answer", user=ADMIN)
    [opened] = await slack.fake.wait_for("views.open")
    assert opened["view"]["title"]["text"] == "Answer Q1"
    done = await slack.interact(
        submission(opened["view"], {"text": "Bring a one-page plan."}, user=ADMIN)
    )
    assert (done.status, done.text) == (200, "")
    [reply] = await slack.fake.wait_for("chat.postMessage", 1, in_thread_of(card))
    assert reply["channel"] == QA_CHANNEL
    assert section_text(reply).startswith(f"💡 *A1* by <@{ADMIN}> · ▲ 0\nBring a one-page plan.")
    assert [b["text"]["text"] for b in buttons(reply)] == ["▲ Upvote", "Accept"]
    dms = await posted_in(slack, "D0BEN", 2)  # the welcome, then "… answered your question"
    assert section_text(dms[-1].params).startswith(f"💬 <@{ADMIN}> answered your question *Q1:")

    # the asker accepts: the card is edited in place
    accepted = private(await slack.command("accept 1"))
    assert accepted.startswith(f"✓ Accepted A1 by <@{ADMIN}> for Q1.")
    await slack.fake.wait_for(
        "chat.update", 1, lambda p: p["ts"] == card.ts and "✓ Answered" in p["text"]
    )
    [shown] = [m for m in slack.fake.history(QA_CHANNEL) if m.ts == card.ts]
    assert shown.edits >= 2  # "1 answer", then "accepted"
    assert "✓ Answered: A1 by" in section_text(shown.params)


async def test_an_upvote_counts_once_and_edits_the_answer(slack: SlackHarness) -> None:
    await with_qa_channel(slack)
    await slack.command(ASK)
    [card] = await posted_in(slack, QA_CHANNEL)
    await slack.command('answer 1 "Bring a one-page plan."', user=ADMIN)
    [reply] = await slack.fake.wait_for("chat.postMessage", 1, in_thread_of(card))
    answer = Posted(QA_CHANNEL, slack.fake.history(QA_CHANNEL)[-1].ts, reply)
    first = await slack.press_on(answer, "▲ Upvote")
    [thanks] = await slack.fake.wait_for(first)
    assert thanks["text"] == "▲ Thanks! A1 now has 1 upvote."
    second = await slack.press_on(answer, "▲ Upvote")
    said = await slack.fake.wait_for(second, 2)
    assert said[-1]["text"].startswith("You've already upvoted A1")
    await slack.fake.wait_for("chat.update", 1, lambda p: "▲ 1" in p["text"])


async def test_a_flagged_question_is_warned_about_privately_and_posted_only_by_choice(
    slack: SlackHarness, store: SqlStore
) -> None:
    await with_qa_channel(slack)
    answer = await slack.command('ask title="Callback for a family" body="Call 415-555-2671."')
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith("⚠️ Before this is posted: it looks like it may identify")
    assert "415" not in body["text"]
    assert [b["text"]["text"] for b in buttons(body)] == ["Edit", "Post anyway", "Cancel"]
    assert slack.fake.history(QA_CHANNEL) == []

    warning = Posted(CHANNEL, "1772442000.000300", body)
    pressed = await slack.press_on(warning, "Post anyway")
    replaced, posted = await slack.fake.wait_for(pressed, 2)
    assert replaced["replace_original"] is True
    assert replaced["text"] == "You chose to post it anyway."
    assert posted["text"].startswith("✓ Your question Q1 is up in")
    [card] = await posted_in(slack, QA_CHANNEL)
    assert "Call 415-555-2671." in section_text(card.params)
