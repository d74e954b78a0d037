"""Introductions and networking rounds on Slack, end to end: signed `/rounds` requests and
button presses through Bolt, the outbox sending through `SlackPlatform`, and the fake Slack
holding each conversation's messages as Slack would (posts, edits, replaced messages)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.context import JobContext
from bot.domain import SpaceKey
from bot.features.network import run_rounds
from bot.features.network.model import NETWORK
from storage.store import SqlStore
from tests.helpers import stored_member
from tests.slack.conftest import ADMIN, CHANNEL, MEMBER, SlackHarness, buttons, section_text
from tests.slack.fake_slack import TEAM, Posted, block_kit_problems

SPACE = SpaceKey("slack", TEAM)
INTROS = "C0INTROS"
CARA, DEV = "U0CARA", "U0DEV"


def date(at: datetime, style: str) -> str:
    """Slack's date token for a moment, as the adapter renders `<t:…>`."""
    return f"<!date^{int(at.timestamp())}^{style}|{at:%Y-%m-%d %H:%M} UTC>"


def labels(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in buttons(payload)]


def private(answer: Any) -> str:
    """The text of a private answer given in the HTTP response, checked against Block Kit."""
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert block_kit_problems(body["blocks"]) == []
    return str(body["text"])


async def posted_in(slack: SlackHarness, channel: str, count: int = 1) -> list[Posted]:
    """The messages in a conversation once `count` of them arrived (a DM to `U…` is `D…`)."""
    await slack.fake.wait_for(
        "chat.postMessage", count, lambda p: p["channel"] in (channel, "U" + channel[1:])
    )
    return slack.fake.history(channel)


async def with_intros_channel(slack: SlackHarness) -> None:
    await slack.command(f"config channel intros <#{INTROS}|introductions>", user=ADMIN)
    await slack.command(
        'profile set name="Ben Osei" role=resident specialty=paediatrics institution="Korle Bu" '
        'interests="simulation, quality improvement"'
    )


# -- introductions ----------------------------------------------------------------------------
async def test_intro_posts_a_card_with_a_say_hello_button_in_the_intros_channel(
    slack: SlackHarness,
) -> None:
    await with_intros_channel(slack)
    answer = await slack.command("intro")
    assert private(answer).startswith(f"✓ Your introduction is up in <#{INTROS}>.")
    [card] = await posted_in(slack, INTROS)
    assert section_text(card.params).startswith(
        "👋 Meet *Ben Osei* (<@U0BEN>)\nresident · paediatrics"
    )
    fields = [f["text"] for b in card.params["blocks"] if "fields" in b for f in b["fields"]]
    assert "*Institution*\nKorle Bu" in fields
    [hello] = buttons(card.params)
    assert (hello["text"]["text"], hello["value"], hello["style"]) == (
        "Say hello",
        MEMBER,
        "primary",
    )


async def test_running_intro_again_edits_the_same_post(slack: SlackHarness) -> None:
    await with_intros_channel(slack)
    await slack.command("intro")
    [first] = await posted_in(slack, INTROS)
    await slack.command('profile set region="West Africa"')
    answer = await slack.command("intro")
    assert private(answer).startswith(f"✓ Updated your introduction in <#{INTROS}>.")
    [update] = await slack.fake.wait_for("chat.update")
    assert (update["channel"], update["ts"]) == (INTROS, first.ts)
    [card] = slack.fake.history(INTROS)  # still one post, now edited
    assert card.edits == 1
    fields = [f["text"] for b in card.params["blocks"] if "fields" in b for f in b["fields"]]
    assert "*Region*\nWest Africa" in fields
    assert labels(card.params) == ["Say hello"]


async def test_running_intro_after_the_card_was_deleted_posts_it_again(
    slack: SlackHarness,
) -> None:
    await with_intros_channel(slack)
    await slack.command("intro")
    [first] = await posted_in(slack, INTROS)
    del slack.fake.messages[(INTROS, first.ts)]  # a moderator deleted it
    await slack.command("intro")
    await slack.fake.wait_for("chat.update")
    [card] = await posted_in(slack, INTROS, 2)
    assert card.ts != first.ts and labels(card.params) == ["Say hello"]


