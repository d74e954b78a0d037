"""Mentorship on Slack, end to end: signed `/rounds mentor …` requests through Bolt, buttons
pressed on the messages the fake holds (Accept, Decline and the next choice, Match by hand on
the managers' card), the Reschedule modal opened from its trigger and submitted, the outbox
sending DMs through `SlackPlatform`, the CSV log uploaded as a file, and a deactivated
member's `user_change`."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from typing import Any

from bot.domain import SpaceKey
from bot.features.mentorship.model import MENTORSHIP, PairStatus
from storage.store import SqlStore
from tests.helpers import stored_member
from tests.slack.conftest import (
    ADMIN,
    CHANNEL,
    MEMBER,
    SlackHarness,
    buttons,
    section_text,
    submission,
)
from tests.slack.fake_slack import TEAM, Posted

SPACE = SpaceKey("slack", TEAM)
MENTOR = "U0OKAFOR"
LEE = "U0LEE"
ORGANISERS = "C0ORGANISERS"
DUE = datetime(2026, 3, 16, 9, 0, tzinfo=UTC)  # two weeks after the pair started


def labels(payload: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in buttons(payload)]


async def dms(slack: SlackHarness, user_id: str, count: int) -> list[Posted]:
    """The DMs to a member once `count` of them arrived (a post to `U…` lands in `D…`)."""
    await slack.fake.wait_for("chat.postMessage", count, lambda p: p["channel"] == user_id)
    return slack.fake.history("D" + user_id[1:])


async def asked(slack: SlackHarness) -> Posted:
    """Dr Okafor offers; Ben asks and picks him with the button. Returns the request in
    Dr Okafor's DM."""
    slack.fake.add_user(MENTOR, "okafor")
    await slack.command(
        'profile set name="Dr Okafor" stage=senior specialty="emergency medicine" '
        "timezone=Africa/Accra",
        user=MENTOR,
    )
    await slack.command('mentor offer capacity=2 areas="operations"', user=MENTOR)
    await slack.command('profile set stage=trainee specialty="emergency medicine"')
    answer = await slack.command('mentor request goals="operations"')
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith("*Mentors for you* (goals: operations)\n1. *Dr Okafor*")
    assert (
        "specialty match: emergency medicine; 3 career stages ahead; shares 'operations'"
        in (body["text"])
    )
    said = await slack.press_on(Posted(CHANNEL, "1772442000.000300", body), "Ask Dr Okafor")
    replaced, asked = await slack.fake.wait_for(said, 2)
    assert replaced["replace_original"] is True and buttons(replaced) == []
    assert asked["text"].startswith("✓ I've asked <@U0OKAFOR>.")
    proposal = [m for m in await dms(slack, MENTOR, 2) if "Mentorship request" in m.params["text"]]
    assert labels(proposal[0].params) == ["Accept", "Decline"]
    return proposal[0]


async def paired(slack: SlackHarness) -> None:
    """Ben asked Dr Okafor, who accepts from his DM."""
    said = await slack.press_on(await asked(slack), "Accept", user=MENTOR)
    replaced, thanks = await slack.fake.wait_for(said, 2)
    assert replaced["text"] == f"🌱 Mentorship request from <@{MEMBER}>: ✓ Accepted"
    assert thanks["text"].startswith(f"✓ You're now mentoring <@{MEMBER}>.")
    welcome = (await dms(slack, MEMBER, 2))[-1]
    assert section_text(welcome.params).startswith("🎉 <@U0OKAFOR> accepted")
    await slack.core.runtime.kicked()


async def nudged(slack: SlackHarness) -> Posted:
    """Paired, then the first check-in falls due: the mentor's nudge."""
    await paired(slack)
    slack.clock.set(DUE)
    await slack.core.runtime.run_due()
    return (await dms(slack, MENTOR, 3))[-1]


