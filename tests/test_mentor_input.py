"""Bad input to the mentorship commands: wrong, missing, huge and hostile values get a private
answer that says what to type instead, and nothing is half-saved."""

from __future__ import annotations

import io

import pytest

from bot.bootstrap import build_console
from bot.clock import ManualClock
from bot.features.mentorship.model import MENTORSHIP
from bot.messages import literal
from storage.store import SqlStore
from tests.conftest import START, Transcript
from tests.helpers import stored_member
from tests.hostile import HOSTILE
from tests.mentoring import COMMUNITY, PAIRED, blocks, member_id, pairs, waiting_request

WRONG = [
    ("carol: /rounds mentor offer capacity=0", "`capacity` must be at least 1."),
    ("carol: /rounds mentor offer capacity=11", "`capacity` must be at most 10."),
    ("carol: /rounds mentor offer capacity=two", "`capacity` must be a whole number, not `two`."),
    ('carol: /rounds mentor offer areas=" , "', "Name at least one area"),
    (
        'carol: /rounds mentor offer areas="' + ", ".join(f"a{n}" for n in range(11)) + '"',
        "`areas` takes at most 10",
    ),
    ('carol: /rounds mentor offer areas="' + "x" * 41 + '"', "Each area is at most 40 characters"),
    ("carol: /rounds mentor offer areas=" + "y" * 451, "`areas` is too long (451 characters)"),
    ("carol: /rounds mentor offer colour=blue", "`colour` isn't something"),
    ("carol: /rounds mentor request", "Tell me what you'd like a mentor's help with"),
    ('carol: /rounds mentor request goals=""', "`goals` is empty."),
    ("carol: /rounds mentor request goals=" + "g" * 301, "`goals` is too long (301 characters)"),
    ("carol: /rounds mentor request goals=x outside=maybe", "`outside` takes yes or no"),
    ("okafor: /rounds mentor capacity -1", "`mentees` must be at least 0."),
    ("okafor: /rounds mentor capacity 99999999999", "`mentees` must be at most 10."),
    ("okafor: /rounds mentor capacity", "`/rounds mentor capacity` needs `mentees`"),
    ("okafor: /rounds mentor pause until=2026-03-01", "`until` is a date in the future"),
    ("okafor: /rounds mentor pause until=2028-01-01", "`until` can be at most a year from now."),
    (
        "okafor: /rounds mentor pause until=soon",
        '`until` is a date and time like "2026-03-10 18:00"',
    ),
    ("okafor: /rounds mentor log everything", "`export` can be one of: export"),
]


@pytest.mark.parametrize(("line", "answer"), WRONG)
async def test_a_wrong_value_is_answered_with_what_to_type_and_nothing_is_saved(
    transcript: Transcript, store: SqlStore, line: str, answer: str
) -> None:
    await transcript(COMMUNITY)
    out = await transcript(line)
    said = blocks(out, "[private @" + line.split(":")[0] + "]")
    assert len(said) == 1 and answer in said[0], out
    assert "Usage: `/rounds mentor" in said[0]
    carol = await stored_member(store, "carol")
    assert carol is not None and not carol.profile.open_to_mentor
    async with store.transaction() as tx:
        repo = tx.repo(MENTORSHIP)
        assert await repo.mentor(carol.space_id, carol.id) is None
        okafor = await repo.mentor(carol.space_id, await member_id(store, "okafor"))
    assert okafor is not None and okafor.capacity == 2 and okafor.paused_at is None
    assert await waiting_request(store) is None


async def test_a_huge_check_in_note_is_refused_and_nothing_is_logged(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + "carol: /rounds checkin @okafor " + "n" * 501)
    assert "`note` is too long (501 characters); the most it takes is 500." in out
    out = await transcript("carol: /rounds mentor log")
    assert "No check-ins yet." in out
    assert (await pairs(store, "carol"))[0].due_at is not None


async def test_control_characters_are_refused(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + 'carol: /rounds mentor request goals="ops\x07"')
    assert "`goals` has control characters in it." in out


@pytest.mark.parametrize("hostile", HOSTILE[:12] + HOSTILE[-5:])
async def test_hostile_goals_reach_the_mentor_and_the_managers_literally(
    store: SqlStore, hostile: str
) -> None:
    out = io.StringIO()
    core, console = build_console(store, ManualClock(START), out)
    shown: list[str] = []
    platform = core.platforms["console"]
    send = platform.send

    async def keep(space, target, message):  # type: ignore[no-untyped-def]
        shown.append(message.text)
        return await send(space, target, message)

    platform.send = keep  # type: ignore[method-assign]
    typed = (
        hostile.replace('"', "'").replace("\n", " ").rstrip("\\")
    )  # a final \\ would escape the quote
    await console.run_lines(
        [
            *COMMUNITY.strip().splitlines(),
            f'carol: /rounds mentor request goals="{typed}"',
            "as carol",
            'click "Ask Dr Okafor"',
            # whoever is asked next declines too (the order depends on the goals)
            *[f'{name}: click "Decline"' for name in ("okafor", "singh", "lee") * 2],
        ]
    )
    proposal = next(t for t in shown if t.startswith("🌱 **Mentorship request:**"))
    card = next(t for t in shown if t.startswith("🔎"))
    assert f"Goals: {literal(typed)}\n" in proposal
    assert f"looking for a mentor in {literal(typed)}; no match" in card
    assert f"Goals: {typed}\n" in out.getvalue()  # the console shows it as typed
