"""Mentorship text through the patient-information guard: goals (shown to mentors and
managers), check-in notes, feedback and offered areas are held, never stored, until the member
edits them, posts anyway or cancels."""

from __future__ import annotations

from bot.features.mentorship.model import MENTORSHIP, PairStatus
from storage.store import SqlStore
from tests.conftest import Transcript
from tests.helpers import stored_member
from tests.mentoring import COMMUNITY, PAIRED, blocks, checkins, pairs, waiting_request

PHONE = "call 415-555-2671"
WARNING = "⚠️ Before this is posted: it looks like it may identify a patient"


async def test_goals_that_may_identify_a_patient_are_held_until_edited(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        COMMUNITY + f'carol: /rounds mentor request goals="operations, Mr Jones {PHONE}"'
    )
    assert blocks(out, "[private @carol]")[-1].startswith(WARNING)
    assert "415-555" not in out.split(WARNING)[1]  # the warning never repeats the text
    assert await waiting_request(store) is None
    assert "Mentorship request" not in out
    out = await transcript('as carol\nclick "Edit"\nsubmit goals="operations, rotas"')
    assert blocks(out, "[private @carol]")[-1].startswith(
        "**Mentors for you** (goals: operations, rotas)"
    )
    request = await waiting_request(store)
    assert request is not None and request.goals == "operations, rotas"


async def test_a_check_in_note_is_stored_only_when_the_member_posts_it_anyway(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + f"carol: /rounds checkin @okafor DOB 01/02/1950 {PHONE}")
    assert blocks(out, "[private @carol]")[-1].startswith(WARNING)
    assert await checkins(store, "carol") == []
    assert (await pairs(store, "carol", PairStatus.ACTIVE))[0].due_at is not None
    await transcript('as carol\nclick "Cancel"')
    assert await checkins(store, "carol") == []
    out = await transcript(
        f'carol: /rounds checkin @okafor DOB 01/02/1950 {PHONE}\nas carol\nclick "Post anyway"'
    )
    assert "✓ Logged your check-in with @okafor (with your note)." in out
    [logged] = await checkins(store, "carol")
    assert logged.note == f"DOB 01/02/1950 {PHONE}"


async def test_feedback_and_offered_areas_are_checked_too(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        PAIRED
        + "carol: /rounds mentor end @okafor\n"
        + f"okafor: /rounds mentor feedback @carol her patient {PHONE}\n"
        + f'lee: /rounds mentor offer areas="research, {PHONE}"'
    )
    assert blocks(out, "[private @okafor]")[-1].startswith(WARNING)
    assert blocks(out, "[private @lee]")[-1].startswith(WARNING)
    [ended] = await pairs(store, "carol", PairStatus.ENDED)
    assert ended.mentor_feedback is None
    lee = await stored_member(store, "lee")
    assert lee is not None
    async with store.transaction() as tx:
        assert await tx.repo(MENTORSHIP).mentor(lee.space_id, lee.id) is None
    out = await transcript('as okafor\nclick "Share feedback"\nsubmit feedback="Carol did well"')
    assert "✓ Thank you! Only the community managers see it." in out
    [ended] = await pairs(store, "carol", PairStatus.ENDED)
    assert ended.mentor_feedback == "Carol did well"


async def test_with_the_guard_off_text_is_taken_as_typed(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(
        PAIRED
        + "amara: /rounds config set guard.mode=off\n"
        + f"carol: /rounds checkin @okafor {PHONE}"
    )
    [logged] = await checkins(store, "carol")
    assert logged.note == PHONE