async def test_request_pick_accept_nudge_and_met_this_week(
    slack: SlackHarness, store: SqlStore
) -> None:
    nudge = await nudged(slack)
    assert section_text(nudge.params) == (
        f"⏰ Time to check in with <@{MEMBER}>. A short call or a message counts."
    )
    assert labels(nudge.params) == ["Met this week", "Reschedule", "Need help", "Snooze"]
    lighter = (await dms(slack, MEMBER, 3))[-1]
    assert labels(lighter.params) == ["Met this week"]

    said = await slack.press_on(nudge, "Met this week", user=MENTOR)
    replaced, logged = await slack.fake.wait_for(said, 2)
    assert replaced["replace_original"] is True
    assert logged["text"].startswith("✓ Logged. Next check-in due <!date^")
    [shown] = [m for m in slack.fake.history("D0OKAFOR") if m.ts == nudge.ts]
    assert shown.edits == 1 and buttons(shown.params) == []
    ben = await stored_member(store, MEMBER, SPACE)
    assert ben is not None
    async with store.transaction() as tx:
        [entry] = await tx.repo(MENTORSHIP).checkins(ben.space_id, ben.id)
    assert entry[1].status is PairStatus.ACTIVE and entry[0].met_at == DUE


async def said_to(slack: SlackHarness, user_id: str, text: str) -> dict[str, Any]:
    """The first DM to a member that contains `text`, once it arrived."""
    [found] = await slack.fake.wait_for(
        "chat.postMessage", 1, lambda p: p["channel"] == user_id and text in p["text"]
    )
    return found


async def test_a_mentor_declining_asks_the_mentees_next_choice(
    slack: SlackHarness, store: SqlStore
) -> None:
    slack.fake.add_user(LEE, "lee")
    await slack.command(
        'profile set name="Dr Lee" stage=mid-career specialty=paediatrics mentor=yes '
        'interests="research, operations"',
        user=LEE,
    )
    proposal = await asked(slack)
    said = await slack.press_on(proposal, "Decline", user=MENTOR)
    replaced, thanks = await slack.fake.wait_for(said, 2)
    assert replaced["text"] == f"🌱 Mentorship request from <@{MEMBER}>: Declined"
    assert buttons(replaced) == []
    assert thanks["text"].startswith("Thanks for letting us know. I'll ask their next choice")
    told = await said_to(slack, MEMBER, "can't take on a mentee")
    assert told["text"].startswith(
        f"<@{MENTOR}> can't take on a mentee right now, so I've asked <@{LEE}>, your next "
        "choice. They have until <!date^"
    )
    ask = await said_to(slack, LEE, "Mentorship request")
    assert section_text(ask).startswith(
        f"🌱 *Mentorship request:* <@{MEMBER}> would like you as their mentor."
    )
    assert labels(ask) == ["Accept", "Decline"]
    ben = await stored_member(store, MEMBER, SPACE)
    assert ben is not None
    async with store.transaction() as tx:
        found = await tx.repo(MENTORSHIP).pairs_of(ben.space_id, ben.id, tuple(PairStatus))
    assert sorted(p.status for p in found) == [PairStatus.DECLINED, PairStatus.PROPOSED]


async def test_reschedule_opens_a_modal_whose_submission_moves_the_checkin(
    slack: SlackHarness, store: SqlStore
) -> None:
    nudge = await nudged(slack)
    said = await slack.press_on(nudge, "Reschedule", user=MENTOR)
    [opened] = await slack.fake.wait_for("views.open")
    assert opened["trigger_id"] == "2001.42.trigger"
    view = opened["view"]
    assert view["title"]["text"] == "Reschedule check-in"
    assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["when"]

    done = await slack.interact(submission(view, {"when": "2026-03-20 15:00"}, user=MENTOR))
    assert (done.status, done.text) == (200, "")  # the modal closes
    [moved] = await slack.fake.wait_for(said)
    assert moved["text"].startswith(f"✓ Moved your check-in with <@{MEMBER}> to <!date^")
    told = await said_to(slack, MEMBER, "moved your check-in")
    assert told["text"].startswith(f"<@{MENTOR}> moved your check-in to <!date^")
    ben = await stored_member(store, MEMBER, SPACE)
    assert ben is not None
    async with store.transaction() as tx:
        [pair] = await tx.repo(MENTORSHIP).pairs_of(ben.space_id, ben.id, (PairStatus.ACTIVE,))
    assert pair.due_at == datetime(2026, 3, 20, 15, 0, tzinfo=UTC)  # Accra is on UTC


