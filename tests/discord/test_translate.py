"""Payload translation and rendering as pure functions, on payloads shaped as Discord sends them."""

from __future__ import annotations

import pytest

from adapters.discord.render import name_commands, render
from adapters.discord.schema import build_schema
from adapters.discord.translate import button_id, form_id, invocation, submission
from bot.features.catalog import build_router
from bot.messages import Attachment, Button, ButtonStyle, Message

SCHEMA = build_schema(build_router())
GUILD = "3000000000000000001"

# INTERACTION_CREATE `data` for `/rounds profile set`, as Discord sends it
PROFILE_SET = {
    "id": "1290000000000000001",
    "name": "rounds",
    "type": 1,
    "guild_id": GUILD,
    "options": [
        {
            "name": "profile",
            "type": 2,
            "options": [
                {
                    "name": "set",
                    "type": 1,
                    "options": [
                        {"name": "role", "type": 3, "value": "resident"},
                        {"name": "mentor", "type": 5, "value": False},
                    ],
                }
            ],
        }
    ],
}
CONFIG_CHANNEL = {
    "name": "rounds-manage",
    "type": 1,
    "options": [
        {
            "name": "config",
            "type": 2,
            "options": [
                {
                    "name": "channel",
                    "type": 1,
                    "options": [
                        {"name": "programme", "type": 3, "value": "qa"},
                        {"name": "channel", "type": 7, "value": "5000000000000000009"},
                    ],
                }
            ],
        }
    ],
    "resolved": {"channels": {"5000000000000000009": {"id": "5000000000000000009", "type": 0}}},
}
# modal submissions: current (label components) and legacy (action rows)
LABELLED = {
    "custom_id": f"rounds-form:{GUILD}:profile.edit:",
    "components": [
        {
            "type": 18,
            "id": 1,
            "component": {"type": 4, "id": 2, "custom_id": "name", "value": "Ada"},
        },
        {
            "type": 18,
            "id": 3,
            "component": {"type": 3, "id": 4, "custom_id": "role", "values": ["nurse"]},
        },
        {
            "type": 18,
            "id": 5,
            "component": {"type": 3, "id": 6, "custom_id": "stage", "values": []},
        },
    ],
}
LEGACY = {
    "custom_id": f"rounds-form:{GUILD}:events.create:42:extra",
    "components": [
        {"type": 1, "components": [{"type": 4, "custom_id": "title", "value": "Grand rounds"}]}
    ],
}


def test_typed_options_become_raw_text() -> None:
    found = invocation(SCHEMA, PROFILE_SET)
    assert found is not None and found.command is not None
    assert found.command.path == ("profile", "set")
    assert found.raw == {"role": "resident", "mentor": "no"}


def test_a_channel_option_becomes_a_channel_token() -> None:
    found = invocation(SCHEMA, CONFIG_CHANNEL)
    assert found is not None and found.command is not None
    assert found.raw == {"programme": "qa", "channel": "<#5000000000000000009>"}


def test_an_unknown_subcommand_is_not_guessed() -> None:
    stale = {"name": "rounds", "type": 1, "options": [{"name": "gone", "type": 1, "options": []}]}
    assert invocation(SCHEMA, stale) is None


def test_a_labelled_modal_submission_gives_each_field() -> None:
    found = submission(LABELLED)
    assert found is not None
    assert (found.space, found.form_id, found.context) == (GUILD, "profile.edit", "")
    assert found.values == {"name": "Ada", "role": "nurse", "stage": ""}


def test_a_legacy_modal_submission_keeps_its_context() -> None:
    found = submission(LEGACY)
    assert found is not None
    assert (found.form_id, found.context, found.values) == (
        "events.create",
        "42:extra",
        {"title": "Grand rounds"},
    )


def test_another_bots_modal_is_ignored() -> None:
    assert submission({"custom_id": "something-else", "components": []}) is None


