"""The neutral message model as Slack mrkdwn, Block Kit, modals and the Home tab."""

from __future__ import annotations

import html
import json
import re

import pytest

from adapters.slack import render
from adapters.slack.payloads import core_action_id
from bot.messages import (
    Attachment,
    Button,
    ButtonStyle,
    FieldKind,
    Form,
    FormField,
    Message,
    literal,
    sanitize,
)
from tests.hostile import HOSTILE
from tests.slack.fake_slack import block_kit_problems


def test_the_markdown_subset_becomes_mrkdwn() -> None:
    text = "**Bold**, _italic_, `code`, [the guide](https://example.org/a_b?x=1&y=2)\n- one\n- two"
    assert render.mrkdwn(text) == (
        "*Bold*, _italic_, `code`, <https://example.org/a_b?x=1&y=2|the guide>\n• one\n• two"
    )


def test_slacks_control_characters_are_escaped_outside_tokens() -> None:
    assert (
        render.mrkdwn("a < b && c > d <!channel>")
        == "a &lt; b &amp;&amp; c &gt; d &lt;!channel&gt;"
    )
    assert render.mrkdwn("`/rounds help <command>`") == "`/rounds help &lt;command&gt;`"


def test_mentions_channels_and_times_render_for_each_reader() -> None:
    text = "<@U0BEN> in <#C0QA> at <t:1772470800:F>, on <t:1772470800:D>, <t:1772470800:R>"
    assert render.mrkdwn(text) == (
        "<@U0BEN> in <#C0QA> at "
        "<!date^1772470800^{date_short_pretty} {time}|2026-03-02 17:00 UTC>, on "
        "<!date^1772470800^{date_short_pretty}|2026-03-02 17:00 UTC>, "
        "<!date^1772470800^{ago}|2026-03-02 17:00 UTC>"
    )


def test_member_text_cannot_forge_a_mention_or_a_broadcast() -> None:
    assert render.mrkdwn(sanitize("hi <@U0BOSS> <!here>")) == "hi &lt;@U0BOSS&gt; &lt;!here&gt;"


def test_a_message_is_sections_then_fields_then_buttons() -> None:
    message = Message(
        "Hello",
        fields=tuple((f"F{i}", f"v{i}") for i in range(12)),
        buttons=(
            Button("Going", "rsvp.going", "12", ButtonStyle.PRIMARY),
            Button("Not going", "rsvp.going", "12:no", ButtonStyle.DANGER),
            Button("Details", "events.show", "12"),
        ),
        attachment=Attachment("event-12.ics", b"x", "text/calendar"),
    )
    blocks = render.blocks(message)
    assert [b["type"] for b in blocks] == ["section", "section", "section", "actions", "context"]
    assert len(blocks[1]["fields"]) == 10 and len(blocks[2]["fields"]) == 2
    assert blocks[1]["fields"][0]["text"] == "*F0*\nv0"
    elements = blocks[3]["elements"]
    assert [e["action_id"] for e in elements] == ["rsvp.going#0", "rsvp.going#1", "events.show#2"]
    assert [e.get("style") for e in elements] == ["primary", "danger", None]
    assert blocks[4]["elements"][0]["text"] == "📎 event-12.ics"


def test_long_text_is_split_across_sections_at_line_breaks() -> None:
    line = "x" * 1000
    blocks = render.blocks(Message("\n".join([line] * 7)))
    assert [len(b["text"]["text"]) for b in blocks] == [
        2001,
        2001,
        2001,
        1000,
    ]  # two lines and a line break each


def test_many_buttons_fill_rows_of_at_most_25_with_ids_unique_in_the_message() -> None:
    message = Message(
        "Pick a time",
        buttons=tuple(Button(f"Slot {i} " + "·" * 80, "events.slot", str(i)) for i in range(60)),
    )
    blocks = render.blocks(message)
    assert block_kit_problems(blocks) == []
    rows = [b["elements"] for b in blocks if b["type"] == "actions"]
    assert [len(row) for row in rows] == [25, 25, 10]
    pressed = [(core_action_id(e["action_id"]), e["value"]) for row in rows for e in row]
    assert pressed == [("events.slot", str(i)) for i in range(60)]  # each press finds its way
    labels = [e["text"]["text"] for row in rows for e in row]
    assert all(len(label) == 75 and label.endswith("…") for label in labels)


