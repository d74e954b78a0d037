"""The patient-information guard: its rules on the labelled set, the in-memory hold, and the
Edit / Post anyway / Cancel conversation in every mode. A flagged text is in no table, no
database file, no log line and no outbox row until the member chooses."""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from benchmarks.guard import SETS, evaluate, load
from bot.context import Actor
from bot.guard import DESCRIPTIONS, GUARD, HeldTexts, Kind, kinds, scan
from storage.models import Base
from storage.store import SqlStore
from tests.conftest import START
from tests.helpers import CONSOLE, Community, stored_member

SECRET = "415-555-2671"
FLAGGED_ASK = (
    'cara: /rounds ask title="Family keeps calling about a discharge" '
    f'body="The daughter wants a callback on {SECRET} today." tags=communication'
)
SETUP = """
clock 2026-03-02 09:00 UTC
join amara
join ben
join cara
amara: /rounds config channel qa #questions
"""


# -- the rules ---------------------------------------------------------------------------------
def test_the_evaluation_set_meets_the_targets() -> None:
    rows = load("guard_eval.jsonl")
    assert len(rows) >= 300 and sum(1 for _, k in rows if k) >= 120
    report = evaluate(rows)
    assert report.recall >= 0.95 and report.precision >= 0.85
    assert {str(k) for k in Kind} <= set(report.per_kind)  # every class is represented
    assert all(report.kind_recall(str(kind)) >= 0.9 for kind in Kind)
    assert report.ms_per_message < 5


def test_the_held_out_set_is_checked_too() -> None:
    report = evaluate(load(SETS[1]))
    assert report.recall >= 0.9 and report.precision >= 0.85


@pytest.mark.parametrize(
    ("message", "kind"),
    [
        ("Pt Maria Gonzales presented with chest pain", Kind.NAME),
        ("DOB 04/12/1958, still waiting for the pharmacy", Kind.DATE),
        ("a 93-year-old on our ward", Kind.AGE),
        ("MRN 00482913 has two charts", Kind.RECORD),
        ("call the daughter at (312) 555-0198", Kind.PHONE),
        ("he wrote from jwhitaker1958@gmail.com", Kind.EMAIL),
        ("she lives at 42 Elm Street", Kind.ADDRESS),
        ("SSN 123-45-6789 on the form", Kind.SSN),
        ("pacemaker serial number PJN447812H", Kind.DEVICE),
        ("the login came from 192.168.14.201", Kind.URL),
    ],
)
def test_each_kind_is_found_and_described(message: str, kind: Kind) -> None:
    assert kind in kinds(message)
    assert DESCRIPTIONS[kind]


def test_clean_community_talk_is_not_flagged() -> None:
    for message in (
        "Journal club is Thursday 14 May at 18:00 GMT, on the NEJM sepsis paper.",
        "Dr. Osei's talk on antimicrobial stewardship was brilliant, thanks @amara!",
        "We switched from warfarin to apixaban 5 mg BID; the IHI Forum is 6 to 9 December 2026.",
        "Send abstracts to abstracts@ghlconference.org; details at https://www.ihi.org/forum",
    ):
        assert scan(message) == (), message


def test_long_and_adversarial_text_never_backtracks_catastrophically() -> None:
    """A rule that backtracks catastrophically takes minutes on these; a sound one takes
    milliseconds. The bound is CPU time and generous (a busy CI machine is no failure); the
    speed itself is `benchmarks.guard`'s to measure. A first scan loads the phone-number
    metadata, so it happens before the clock starts."""
    scan("+1 415 555 2671")
    for message in (
        "1 " * 1000,
        "Aa " * 660,
        "9" * 2000,
        "a@" * 1000,
        "+1 " * 660,
        "12 Elm Street " * 140,
        "visit 01/01/2020 " * 110,
        "Mr Smith in bed 4. " * 100,
        "9-" * 1000,
    ):
        started = time.process_time()
        scan(message)
        assert time.process_time() - started < 1.0, message[:10]


# -- the in-memory hold ------------------------------------------------------------------------
def test_a_held_text_is_found_only_by_its_member_in_its_space_and_expires() -> None:
    held = HeldTexts(hold_for=timedelta(minutes=30))
    kept = held.hold(1, 10, "qa.ask", {"title": SECRET}, frozenset({Kind.PHONE}), START)
    assert held.get(1, 10, kept.token, START) == kept
    assert held.get(2, 10, kept.token, START) is None  # another space
    assert held.get(1, 11, kept.token, START) is None  # another member
    assert SECRET not in repr(kept)  # a stray log line of it shows no text
    assert held.get(1, 10, kept.token, START + timedelta(minutes=31)) is None
    assert len(held) == 0