async def test_say_hello_dms_the_card_owner_and_confirms_privately_to_the_presser(
    slack: SlackHarness,
) -> None:
    await with_intros_channel(slack)
    await slack.command('profile set role=physician specialty="emergency medicine"', user=ADMIN)
    await slack.command("intro")
    [card] = await posted_in(slack, INTROS)

    said = await slack.press_on(card, "Say hello", user=ADMIN)
    [confirmation] = await slack.fake.wait_for(said)
    assert confirmation["response_type"] == "ephemeral"
    assert confirmation["replace_original"] is False  # the card stays as it was
    assert confirmation["text"] == f"✓ Said hello to <@{MEMBER}>; they'll get a DM from Rounds."
    dms = await posted_in(slack, "D0BEN", 2)  # the welcome, then the hello
    assert section_text(dms[-1].params).startswith(
        f"👋 <@{ADMIN}> says hello! (physician · emergency medicine)"
    )
    assert slack.fake.history(INTROS)[0].edits == 0


async def test_find_answers_privately_with_ten_say_hello_buttons_within_slacks_limits(
    slack: SlackHarness,
) -> None:
    for n in range(12):
        user = f"U0PEER{n:02}"
        slack.fake.add_user(user, f"peer{n:02}")
        answer = await slack.command(
            f'profile set name="Dr Peer Number {n:02} With A Rather Long Name" '
            f'role=physician specialty=paediatrics interests="simulation {n}"',
            user=user,
        )
        assert private(answer).startswith("✓ Saved your profile")

    answer = await slack.command("find simulation")
    text = private(answer)
    assert text.startswith("*10 members matching “simulation”*")
    body = answer.json()
    hello = buttons(body)
    assert len(hello) == 10
    assert {b["action_id"].partition("#")[0] for b in hello} == {"intros.hello"}
    assert all(b["text"]["text"].startswith("Say hello to Dr Peer Number") for b in hello)
    assert all(b["value"].startswith("U0PEER") for b in hello)

    ephemeral = Posted(CHANNEL, "1772442000.000300", body)
    said = await slack.press_on(ephemeral, hello[3]["text"]["text"])
    [confirmation] = await slack.fake.wait_for(said)
    assert (
        confirmation["text"]
        == f"✓ Said hello to <@{hello[3]['value']}>; they'll get a DM from Rounds."
    )


# -- networking rounds ------------------------------------------------------------------------
async def test_network_join_status_and_snooze_are_answered_privately(
    slack: SlackHarness,
) -> None:
    await slack.command("profile set timezone=Europe/London interests=leadership")
    joined = private(await slack.command("network join"))
    first = date(datetime(2026, 3, 9, 10, 0, tzinfo=UTC), "{date_short_pretty} {time}")
    assert joined == (
        "✓ You're in! Every 2 weeks you'll be paired with a peer from another institution. "
        f"First pairing: {first}."
    )
    status = private(await slack.command("network status"))
    assert status.startswith("You're in networking rounds. Nobody else has joined yet")
    snoozed = private(await slack.command("network snooze 2"))
    until = date(datetime(2026, 3, 16, 9, 0, tzinfo=UTC), "{date_short_pretty}")
    assert snoozed.startswith(f"✓ Snoozed for 2 weeks: no pairings until {until}.")

    refused = private(await slack.command("network snooze 0"))
    assert "`weeks` must be at least 1." in refused
    assert "Usage: `/rounds network snooze &lt;number&gt;`" in refused  # Slack shows <number>
    assert private(await slack.command("network status")).startswith("You're snoozed until")
    assert slack.fake.called("chat.postEphemeral") == []


async def test_network_report_is_refused_for_a_member_and_shown_to_a_manager(
    slack: SlackHarness,
) -> None:
    refused = private(await slack.command("network report"))
    assert refused.startswith("Only community managers can do that.")
    report = private(await slack.command("network report", user=ADMIN))
    assert report.startswith("*Networking rounds*\n• Opted in: 0")