def test_a_message_too_long_for_fifty_blocks_keeps_its_buttons_and_file() -> None:
    message = Message(
        "\n".join(f"{i:02} " + "x" * 2990 for i in range(60)),
        buttons=(Button("Going", "rsvp.going", "7"),),
        attachment=Attachment("event-7.ics", b"x", "text/calendar"),
    )
    blocks = render.blocks(message)
    assert block_kit_problems(blocks) == []
    assert len(blocks) == 50
    assert [b["type"] for b in blocks[-2:]] == ["actions", "context"]
    assert blocks[0]["text"]["text"].startswith("00 ")  # the text gives way from its end
    assert blocks[-3]["text"]["text"].startswith("47 ")


def test_the_home_tab_separates_sections_and_is_never_empty() -> None:
    view = render.home_view([Message("**Your profile**"), Message("**Config**")])
    assert [b["type"] for b in view["blocks"]] == ["section", "divider", "section"]
    assert render.home_view([])["blocks"][0]["text"]["text"] == "Nothing here yet."


def form() -> Form:
    return Form(
        "events.create",
        "Create a community event for everyone",
        (
            FormField("title", "Title", required=True, max_length=80, initial="Grand rounds"),
            FormField("about", "About", FieldKind.LONG_TEXT),
            FormField(
                "format",
                "Format",
                FieldKind.CHOICE,
                choices=("online", "in person"),
                initial="online",
            ),
            FormField("when", "When", FieldKind.DATETIME, required=True),
            FormField("zone", "Time zone", FieldKind.TIMEZONE),
        ),
        submit_label="Create",
        context="draft-7",
        hint="Or type `/rounds events create …`",
    )


def test_a_form_becomes_a_modal_with_one_input_per_field() -> None:
    view = render.modal(form(), render.Origin("C0EVENTS", "https://hooks.example/1"))
    assert view["title"]["text"] == "Create a community even…"  # Slack allows 24 characters
    assert view["submit"]["text"] == "Create"
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert [b["block_id"] for b in inputs] == ["title", "about", "format", "when", "zone"]
    assert [b["optional"] for b in inputs] == [False, True, True, False, True]
    title, about, choice, when, zone = (b["element"] for b in inputs)
    assert (title["initial_value"], title["max_length"]) == ("Grand rounds", 80)
    assert about["multiline"] is True
    assert [o["value"] for o in choice["options"]] == ["online", "in person"]
    assert choice["initial_option"]["value"] == "online"
    assert when["placeholder"]["text"] == "YYYY-MM-DD HH:MM, in your time zone"
    assert zone["placeholder"]["text"] == "Region/City, e.g. America/Chicago"
    assert {e["action_id"] for e in (title, about, choice, when, zone)} == {"value"}
    assert view["blocks"][-1]["elements"][0]["text"] == "Or type `/rounds events create …`"
    assert json.loads(view["private_metadata"]) == {
        "form": "events.create",
        "context": "draft-7",
        "channel": "C0EVENTS",
        "url": "https://hooks.example/1",
        "home": False,
    }


def test_errors_land_on_their_field_and_general_ones_on_the_first() -> None:
    errors = render.modal_errors(
        {"when": "That date is in the past.", "": "Nothing was saved."}, ["title", "when"]
    )
    assert errors == {"when": "That date is in the past.", "title": "Nothing was saved."}


# -- member text is literal --------------------------------------------------------------------
# What a reader sees of Slack's look-alikes, entities and the invisible soft hyphen.
SHOWN_AS = {"\u2217": "*", "\u02cd": "_", "\u223c": "~", "\u02cb": "`"}
BOT_TOKENS = " met <@U0BEN> in <#C0QA> at <t:1772470800:F>: [the guide](https://example.org/g)"
BOT_TOKENS_MRKDWN = (
    "* met <@U0BEN> in <#C0QA> at "
    "<!date^1772470800^{date_short_pretty} {time}|2026-03-02 17:00 UTC>: "
    "<https://example.org/g|the guide>"
)


def seen(text: str) -> str:
    text = html.unescape(text.replace("\u00ad", ""))
    return "".join(SHOWN_AS.get(char, char) for char in text)


