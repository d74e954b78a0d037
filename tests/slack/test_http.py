"""Slack in HTTP mode, end to end: signed requests over HTTP to the service `rounds` runs,
real Bolt listeners, the core on a real database, and Web API calls recorded by the fake."""

from __future__ import annotations

import json

from bot.domain import SpaceKey
from storage.store import SqlStore
from tests.helpers import stored_member, stored_settings
from tests.slack.conftest import (
    ADMIN,
    CHANNEL,
    MEMBER,
    SlackHarness,
    buttons,
    press,
    section_text,
    submission,
)
from tests.slack.fake_slack import TEAM

SPACE = SpaceKey("slack", TEAM)


# -- commands, one per programme that exists --------------------------------------------------
async def test_help_answers_ephemerally_in_the_http_response(slack: SlackHarness) -> None:
    answer = await slack.command("help")
    assert answer.status == 200
    body = answer.json()
    assert body["response_type"] == "ephemeral"
    assert body["text"].startswith(
        "*Rounds: what you can do*\n\n*Your profile and the directory*\n"
    )
    assert "`/rounds profile set`: Change your profile fields" in section_text(body)
    assert "config" not in body["text"]  # members don't see manager commands
    assert slack.fake.called("chat.postEphemeral") == []


async def test_profile_set_saves_and_profile_shows_it_with_an_edit_button(
    slack: SlackHarness, store: SqlStore
) -> None:
    answer = await slack.command(
        'profile set role=resident specialty="emergency medicine" timezone=Africa/Accra'
    )
    assert answer.json()["text"].startswith("✓ Saved your profile: role = resident")
    member = await stored_member(store, MEMBER, SPACE)
    assert member is not None and member.profile.specialty == "emergency medicine"
    assert member.display_name == "ben"  # from users.info

    shown = (await slack.command("profile")).json()
    assert shown["response_type"] == "ephemeral"
    assert "*ben*\nresident · emergency medicine" in section_text(shown)
    fields = [f["text"] for b in shown["blocks"] if "fields" in b for f in b["fields"]]
    assert "*Time zone*\nAfrica/Accra" in fields
    assert [(b["text"]["text"], b["action_id"]) for b in buttons(shown)] == [
        ("Edit my profile", "profile.form#0")
    ]


async def test_a_mistake_gets_a_kind_private_answer_with_the_usage_line(
    slack: SlackHarness, store: SqlStore
) -> None:
    body = (await slack.command("profile set timezone=Acra")).json()
    assert body["response_type"] == "ephemeral"
    assert "`Acra` isn't a time zone I know." in body["text"]
    assert "Usage: `/rounds profile set timezone=&lt;Region/City&gt;`" in body["text"]
    assert await stored_member(store, MEMBER, SPACE) is None  # a rejection leaves nothing behind


async def test_workspace_admins_are_managers_and_members_are_not(
    slack: SlackHarness, store: SqlStore
) -> None:
    refused = (await slack.command("config")).json()
    assert refused["text"].startswith("Only community managers can do that.")

    shown = (await slack.command("config", user=ADMIN)).json()
    assert shown["text"].startswith("*Community configuration*")

    await slack.command("config channel intros <#C0INTROS|introductions>", user=ADMIN)
    added = (await slack.command(f"config manager add <@{MEMBER}|ben>", user=ADMIN)).json()
    assert added["text"] == f"✓ <@{MEMBER}> is now a community manager."
    assert (await stored_settings(store, SPACE))["channel.intros"] == "C0INTROS"
    assert (await slack.command("config")).json()["text"].startswith("*Community configuration*")
    assert len(slack.fake.called("users.info")) == 2  # one lookup per member, then cached


async def test_a_public_reply_goes_in_channel_and_the_next_through_the_response_url(
    slack: SlackHarness,
) -> None:
    body = (await slack.command('announce "Grand rounds at noon <@U0EVIL>"')).json()
    assert body["response_type"] == "in_channel"
    assert body["text"] == "📣 Grand rounds at noon &lt;@U0EVIL&gt;"  # member text can't mention
    [second] = await slack.fake.wait_for("respond/cmd")
    assert second["response_type"] == "ephemeral" and second["text"] == "Announced."
    assert second["replace_original"] is False