def test_custom_ids_fit_discord() -> None:
    assert button_id(GUILD, "events.rsvp", "12") == f"rounds:{GUILD}:events.rsvp:12"
    with pytest.raises(ValueError, match="too long"):
        button_id(GUILD, "events.rsvp", "x" * 80)
    with pytest.raises(ValueError, match="too long"):
        form_id(GUILD, "events.create", "x" * 80)


def test_tokens_and_markdown_pass_through() -> None:
    text = "**Grand rounds** with <@42> in <#7> at <t:1773165600:F> (<t:1773165600:R>)\n"
    text += "- _bring_ `code` and [slides](https://example.org/s)"
    assert render(Message(text), GUILD, SCHEMA).content == text


def test_commands_are_named_as_discord_types_them() -> None:
    text = "Try `/rounds config channel intros #x`, `/rounds profile` or `/rounds profile set`."
    assert name_commands(text, SCHEMA) == (
        "Try `/rounds-manage config channel intros #x`, `/rounds profile show` or "
        "`/rounds profile set`."
    )


def test_command_examples_use_discords_option_syntax() -> None:
    text = 'Type `/rounds profile set role=resident specialty="emergency medicine"` (a=b stays).'
    assert name_commands(text, SCHEMA) == (
        "Type `/rounds profile set role:resident specialty:emergency medicine` (a=b stays)."
    )


def test_long_text_moves_into_the_embed() -> None:
    rendered = render(Message("x" * 2500), GUILD, SCHEMA)
    assert (rendered.content, rendered.description) == ("", "x" * 2500)


def test_text_longer_than_an_embed_goes_on_in_more_embeds_within_discords_total() -> None:
    lines = [f"- line {i:04d} " + "x" * 80 for i in range(50)]  # 4,500 characters
    rendered = render(Message("\n".join(lines)), GUILD, SCHEMA)
    assert len(rendered.description or "") <= 4096 and len(rendered.more) == 1
    assert "\n".join([rendered.description or "", *rendered.more]) == "\n".join(lines)
    assert len(rendered.kwargs()["embeds"]) == 2

    huge = render(Message("\n".join(lines * 3), fields=(("When", "today"),)), GUILD, SCHEMA)
    shown = [huge.description or "", *huge.more]
    assert sum(map(len, shown)) + len("When") + len("today") <= 6000
    assert shown[-1].endswith("…")
    assert huge.kwargs()["embeds"][-1].fields[0].name == "When"


def test_fields_buttons_and_files_are_kept() -> None:
    message = Message(
        "Event",
        fields=(("When", "<t:1773165600:F>"),),
        buttons=(Button("Going", "events.rsvp", "12", ButtonStyle.PRIMARY),),
        attachment=Attachment("event-12.ics", b"BEGIN:VCALENDAR", "text/calendar"),
    )
    rendered = render(message, GUILD, SCHEMA)
    assert rendered.fields == [("When", "<t:1773165600:F>")]
    assert [(b.label, b.custom_id, b.style) for b in rendered.buttons] == [
        ("Going", f"rounds:{GUILD}:events.rsvp:12", ButtonStyle.PRIMARY)
    ]
    assert rendered.file == ("event-12.ics", b"BEGIN:VCALENDAR")


def test_an_empty_message_is_still_sendable() -> None:
    assert render(Message(""), GUILD, SCHEMA).content == "\u200b"


def test_many_buttons_fit_discords_five_rows_of_five() -> None:
    message = Message(
        "Pick one",
        buttons=tuple(
            Button(f"Say hello to {'x' * 90}", "intros.hello", str(n)) for n in range(30)
        ),
    )
    rows = render(message, GUILD, SCHEMA).kwargs()["view"].to_components()
    assert [len(row["components"]) for row in rows] == [5, 5, 5, 5, 5]
    labels = [button["label"] for row in rows for button in row["components"]]
    assert max(len(label) for label in labels) == 80
    assert labels[0].endswith("x…")