def formatting_left(text: str) -> str:
    """Characters Slack would parse as markup, outside web addresses (which never format)."""
    outside = re.sub(r"https?://\S+", "", text)
    return "".join(c for c in outside if c in "*_~`<>•") + " ".join(
        re.findall(r"(?m)^\s*&gt;", text)
    )


@pytest.mark.parametrize("typed", HOSTILE)
def test_member_text_renders_as_typed_and_parses_as_nothing(typed: str) -> None:
    shown = render.mrkdwn(literal(typed))
    assert seen(shown) == typed
    assert formatting_left(shown) == ""  # no bold, italics, code, quote, bullet, link or token


@pytest.mark.parametrize("typed", HOSTILE)
def test_member_text_inside_bold_keeps_the_bold_and_the_bots_tokens_working(typed: str) -> None:
    shown = render.mrkdwn(f"**{literal(typed)}**{BOT_TOKENS}")
    assert shown.startswith("*") and shown.endswith(BOT_TOKENS_MRKDWN)
    inside = shown[1 : -len(BOT_TOKENS_MRKDWN)]
    assert seen(inside) == typed
    assert "*" not in inside  # the bold closes where the bot closed it, and only there


def test_a_star_in_a_name_stays_inside_the_cards_bold() -> None:
    assert render.mrkdwn(f"👋 Meet **{literal('Ada **Obi')}** (<@U0ADA>)") == (
        "👋 Meet *Ada \u2217\u2217Obi* (<@U0ADA>)"
    )


def test_a_quote_a_member_starts_a_line_with_is_not_a_quote() -> None:
    assert render.mrkdwn(literal("> no\n>> no")) == "\u00ad&gt; no\n\u00ad&gt;&gt; no"
    assert render.mrkdwn(f"- {literal('> still no')}") == "• &gt; still no"


def test_full_width_formatting_characters_are_shown_as_look_alikes() -> None:
    shown = render.mrkdwn(literal("＊a＊ ＿b＿ ｀c｀\n＞ d"))
    assert not set(shown) & set("＊＿｀")
    assert shown.endswith("\n\u00ad＞ d")


def test_a_web_address_a_member_wrote_still_works() -> None:
    shown = render.mrkdwn(f"**{literal('see https://example.org/a_b~c')}**")
    assert shown == "*see https://example.org/a_b~c*"


def test_member_text_in_code_shows_as_typed_and_cannot_end_the_code() -> None:
    shown = render.mrkdwn(f"`/rounds find {literal('a`b <!here> *c*')}` then *d*")
    assert shown == "`/rounds find a\u02cbb &lt;!here&gt; *c*` then *d*"


def test_a_bot_link_with_a_member_label_shows_the_label_as_typed() -> None:
    shown = render.mrkdwn(f"[{literal('*NHS* | [x]')}](https://example.org/e)")
    assert shown == "<https://example.org/e|\u2217NHS\u2217 ¦ [x]>"


@pytest.mark.parametrize("typed", HOSTILE)
def test_member_text_in_fields_notifications_buttons_and_forms_stays_literal(typed: str) -> None:
    message = Message(
        f"**{literal(typed)}**",
        fields=((literal(typed), literal(typed)),),
        buttons=(Button(typed[:70], "intros.hello", "U0ADA"),),
        attachment=Attachment(typed[:40], b"x", "text/plain"),
    )
    payload = render.message_payload(message)
    assert seen(payload["text"][1:-1]) == typed and "*" not in payload["text"][1:-1]
    assert block_kit_problems(payload["blocks"]) == []
    [_, fields, actions, context] = payload["blocks"]
    shown = render.mrkdwn(literal(typed))
    assert seen(shown) == typed
    assert fields["fields"][0]["text"] == f"*{shown}*\n{shown}"
    assert actions["elements"][0]["text"]["text"] == typed[:70]  # plain text: shown as is
    assert seen(context["elements"][0]["text"]) == f"📎 {typed[:40]}"
    form = Form("profile.edit", "Your profile", (FormField("name", typed[:40], initial=typed),))
    [field] = render.modal(form, render.Origin())["blocks"]
    assert (field["label"]["text"], field["element"]["initial_value"]) == (typed[:40], typed)