async def test_a_slow_command_is_acknowledged_first_and_answered_by_response_url(
    slack: SlackHarness,
) -> None:
    answer = await slack.command("digest")
    assert (answer.status, answer.text) == (200, "")
    [reply] = await slack.fake.wait_for("respond/cmd")
    assert reply["text"] == "Here is your digest." and reply["response_type"] == "ephemeral"


# -- buttons and modals ---------------------------------------------------------------------
async def test_profile_button_opens_a_modal_that_shows_errors_then_saves(
    slack: SlackHarness, store: SqlStore
) -> None:
    assert await press(slack, "profile.form#0") == 200
    [opened] = await slack.fake.wait_for("views.open")
    assert opened["trigger_id"] == "2001.42.trigger"
    view = opened["view"]
    assert view["type"] == "modal" and view["callback_id"] == "rounds.form"
    names = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
    assert names[:3] == ["name", "role", "specialty"] and "timezone" in names

    bad = await slack.interact(submission(view, {"name": "Ben Osei", "timezone": "Acra"}))
    assert bad.json()["response_action"] == "errors"
    assert list(bad.json()["errors"]) == ["timezone"]
    assert "isn't a time zone I know" in bad.json()["errors"]["timezone"]
    member = await stored_member(store, MEMBER, SPACE)
    assert member is not None and member.profile.name is None  # nothing half-saved

    good = await slack.interact(
        submission(view, {"name": "Ben Osei", "role": "resident", "timezone": "Africa/Accra"})
    )
    assert (good.status, good.text) == (200, "")  # the modal closes
    [saved] = await slack.fake.wait_for("respond/press")
    assert saved["text"].startswith("✓ Saved your profile: name = Ben Osei, role = resident")
    member = await stored_member(store, MEMBER, SPACE)
    assert member is not None
    assert (member.profile.name, member.profile.profession) == ("Ben Osei", "resident")


async def test_a_command_that_opens_a_form_opens_a_modal_from_its_trigger(
    slack: SlackHarness,
) -> None:
    answer = await slack.command("profile set")
    assert answer.status == 200
    [opened] = await slack.fake.wait_for("views.open")
    assert opened["trigger_id"] == "1337.42.trigger"
    assert opened["view"]["type"] == "modal"
    assert opened["view"]["title"]["text"] == "Your profile"


async def test_a_button_press_updates_its_message_to_show_the_outcome(
    slack: SlackHarness,
) -> None:
    assert await press(slack, "rsvp.going#2", "42") == 200
    [update, reply] = await slack.fake.wait_for("respond/press", 2)
    assert update["replace_original"] is True
    assert update["text"] == "RSVP: going ✓ (event 42)"
    assert reply["replace_original"] is False and reply["response_type"] == "ephemeral"
    assert reply["text"] == "You're on the list. See you there!"


async def test_a_stale_button_gets_a_kind_private_answer(slack: SlackHarness) -> None:
    await press(slack, "retired.feature#0")
    [reply] = await slack.fake.wait_for("respond/press")
    assert reply["text"].startswith("That button no longer does anything.")


async def test_a_429_on_opening_the_modal_is_waited_out_and_the_modal_still_opens(
    slack: SlackHarness,
) -> None:
    slack.fake.fail("views.open", status=429, retry_after=3)
    await press(slack, "profile.form#0")
    opened = await slack.fake.wait_for("views.open", 2)
    assert opened[0] == opened[1]  # the same request, sent again
    assert slack.sleeps == [3.0]  # exactly what Retry-After asked


# -- App Home and events --------------------------------------------------------------------
async def test_app_home_shows_the_profile_and_for_managers_the_configuration(
    slack: SlackHarness,
) -> None:
    await slack.event({"type": "app_home_opened", "user": MEMBER, "tab": "home"}, "Ev1")
    [home] = await slack.fake.wait_for("views.publish")
    assert home["user_id"] == MEMBER and home["view"]["type"] == "home"
    text = section_text(home["view"])
    assert text.startswith("*Your profile*\n*ben*")
    assert "Community configuration" not in text

    await slack.event({"type": "app_home_opened", "user": ADMIN, "tab": "home"}, "Ev2")
    published = await slack.fake.wait_for("views.publish", 2)
    admin_view = published[1]["view"]
    assert {"type": "divider"} in admin_view["blocks"]
    assert "*Community configuration*" in section_text(admin_view)