def test_a_member_keeps_only_their_latest_few_held_texts() -> None:
    held = HeldTexts(per_member=2)
    tokens = [
        held.hold(1, 10, "qa.ask", {"t": str(i)}, frozenset(), START + timedelta(seconds=i)).token
        for i in range(3)
    ]
    assert [held.get(1, 10, t, START) is not None for t in tokens] == [False, True, True]


# -- the conversation ----------------------------------------------------------------------------
@pytest.fixture
def community(store: SqlStore) -> Community:
    return Community(store)


async def stored_everywhere(store: SqlStore, database_url: str) -> str:
    """Every row of every table (the full-text index too), and on SQLite the raw files."""
    found = []
    async with store.engine.connect() as connection:
        tables = [table.name for table in Base.metadata.sorted_tables] + ["fts_qa_questions"]
        for table in tables:
            rows = await connection.execute(text(f"SELECT * FROM {table}"))
            found.extend(str(tuple(row)) for row in rows)
    if database_url.startswith("sqlite"):
        path = Path(database_url.split(":///", 1)[1])
        for file in (path, path.with_name(path.name + "-wal")):
            if file.exists():
                found.append(file.read_bytes().decode("utf-8", "replace"))
    return "\n".join(found)


async def test_a_flagged_question_is_held_in_memory_only_until_the_member_chooses(
    community: Community,
    store: SqlStore,
    database_url: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    out = await community.run(SETUP + FLAGGED_ASK)
    warning = out.split("[private @cara]\n")[1]
    assert warning.startswith(
        "  ⚠️ Before this is posted: it looks like it may identify a patient "
        "(a phone or fax number)."
    )
    assert "Nothing has been saved" in warning
    assert SECRET not in warning and "daughter" not in warning  # the kinds, never a copy
    assert [b.label for b in community.console.state.outputs[-1].message.buttons] == [
        "Edit",
        "Post anyway",
        "Cancel",
    ]
    assert SECRET not in await stored_everywhere(store, database_url)
    assert SECRET not in caplog.text
    assert all(SECRET not in str(r.args) for r in caplog.records)

    out = await community.run('cara: click "Post anyway"')
    assert "✓ Your question Q1 is up in #questions." in out
    assert f"callback on {SECRET} today." in out.split("[#questions]")[1]
    assert SECRET in await stored_everywhere(store, database_url)  # the member's decision
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        counted = await tx.repo(GUARD).overrides_since(space.id, START - timedelta(days=1))
    assert counted == {"qa.ask": 1}


async def test_edit_opens_the_text_to_fix_and_it_is_checked_again(
    community: Community, store: SqlStore, database_url: str
) -> None:
    await community.run(SETUP + FLAGGED_ASK)
    out = await community.run('cara: click "Edit"')
    assert "[form] Edit your question\n  fields: title, body, tags" in out
    form = community.console.state.forms["cara"]
    assert dict((f.name, f.initial) for f in form.fields)["body"].endswith(f"{SECRET} today.")
    out = await community.run('cara: submit body="The daughter wants a callback on 415 555 2671."')
    assert "⚠️ Before this is posted" in out  # still a phone number: held again
    out = await community.run(
        'cara: click "Edit"\ncara: submit body="The daughter wants a callback today."'
    )
    assert "✓ Your question Q1 is up in #questions." in out
    assert "415" not in await stored_everywhere(store, database_url)


async def test_cancel_keeps_nothing(
    community: Community, store: SqlStore, database_url: str
) -> None:
    await community.run(SETUP + FLAGGED_ASK)
    out = await community.run('cara: click "Cancel"')
    assert "Cancelled. Nothing was posted or kept." in out
    assert len(community.core.router.actions) and SECRET not in await stored_everywhere(
        store, database_url
    )
    out = await community.run('cara: click "Post anyway"')  # the old warning's button
    assert "That text is no longer held." in out


async def test_after_a_restart_the_buttons_ask_to_type_it_again(
    community: Community, store: SqlStore, database_url: str
) -> None:
    await community.run(SETUP + FLAGGED_ASK)
    post = community.button("Post anyway")
    restarted = community.restart()
    outcome = await restarted.core.rounds.action(Actor(CONSOLE, "cara"), post.action_id, post.value)
    said = outcome.replies[0].message.text
    assert said.startswith("That text is no longer held.")
    assert "Please type it again: `/rounds ask title=" in said
    assert SECRET not in await stored_everywhere(store, database_url)


async def test_a_held_text_is_forgotten_after_half_an_hour(community: Community) -> None:
    await community.run(SETUP + FLAGGED_ASK)
    out = await community.run('advance 31m\ncara: click "Post anyway"')
    assert "That text is no longer held." in out


async def test_someone_else_cannot_post_a_held_text(community: Community) -> None:
    await community.run(SETUP + FLAGGED_ASK)
    post = community.button("Post anyway")
    outcome = await community.core.rounds.action(Actor(CONSOLE, "ben"), post.action_id, post.value)
    assert outcome.replies[0].message.text.startswith("That text is no longer held.")


async def test_block_mode_offers_edit_and_cancel_only_and_refuses_posting_anyway(
    community: Community, store: SqlStore, database_url: str
) -> None:
    out = await community.run(SETUP + "amara: /rounds config set guard.mode=block\n" + FLAGGED_ASK)
    assert "This community doesn't allow that here, so it wasn't posted." in out
    edit = community.button("Edit")
    assert [b.label for b in community.console.state.outputs[-1].message.buttons] == [
        "Edit",
        "Cancel",
    ]
    forged = await community.core.rounds.action(
        Actor(CONSOLE, "cara"), "guard.post", edit.value
    )  # a "Post anyway" press made up from the Edit button's value
    assert "Posting anyway is turned off in this community." in forged.replies[0].message.text
    assert SECRET not in await stored_everywhere(store, database_url)


async def test_off_mode_posts_without_checking(community: Community) -> None:
    out = await community.run(SETUP + "amara: /rounds config set guard.mode=off\n" + FLAGGED_ASK)
    assert "✓ Your question Q1 is up in #questions." in out


async def test_an_answer_is_checked_too(
    community: Community, store: SqlStore, database_url: str
) -> None:
    out = await community.run(
        SETUP
        + 'cara: /rounds ask title="Handling complaints well"\n'
        + 'ben: /rounds answer 1 "I had one last week: Mrs. Alvarez in bed 7, readmitted with CHF."'
    )
    assert "(a patient's name)" in out
    assert "Alvarez" not in await stored_everywhere(store, database_url)
    out = await community.run('ben: click "Post anyway"')
    assert "✓ Your answer A1 is in the thread of Q1." in out


async def test_profile_fields_are_checked_before_they_are_saved(
    community: Community, store: SqlStore
) -> None:
    out = await community.run(
        SETUP + 'ben: /rounds profile set specialty=cardiology goals="follow up MRN 00482913"'
    )
    assert "(a record, account or insurance number)" in out
    ben = await stored_member(store, "ben")
    assert ben is not None and ben.profile.specialty is None  # nothing half-saved
    out = await community.run('ben: click "Edit"')
    assert "[form] Edit your profile\n  fields: specialty, goals" in out
    out = await community.run('ben: submit goals="run a QI project"')
    assert "✓ Saved your profile: specialty = cardiology, goals = run a QI project." in out


async def test_a_members_own_name_next_to_their_specialty_is_not_flagged(
    community: Community,
) -> None:
    out = await community.run(
        SETUP + 'ben: /rounds profile set name="Ben Osei" specialty="stroke medicine" '
        'interests="sepsis, falls prevention"'
    )
    assert "✓ Saved your profile" in out


async def test_managers_see_the_mode_and_how_often_members_posted_anyway(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP + FLAGGED_ASK + '\ncara: click "Post anyway"')
    home = await community.core.rounds.home(Actor(CONSOLE, "amara"))
    [guard] = [m for m in home if m.text.startswith("**Patient-information guard**")]
    assert (
        "Mode: warn" in guard.text
        and "Posted anyway in the last 4 weeks: 1 (question ×1)." in guard.text
    )
    member_home = await community.core.rounds.home(Actor(CONSOLE, "cara"))
    assert not any(m.text.startswith("**Patient-information guard**") for m in member_home)
