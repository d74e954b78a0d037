"""Community events on Slack, end to end: a signed `/rounds event create` → the card in the
events channel → "Going" pressed on it (the card is edited in place) → the reminder DM, and
the `.ics` file, which Slack receives as an upload in the member's DM; "Can't go" promoting
the waitlist by DM, and the create modal's errors shown beside their field. Slack has no native
event listings: the card is the event there."""

from __future__ import annotations

from datetime import UTC, datetime

import icalendar

from tests.slack.conftest import ADMIN, MEMBER, SlackHarness, buttons, section_text, submission
from tests.slack.fake_slack import Posted

EVENTS = "C0EVENTS"
CARA = "U0CARA"


def labels(payload: dict[str, object]) -> list[str]:
    return [b["text"]["text"] for b in buttons(payload)]  # type: ignore[arg-type]


def fields(payload: dict[str, object]) -> list[str]:
    blocks = payload["blocks"]
    assert isinstance(blocks, list)
    return [f["text"] for b in blocks if "fields" in b for f in b["fields"]]


async def card(slack: SlackHarness, capacity: int = 40) -> Posted:
    await slack.command(f"config channel events <#{EVENTS}|events>", user=ADMIN)
    answer = await slack.command(
        'event create title="Negotiating for your team" when="2026-03-10 18:00" tz=UTC '
        f"duration=90m capacity={capacity} link=https://meet.example.org/leaders",
        user=ADMIN,
    )
    assert answer.json()["text"].startswith("✓ Event 1 is on: *Negotiating for your team*")
    await slack.fake.wait_for("chat.postMessage", 1, lambda p: p["channel"] == EVENTS)
    [posted] = slack.fake.history(EVENTS)
    return posted


async def test_the_card_shows_the_time_as_a_date_token_and_three_buttons(
    slack: SlackHarness,
) -> None:
    posted = await card(slack)
    assert section_text(posted.params).startswith("🛠️ *Negotiating for your team* · workshop")
    stamp = int(datetime(2026, 3, 10, 18, 0, tzinfo=UTC).timestamp())
    [when] = [f for f in fields(posted.params) if f.startswith("*When*")]
    assert f"<!date^{stamp}^" in when
    assert "*Seats*\n40 of 40 left · 0 going · 0 maybe" in fields(posted.params)
    assert labels(posted.params) == ["Going", "Maybe", "Can't go"]


async def test_going_edits_the_card_and_the_reminder_comes_by_dm(slack: SlackHarness) -> None:
    posted = await card(slack)
    said = await slack.press_on(posted, "Going")
    [thanks] = await slack.fake.wait_for(said)
    assert thanks["response_type"] == "ephemeral" and thanks["replace_original"] is False
    assert thanks["text"].startswith("You're going ✓ for *Negotiating for your team*")
    await slack.fake.wait_for("chat.update", 1, lambda p: p["channel"] == EVENTS)
    [now_shows] = slack.fake.history(EVENTS)
    assert now_shows.edits == 1
    assert "*Seats*\n39 of 40 left · 1 going · 0 maybe" in fields(now_shows.params)

    await slack.core.runtime.kicked()
    slack.clock.set(datetime(2026, 3, 10, 17, 0, tzinfo=UTC))  # an hour before
    await slack.core.runtime.run_due(every_job=True)
    reminders = [m for m in slack.fake.history("D0BEN") if m.params["text"].startswith("⏰")]
    assert len(reminders) == 1
    assert reminders[0].params["text"].startswith("⏰ *Negotiating for your team* starts <!date^")
    assert labels(reminders[0].params) == ["Going", "Maybe", "Can't go"]
    assert [m for m in slack.fake.history(EVENTS) if m.params["text"].startswith("⏰")]


async def test_cant_go_from_someone_going_promotes_the_waitlist_by_dm(
    slack: SlackHarness,
) -> None:
    slack.fake.add_user(CARA, "cara")
    posted = await card(slack, capacity=1)
    await slack.fake.wait_for(await slack.press_on(posted, "Going"))
    waiting = await slack.fake.wait_for(await slack.press_on(posted, "Going", user=CARA))
    assert "is full, so you're on the waitlist (number 1 in line)" in waiting[0]["text"]

    said = await slack.press_on(posted, "Can't go")  # Ben's second press: the same URL
    sorry = (await slack.fake.wait_for(said, 2))[-1]
    assert sorry["text"] == (
        "Thanks for letting us know: you're not going to *Negotiating for your team*."
    )
    [promoted] = await slack.fake.wait_for(
        "chat.postMessage", 1, lambda p: p["channel"] == CARA and "seat opened" in p["text"]
    )
    assert promoted["text"].startswith(
        "🎉 A seat opened up: you're now going to *Negotiating for your team*"
    )
    await slack.core.runtime.kicked()
    [now_shows] = slack.fake.history(EVENTS)
    assert "*Seats*\n0 of 1 left · 1 going · 0 maybe" in fields(now_shows.params)


async def test_the_create_form_shows_an_error_beside_its_field_then_creates(
    slack: SlackHarness,
) -> None:
    await slack.command(f"config channel events <#{EVENTS}|events>", user=ADMIN)
    answer = await slack.command("event create", user=ADMIN)
    assert answer.status == 200
    [opened] = await slack.fake.wait_for("views.open")
    assert opened["trigger_id"] == "1337.42.trigger"
    view = opened["view"]
    assert view["title"]["text"] == "New event"

    typed = {"title": "Grand rounds", "when": "yesterday 10:00", "kind": "forum"}
    refused = await slack.interact(submission(view, typed, user=ADMIN))
    assert refused.json()["response_action"] == "errors"
    assert list(refused.json()["errors"]) == ["when"]
    assert "which has already passed" in refused.json()["errors"]["when"]
    assert slack.fake.history(EVENTS) == []  # nothing was created

    typed["when"] = "2026-03-10 18:00"
    done = await slack.interact(submission(view, typed, user=ADMIN))
    assert (done.status, done.text) == (200, "")  # the modal closes
    [created] = await slack.fake.wait_for("respond/cmd")
    assert created["text"].startswith("✓ Event 1 is on: *Grand rounds* (forum)")
    await slack.fake.wait_for("chat.postMessage", 1, lambda p: p["channel"] == EVENTS)


async def test_the_ics_file_is_uploaded_to_the_members_dm(slack: SlackHarness) -> None:
    await card(slack)
    answer = await slack.command("event ics 1", user=MEMBER)
    assert answer.json()["text"].startswith("📅 *Negotiating for your team* for your calendar")
    [upload] = await slack.fake.wait_for("upload")
    [complete] = await slack.fake.wait_for("files.completeUploadExternal")
    assert complete["channel_id"].startswith("D")
    calendar = icalendar.Calendar.from_ical(upload["bytes"])
    [event] = calendar.walk("VEVENT")
    assert str(event["summary"]) == "Negotiating for your team"


async def test_members_are_refused_creation_with_what_to_do(slack: SlackHarness) -> None:
    answer = await slack.command('event create title="Tea" when="tomorrow 18:00"', user=MEMBER)
    assert answer.json()["text"].startswith("Only community managers can create events here.")
    assert slack.fake.history(EVENTS) == []