async def test_a_button_on_the_home_tab_republishes_it(slack: SlackHarness) -> None:
    await press(slack, "profile.form#0", home=True)
    [opened] = await slack.fake.wait_for("views.open")
    assert json.loads(opened["view"]["private_metadata"])["home"] is True
    await slack.fake.wait_for("views.publish")


async def test_team_join_welcomes_the_new_member_by_dm(
    slack: SlackHarness, store: SqlStore
) -> None:
    user = {
        "id": "U0CHIOMA",
        "team_id": TEAM,
        "name": "chioma",
        "is_admin": False,
        "is_owner": False,
        "profile": {"display_name": "Chioma", "real_name": "Chioma Eze"},
    }
    answer = await slack.event({"type": "team_join", "user": user}, "Ev9")
    assert answer.status == 200
    [dm] = await slack.fake.wait_for("chat.postMessage")
    assert dm["channel"] == "U0CHIOMA"  # a DM is a post to the user id
    assert dm["text"].startswith("Welcome to the community, <@U0CHIOMA>! 👋")
    assert [b["text"]["text"] for b in buttons(dm)] == ["Fill in my profile"]
    member = await stored_member(store, "U0CHIOMA", SPACE)
    assert member is not None and member.display_name == "Chioma"
    assert slack.fake.called("users.info") == []  # the event said who they are


async def test_an_event_delivered_four_times_has_exactly_one_effect(slack: SlackHarness) -> None:
    opened = {"type": "app_home_opened", "user": MEMBER, "tab": "home"}
    assert (await slack.event(opened, "Ev7")).status == 200
    for retry in (1, 2, 3):  # Slack retries up to three times
        assert (await slack.event(opened, "Ev7", retry=retry)).status == 200
    assert (await slack.event(opened, "Ev8")).status == 200  # a new event id is a new effect
    published = await slack.fake.wait_for("views.publish", 2)
    assert len(published) == 2
    # Ev8's publish came after every retry of Ev7 was answered, so a third would be here by now
    assert len(slack.fake.called("views.publish")) == 2


async def test_health(slack: SlackHarness) -> None:
    async with slack.http.get(f"{slack.service.url}/healthz") as response:
        assert response.status == 200
        assert await response.json() == {"ok": True, "slack": "ready"}


async def test_a_command_in_a_channel_keeps_its_channel(slack: SlackHarness) -> None:
    await slack.command("help", channel=CHANNEL)
    assert slack.fake.called("users.info") == [{"user": MEMBER}]


async def test_when_users_info_fails_the_member_is_answered_without_manager_rights(
    slack: SlackHarness,
) -> None:
    slack.fake.fail("users.info", "missing_scope")
    refused = (await slack.command("config", user=ADMIN)).json()
    assert refused["text"].startswith("Only community managers can do that.")
    assert (await slack.command("help", user=ADMIN)).status == 200
    assert len(slack.fake.called("users.info")) == 1  # not asked again on every command


async def test_a_mention_of_a_colleague_new_to_rounds_makes_them_a_member_and_nobody_is_refused(
    slack: SlackHarness, store: SqlStore
) -> None:
    slack.fake.add_user("U0NEWBIE", "newbie")
    added = (await slack.command("config manager add <@U0NEWBIE|newbie>", user=ADMIN)).json()
    assert added["text"] == "✓ <@U0NEWBIE> is now a community manager."
    newbie = await stored_member(store, "U0NEWBIE", SPACE)
    assert newbie is not None and newbie.is_manager and newbie.display_name == "newbie"

    refused = (await slack.command("config manager add <@U0NOBODY|nobody>", user=ADMIN)).json()
    assert "I can't find `@U0NOBODY` in this community." in refused["text"]
    assert await stored_member(store, "U0NOBODY", SPACE) is None
