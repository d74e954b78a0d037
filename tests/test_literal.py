"""Member text is literal: `literal` in the neutral model, the console renderer, and whole
transcripts where a hostile name meets a card's own formatting."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from adapters.console.render import body_lines, form_lines, render_text
from bot.messages import (
    LITERAL_CHARS,
    Button,
    Form,
    FormField,
    Message,
    literal,
    sanitize,
    split_literal,
    unescape,
)
from tests.conftest import Transcript
from tests.hostile import HOSTILE

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
NAME = "Ada **Obi [NHS](https://evil.example) @everyone <!channel>"
BOT_TOKENS = " met <@ben> in <#qa> at <t:1772470800:F>: [the guide](https://example.org/g)"
BOT_TOKENS_SHOWN = (
    " met @ben in #qa at Mon 02 Mar 2026, 17:00 UTC: the guide (https://example.org/g)"
)


# -- the neutral model ------------------------------------------------------------------------
@pytest.mark.parametrize("typed", HOSTILE)
def test_literal_escapes_every_markup_character_and_unescape_gives_back_what_was_typed(
    typed: str,
) -> None:
    escaped = literal(typed)
    assert unescape(escaped) == typed
    assert "".join(run for run, _ in split_literal(escaped)) == typed
    markup = "".join(run for run, was_escaped in split_literal(escaped) if not was_escaped)
    assert not set(markup) & set(LITERAL_CHARS)  # nothing left that any platform parses


def test_a_leading_number_cannot_start_a_list() -> None:
    assert literal("1. first\n 22. second, 3. third") == "1\\. first\n 22\\. second, 3. third"


def test_sanitize_is_literal() -> None:
    assert sanitize is literal


def test_text_a_member_did_not_write_keeps_its_backslashes() -> None:
    assert unescape("C:\\path and \\d") == "C:\\path and \\d"  # only escapes `literal` makes


# -- the console renderer ---------------------------------------------------------------------
@pytest.mark.parametrize("typed", HOSTILE)
def test_the_console_prints_member_text_as_typed_inside_the_bots_formatting(typed: str) -> None:
    shown = render_text(f"**{literal(typed)}**{BOT_TOKENS}", "UTC", NOW)
    assert shown == f"**{typed}**{BOT_TOKENS_SHOWN}"


@pytest.mark.parametrize("typed", HOSTILE)
def test_the_console_prints_member_text_in_code_fields_and_buttons_as_typed(typed: str) -> None:
    message = Message(
        f"Try `/rounds find {literal(typed)}`",
        fields=((literal(typed), literal(typed)),),
        buttons=(Button(typed, "intros.hello", "ben"),),
    )
    lines = body_lines(message, "UTC", NOW)
    text = "\n".join(lines)
    assert text.startswith(f"Try `/rounds find {typed}`\n")
    assert f"\n{typed}: {typed}\n" in text
    assert text.endswith(f"\n[button] {typed}")


def test_a_form_hint_with_member_text_is_printed_as_typed() -> None:
    form = Form("x", "Edit", (FormField("name", "Name"),), hint=f"Was: {literal(NAME)}")
    assert form_lines(form)[-1] == f"Was: {NAME}"


# -- whole transcripts ------------------------------------------------------------------------
SETUP = f"""
clock 2026-03-02 09:00 UTC
join ada
/rounds config channel intros #introductions
/rounds profile set name="{NAME}" role=resident specialty="emergency medicine"
"""


def printed(out: str, header: str) -> str:
    """The body of the last output under `header`, without its two-space indent."""
    body = out.split(f"{header}\n")[-1].split("\n[")[0]
    return re.sub(r"(?m)^  ", "", body).rstrip("\n")


async def test_a_hostile_name_shows_as_typed_on_the_profile_card(transcript: Transcript) -> None:
    out = await transcript(SETUP + "/rounds profile")
    assert f"✓ Saved your profile: name = {NAME}, " in out
    card = printed(out, "[private @ada]")
    assert card.startswith(f"**{NAME}**\nresident · emergency medicine\n")
    assert "@ada" not in card.split("\n")[0]  # nothing became a mention


async def test_a_hostile_name_shows_as_typed_on_the_intro_card_with_its_bold_intact(
    transcript: Transcript,
) -> None:
    out = await transcript(SETUP + "/rounds intro")
    card = printed(out, "[#introductions]")
    assert card.startswith(f"👋 Meet **{NAME}** (@ada)\nresident · emergency medicine\n")


async def test_hostile_profile_fields_show_as_typed_in_the_directory(
    transcript: Transcript,
) -> None:
    out = await transcript(
        SETUP
        + '/rounds profile set institution="<@ben> **St Mary**" region="> #general"\n'
        + "join ben\nben: /rounds find emergency"
    )
    found = printed(out, "[private @ben]")
    assert found.startswith(
        f"**1 member matching “emergency”**\n- **{NAME}** @ada: "
        "resident · emergency medicine · <@ben> **St Mary** · > #general"
    )
    assert found.endswith(f"[button] Say hello to {NAME[:40]}")


async def test_a_community_name_with_markup_is_welcomed_as_typed(transcript: Transcript) -> None:
    out = await transcript(
        'join ada\n/rounds config set community.name="**NHS** <!here> [x](https://evil.example)"\n'
        "join ben"
    )
    assert "✓ Saved: `community.name` = **NHS** <!here> [x](https://evil.example)." in out
    welcome = printed(out, "[dm @ben]")
    assert welcome.startswith("Welcome to **NHS** <!here> [x](https://evil.example), @ben!")


def test_a_bot_link_on_the_console_shows_its_label_with_tokens_and_its_address() -> None:
    shown = render_text(f"[<@ben> on {literal('*NHS*')}](https://example.org/e)", "UTC", NOW)
    assert shown == "@ben on *NHS* (https://example.org/e)"