PEOPLE = {
    ADMIN: 'institution=LUTH timezone=Africa/Lagos interests="quality improvement"',
    MEMBER: 'institution="Korle Bu" timezone=Europe/London interests="quality improvement"',
    CARA: "institution=LUTH timezone=America/Chicago interests=simulation",
    DEV: "institution=AIIMS timezone=Asia/Kolkata interests=simulation",
}


async def test_a_networking_round_introduces_each_pair_in_a_group_dm_then_asks_did_you_meet(
    slack: SlackHarness, store: SqlStore
) -> None:
    slack.fake.add_user(CARA, "cara")
    slack.fake.add_user(DEV, "dev")
    for user, profile in PEOPLE.items():
        await slack.command(f"profile set {profile}", user=user)
        await slack.command("network join", user=user)
    await slack.fake.wait_for("chat.postMessage", len(PEOPLE))  # the welcome DMs
    await slack.core.runtime.kicked()  # and their send run is over before the clock moves
    welcomes = len(slack.fake.called("chat.postMessage"))

    # the round starting Monday 9 March is paired the day before
    await run_rounds(JobContext(store, slack.core.router, datetime(2026, 3, 8, 11, 0, tzinfo=UTC)))
    slack.clock.set(datetime(2026, 3, 9, 15, 0, tzinfo=UTC))  # 10:00 in Chicago, 20:30 in Kolkata
    # one group DM per pair, and Monday's digest to the admin (a manager Rounds knows)
    assert await slack.core.runtime.run_due() == 3
    opened = [set(p["users"].split(",")) for p in slack.fake.called("conversations.open")]
    pairs = [users for users in opened if len(users) > 1]
    assert len(pairs) == 2 and set().union(*pairs) == set(PEOPLE)
    sent = slack.fake.called("chat.postMessage")[welcomes:]
    intros = [p for p in sent if p["channel"].startswith("G")]
    assert len(intros) == 2
    [digest] = [p for p in sent if not p["channel"].startswith("G")]
    assert "Weekly digest" in digest["text"]
    partner: dict[str, str] = {}
    for group, dm in zip(pairs, intros, strict=True):
        text = section_text(dm)
        assert text.startswith("🤝 *Networking round:* <@") and "meet each other!" in text
        assert "Some first questions:\n• " in text
        assert all(f"<@{u}>" in text for u in group)
        first, second = sorted(group)
        partner[first], partner[second] = second, first

    slack.clock.set(datetime(2026, 3, 16, 15, 0, tzinfo=UTC))  # past halfway, all awake
    assert await slack.core.runtime.run_due() == 5  # four "Did you meet?" and a digest
    [check] = [m for m in slack.fake.history("D0BEN") if "Halfway" in m.params["text"]]
    assert check.params["text"] == (
        f"Halfway through this networking round: did you meet <@{partner[MEMBER]}>?"
    )
    assert labels(check.params) == ["Met this week", "Not yet", "Can't this time"]

    said = await slack.press_on(check, "Met this week")
    replaced, thanks = await slack.fake.wait_for(said, 2)
    assert replaced["replace_original"] is True
    assert thanks["replace_original"] is False and thanks["response_type"] == "ephemeral"
    assert thanks["text"].startswith("✓ Wonderful, thank you!")
    [now_shows] = [m for m in slack.fake.history("D0BEN") if m.ts == check.ts]
    assert now_shows.edits == 1 and buttons(now_shows.params) == []
    assert now_shows.params["text"] == f"Did you meet <@{partner[MEMBER]}>? ✓ Met this week"

    ben = await stored_member(store, MEMBER, SPACE)
    assert ben is not None
    async with store.transaction() as tx:
        current = await tx.repo(NETWORK).current_pair(ben.space_id, ben.id)
    assert current is not None and current[1].answers[ben.id] == "met"