async def test_match_by_hand_on_the_no_match_card_is_for_managers(slack: SlackHarness) -> None:
    await slack.command(f"config channel managers <#{ORGANISERS}|organisers>", user=ADMIN)
    answer = await slack.command('mentor request goals="operations"')
    assert answer.json()["text"].startswith("No mentor with room fits yet")
    await slack.fake.wait_for("chat.postMessage", 1, lambda p: p["channel"] == ORGANISERS)
    [card] = slack.fake.history(ORGANISERS)
    assert "is looking for a mentor in operations" in section_text(card.params)
    assert labels(card.params) == ["Match by hand"]

    refused = await slack.press_on(card, "Match by hand")
    [said] = await slack.fake.wait_for(refused)
    assert said["text"].startswith("Only community managers can do that")
    taken = await slack.press_on(card, "Match by hand", user=ADMIN)
    replaced, how = await slack.fake.wait_for(taken, 2)
    assert replaced["replace_original"] is True
    assert how["response_type"] == "ephemeral"
    assert how["text"].startswith(
        f"To match <@{MEMBER}> by hand, type `/rounds mentor match @mentee @mentor`"
    )
    [shown] = slack.fake.history(ORGANISERS)
    assert shown.edits == 1 and buttons(shown.params) == []
    assert shown.params["text"].endswith(f"✓ <@{ADMIN}> is matching by hand.")


async def test_the_log_export_is_uploaded_as_a_csv_file(slack: SlackHarness) -> None:
    await paired(slack)
    await slack.command("checkin <@U0OKAFOR|okafor> rota, ideas")
    answer = await slack.command("mentor log export")
    assert answer.json()["text"].startswith("Your mentorship log: 1 check-in, as a CSV file")
    [upload] = await slack.fake.wait_for("upload")
    rows = list(csv.reader(io.StringIO(upload["bytes"].decode("utf-8"))))
    assert rows[0] == ["date", "time", "with", "your role", "logged by", "your note"]
    assert rows[1][2:] == ["Dr Okafor", "mentee", "you", "rota, ideas"]
    [completed] = await slack.fake.wait_for("files.completeUploadExternal")
    assert "mentorship-log.csv" in str(completed["files"])


async def test_a_deactivated_mentor_ends_the_pair_and_the_mentee_is_told(
    slack: SlackHarness, store: SqlStore
) -> None:
    await paired(slack)
    user = {"id": MENTOR, "team_id": TEAM, "name": "okafor", "deleted": True, "profile": {}}
    answer = await slack.event({"type": "user_change", "user": user}, "EvLeft")
    assert answer.status == 200
    told = await slack.fake.wait_for(
        "chat.postMessage", 1, lambda p: p["channel"] == MEMBER and "has left" in p["text"]
    )
    assert told[0]["text"].startswith(
        "<@U0OKAFOR> has left the community, so your mentorship has ended."
    )
    ben = await stored_member(store, MEMBER, SPACE)
    assert ben is not None
    async with store.transaction() as tx:
        found = await tx.repo(MENTORSHIP).pairs_of(ben.space_id, ben.id, tuple(PairStatus))
    assert [p.status for p in found] == [PairStatus.ENDED]


async def test_a_user_change_from_another_organisation_ends_nothing(
    slack: SlackHarness, store: SqlStore
) -> None:
    await paired(slack)
    user = {"id": MENTOR, "team_id": "T0ELSEWHERE", "name": "okafor", "deleted": True}
    answer = await slack.event({"type": "user_change", "user": user}, "EvOther")
    assert answer.status == 200
    await slack.core.runtime.kicked()
    ben = await stored_member(store, MEMBER, SPACE)
    assert ben is not None
    async with store.transaction() as tx:
        found = await tx.repo(MENTORSHIP).pairs_of(ben.space_id, ben.id, tuple(PairStatus))
    assert [p.status for p in found] == [PairStatus.ACTIVE]
