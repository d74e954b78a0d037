"""Member text on Discord: shown exactly as typed, never formatting, linking, mentioning or
pinging, while the bot's own formatting, tokens, links and command names keep working."""

from __future__ import annotations

import re

import pytest

from adapters.discord.modals import build_modal
from adapters.discord.render import markdown, render
from adapters.discord.schema import build_schema
from bot.features.catalog import build_router
from bot.messages import Button, Form, FormField, Message, literal
from tests.hostile import HOSTILE

SCHEMA = build_schema(build_router())
GUILD = "3000000000000000001"
ZERO_WIDTH_SPACE = "\u200b"
ESCAPED_RE = re.compile(r"\\([^0-9A-Za-z\s])")  # Discord's escape: any punctuation or symbol
BOT_TOKENS = " met <@42> in <#7> at <t:1772470800:F>: [the guide](https://example.org/g)"
PING_RE = re.compile(r"@(?:everyone|here|[&!\d])")


def seen(text: str) -> str:
    """What a Discord reader sees: escapes resolved, zero-width spaces invisible."""
    return ESCAPED_RE.sub(r"\1", text).replace(ZERO_WIDTH_SPACE, "")


def markup_left(text: str) -> str:
    """Unescaped Markdown Discord would parse, outside web addresses (which never format)."""
    bare = re.sub(r"https?://\S+", "", ESCAPED_RE.sub("", text))
    return "".join(c for c in bare if c in "*_~`|[]<>#-+\\") + " ".join(
        re.findall(r"(?m)^\s*\d+\.", bare)
    )


def shown(text: str) -> str:
    return render(Message(text), GUILD, SCHEMA).content


@pytest.mark.parametrize("typed", HOSTILE)
def test_member_text_renders_as_typed_and_parses_as_nothing(typed: str) -> None:
    out = shown(literal(typed))
    assert seen(out) == typed
    assert markup_left(out) == ""  # no formatting, spoiler, heading, list, link or token
    assert not PING_RE.search(out)  # and no ping of anyone


@pytest.mark.parametrize("typed", HOSTILE)
def test_member_text_inside_bold_keeps_the_bold_and_the_bots_tokens_working(typed: str) -> None:
    out = shown(f"**{literal(typed)}**{BOT_TOKENS}")
    assert out.startswith("**") and out.endswith(f"**{BOT_TOKENS}")
    inside = out[2 : -len(BOT_TOKENS) - 2]
    assert seen(inside) == typed
    assert "*" not in ESCAPED_RE.sub("", inside)  # the bold closes only where the bot closed it


def test_a_star_in_a_name_stays_inside_the_cards_bold() -> None:
    assert (
        shown(f"👋 Meet **{literal('Ada **Obi')}** (<@42>)") == "👋 Meet **Ada \\*\\*Obi** (<@42>)"
    )


def test_a_command_a_member_typed_is_not_renamed_but_the_bots_are() -> None:
    out = shown(f"{literal('/rounds config')} · `/rounds config` · /rounds config")
    assert out == "/rounds config · `/rounds-manage config show` · /rounds-manage config show"


def test_member_text_in_code_shows_as_typed_and_cannot_end_the_code() -> None:
    out = shown(f"`/rounds find {literal('a`b *c* @everyone')}` then **d**")
    assert out == f"`/rounds find a\u02cbb *c* @{ZERO_WIDTH_SPACE}everyone` then **d**"


def test_a_web_address_a_member_wrote_still_works() -> None:
    assert markdown(literal("https://example.org/a_b~c-d#e")) == "https://example.org/a_b~c-d#e"


def test_pings_the_core_never_writes_are_neutralised_even_without_literal() -> None:
    out = shown("hi @everyone and @here and <@&123> and <@!456>, from <@789>")
    z = ZERO_WIDTH_SPACE
    assert out == f"hi @{z}everyone and @{z}here and <@{z}&123> and <@{z}!456>, from <@789>"


def test_a_bot_link_with_a_member_label_shows_the_label_as_typed() -> None:
    out = shown(f"[{literal('*NHS* [x]')}](https://example.org/e)")
    assert out == "[\\*NHS\\* \\[x\\]](https://example.org/e)"


@pytest.mark.parametrize("typed", HOSTILE)
def test_member_text_in_fields_buttons_and_forms_stays_literal(typed: str) -> None:
    message = Message(
        "Card",
        fields=((literal(typed), literal(typed)),),
        buttons=(Button(typed[:70], "intros.hello", "42"),),
    )
    rendered = render(message, GUILD, SCHEMA)
    [(name, value)] = rendered.fields
    assert (seen(name), seen(value)) == (typed, typed)
    assert markup_left(name) == markup_left(value) == ""
    assert rendered.buttons[0].label == typed[:70]  # plain text: shown as is
    form = Form("profile.edit", "Your profile", (FormField("name", "Name", initial=typed),))
    [item] = build_modal(form, GUILD).to_components()
    assert item["component"]["value"] == typed
