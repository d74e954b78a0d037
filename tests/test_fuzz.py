"""Hostile input, generated: every declared command (typed as text, and with typed values as
Discord sends them) and every declared form, fed random unicode, huge strings, control
characters, unknown members, SQL fragments and mention spoofing.

Whatever comes in: never an apology (an unhandled error), never a mass mention in what the Slack
or Discord renderers would send (replies, updated messages and every delivery it planned), and
a refused input leaves every table exactly as it was (nothing half-stored).
"""

from __future__ import annotations

import ast
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.discord.render import render as discord_render
from adapters.discord.schema import build_schema
from adapters.slack.render import message_payload
from bot.context import Actor
from bot.engine import APOLOGY
from bot.messages import Message, Outcome
from bot.options import Option, OptionKind
from bot.router import Command
from storage.store import SqlStore
from tests.helpers import CONSOLE, Community, changed, snapshot
from tests.hostile import HOSTILE

FUZZ = settings(  # ROUNDS_FUZZ_EXAMPLES: a longer search than CI's
    max_examples=int(os.environ.get("ROUNDS_FUZZ_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SETUP = """
clock 2026-03-02 09:00 UTC
join alice
join bob
join carol
alice: /rounds config channel qa #questions
alice: /rounds config channel events #events
carol: /rounds mentor offer capacity=2 areas="policy, education"
bob: /rounds ask title="Protected time for QI?" body="My director says next quarter." tags=qi
carol: /rounds answer 1 "Bring a one-page plan."
alice: /rounds event create title="Journal club" when="2026-03-10 18:00" capacity=2
"""

SPOOFS = (
    "@channel",
    "@here",
    "@everyone",
    "<!everyone>",
    "<!channel>",
    "<!here|here>",
    "<@&123>",
    "<@&123456789012345678>",
    "<!subteam^S0123>",
    "@nobody",
    "<@U0NOBODY>",
    "<@999999999999999999>",
    "<#C0NOWHERE>",
)
SQL = (
    "'; DROP TABLE members; --",
    "1 OR 1=1",
    '" OR ""="',
    "%",
    "_%_",
    "1; SELECT * FROM spaces",
    "Robert'); DELETE FROM outbox;--",
)
ODD = ("\x00", "a\x00b", "\u202etxet", "\ufeff", "\u200b@everyone", "\r\n\t", "\x1b[31m", "𝕏" * 3)
PIECES = ("x", "é", "@everyone ", "<!channel>", "界", "\U0001f9ea", " ")

named = st.sampled_from(HOSTILE + SPOOFS + SQL + ODD)
huge = st.tuples(st.sampled_from(PIECES), st.integers(150, 4500)).map(lambda t: t[0] * t[1])
controls = st.text(st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Zs")), max_size=20)
hostile = st.one_of(
    named,
    st.text(max_size=40),
    huge,
    controls,
    st.lists(st.one_of(named, st.text(max_size=10)), min_size=2, max_size=4).map(" ".join),
)

PLAUSIBLE: dict[OptionKind, tuple[str, ...]] = {
    OptionKind.TEXT: ("1", "2", "quality improvement"),
    OptionKind.LONG_TEXT: ("A longer answer.\nWith a second line.",),
    OptionKind.INTEGER: ("1", "2", "0", "-3", "99999999999999999999999"),
    OptionKind.BOOLEAN: ("yes", "no"),
    OptionKind.MEMBER: ("@bob", "@carol", "@alice", "@nobody"),
    OptionKind.CHANNEL: ("#general", "#events"),
    OptionKind.DATETIME: ("2026-03-10 18:00", "tomorrow 18:00", "2026-03-29 01:30"),
    OptionKind.DURATION: ("2w", "90m", "0m"),
    OptionKind.TIMEZONE: ("America/Chicago", "UTC", "Europe/London"),
}


def value_for(option: Option) -> st.SearchStrategy[str]:
    """Member-written kinds are hostile half the time; the others mostly plausible, so most
    commands get past their options to the handler."""
    plausible = st.sampled_from(option.choices or PLAUSIBLE.get(option.kind, ("1",)))
    if option.kind in (OptionKind.TEXT, OptionKind.LONG_TEXT):
        return st.one_of(plausible, hostile)
    return st.integers(0, 3).flatmap(lambda n: hostile if n == 0 else plausible)


def raw_values(command: Command) -> st.SearchStrategy[dict[str, str]]:
    """Typed values by option name, as Discord hands them over: any subset of the options."""
    if not command.options:
        return st.just({})
    return st.fixed_dictionaries(
        {}, optional={option.name: value_for(option) for option in command.options}
    )


def quoted(value: str) -> st.SearchStrategy[str]:
    escaped = value.replace('"', "")
    return st.sampled_from((value, f'"{escaped}"', f"“{value}”", f"'{value}"))


@st.composite
def typed_text(draw: st.DrawFn, command: Command) -> str:
    """The command as a member types it on Slack or the console, values and all."""
    parts = [command.name]
    for option in command.options:
        if not (option.required or draw(st.booleans())):
            continue
        value = draw(quoted(draw(value_for(option))))
        parts.append(
            value if option.positional and draw(st.booleans()) else f"{option.name}={value}"
        )
    if draw(st.integers(0, 7)) == 0:
        parts.append(draw(hostile))
    return "/rounds " + " ".join(parts)


def form_fields() -> list[str]:
    """The field names every form in the core declares (`FormField("name", …)`)."""
    names: set[str] = set()
    for path in Path("bot").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and getattr(node.func, "id", None) == "FormField"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(str(node.args[0].value))
    return sorted(names)


FIELDS = form_fields()
SLACK_MASS = re.compile(r"<!(?:channel|here|everyone|subteam)")
DISCORD_MASS = re.compile(r"@(?:everyone|here)|<@&")


class Fuzzed:
    """A console community with members, a question, an answer and an event, and the checks
    every fuzzed input must pass."""

    def __init__(self, store: SqlStore) -> None:
        self.store = store
        self.community = Community(store)
        self.schema = build_schema(self.community.core.router)

    @property
    def router(self):  # type: ignore[no-untyped-def]
        return self.community.core.router

    async def check(self, outcome: Outcome, before: dict[str, set[tuple[object, ...]]]) -> None:
        after = await snapshot(self.store)
        said = [reply.message for reply in outcome.replies]
        assert all(APOLOGY not in m.text for m in said), [m.text for m in said]
        diff = changed(before, after)
        if outcome.refused:
            assert diff == {}, f"a refused input changed {sorted(diff)}"
        planned = [
            Message.from_dict(json.loads(row[7]))
            for row in diff.get("outbox", set()) - before["outbox"]
            if row[7]
        ]
        for message in self.shown(said, outcome, planned):
            assert not SLACK_MASS.search(json.dumps(message_payload(message))), message.text
            shown = discord_render(message, "1", self.schema)
            text = " ".join(
                [shown.content, shown.description or ""] + [v for f in shown.fields for v in f]
            )
            assert not DISCORD_MASS.search(text), message.text

    @staticmethod
    def shown(said: list[Message], outcome: Outcome, planned: list[Message]) -> Iterable[Message]:
        yield from said
        if outcome.updated is not None:
            yield outcome.updated
        yield from planned


@pytest.fixture
async def fuzzed(store: SqlStore) -> Fuzzed:
    made = Fuzzed(store)
    await made.community.run(SETUP)
    return made


def actor(name: str) -> Actor:
    return Actor(CONSOLE, name, display_name=name, channel_id="general", space_name="Console")


def test_the_outbox_payload_column_is_where_the_check_reads_it() -> None:
    from storage.models import OutboxRow

    assert [c.name for c in OutboxRow.__table__.columns][7] == "payload"


def test_every_form_field_is_found() -> None:
    assert {"title", "body", "when", "name", "timezone"} <= set(FIELDS)


@FUZZ
@given(data=st.data())
async def test_typed_commands_never_fail_nor_ping_nor_half_store(
    fuzzed: Fuzzed, data: st.DataObject
) -> None:
    command = data.draw(st.sampled_from(sorted(fuzzed.router.commands.values(), key=str)))
    text = data.draw(typed_text(command))
    who = data.draw(st.sampled_from(("alice", "bob")))
    before = await snapshot(fuzzed.store)
    outcome = await fuzzed.community.core.rounds.command(actor(who), text)
    await fuzzed.check(outcome, before)


@FUZZ
@given(data=st.data())
async def test_discord_style_values_never_fail_nor_ping_nor_half_store(
    fuzzed: Fuzzed, data: st.DataObject
) -> None:
    command = data.draw(st.sampled_from(sorted(fuzzed.router.commands.values(), key=str)))
    raw = data.draw(raw_values(command))
    who = data.draw(st.sampled_from(("alice", "bob")))
    before = await snapshot(fuzzed.store)
    outcome = await fuzzed.community.core.rounds.invoke(actor(who), command.path, raw)
    await fuzzed.check(outcome, before)


@FUZZ
@given(data=st.data())
async def test_forms_never_fail_nor_ping_nor_half_store(
    fuzzed: Fuzzed, data: st.DataObject
) -> None:
    form_id = data.draw(st.sampled_from(sorted(fuzzed.router.forms)))
    values = data.draw(
        st.dictionaries(
            st.sampled_from(FIELDS),
            st.one_of(
                hostile,
                st.sampled_from(
                    ("Journal club", "2026-03-10 18:00", "America/Chicago", "workshop", "qi")
                ),
            ),
            max_size=6,
        )
    )
    context = data.draw(st.one_of(st.sampled_from(("", "1", "2", "999")), hostile))
    who = data.draw(st.sampled_from(("alice", "bob")))
    before = await snapshot(fuzzed.store)
    outcome = await fuzzed.community.core.rounds.submit(actor(who), form_id, values, context)
    await fuzzed.check(outcome, before)
