"""Mentorship and community events in the managers' insight and in members' data rights, in
the console: their digest sections and chart series, their part of `/rounds my-data`, what
`/rounds forget-me` does to pairs, seats and hosted events, and the manager actions
`/rounds audit` lists."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.features.mentorship.model import PairStatus
from storage.store import SqlStore
from tests.helpers import Community
from tests.mentoring import COMMUNITY, PAIRED, blocks, member_id, pairs
from tests.test_data_rights import rows_naming

FORGET = 'click "Erase everything"'
# Monday 2 March 2026, 09:00 UTC; the managers channel is #organisers, so the first digest
# (Monday 08:00 UTC, the community's default zone) goes there on 9 March.
EVENTS = """
amara: /rounds config channel events #events
amara: /rounds config set events.creators=members
amara: /rounds event create title="Negotiating for your team" when="2026-03-12 18:00" tz=UTC capacity=2
lee: /rounds event create title="Journal club" when="2026-03-13 12:00" tz=UTC
"""


@pytest.fixture
def community(store: SqlStore) -> Community:
    return Community(store)


def digests(out: str) -> list[str]:
    """The weekly digests in the managers channel (`blocks` leaves them out)."""
    found = []
    for block in ("\n" + out).split("\n[")[1:]:
        head, _, body = ("[" + block).partition("\n")
        if head == "[#organisers]" and body.startswith("  📊 **Weekly digest**"):
            found.append("\n".join(line[2:] for line in body.rstrip("\n").split("\n")))
    return found


async def exported(community: Community, user: str) -> dict[str, Any]:
    await community.run(f"{user}: /rounds my-data")
    for shown in reversed(community.console.state.outputs):
        found = shown.message.attachment
        if found is not None and found.name == "rounds-my-data.json":
            data: dict[str, Any] = json.loads(found.data)
            return data
    raise AssertionError("no export shown")


# -- mentorship ---------------------------------------------------------------------------------
async def test_the_digest_has_mentorship_pairs_requests_and_mentors_at_capacity(
    community: Community,
) -> None:
    out = await community.run(
        PAIRED
        + "okafor: /rounds checkin @carol talked through the rota project\n"
        + 'join dan\ndan: /rounds profile set name="Dan Mensah" specialty=surgery\n'
        + 'dan: /rounds mentor request goals="policy"\n'
        + "singh: /rounds mentor capacity 0\n"
        + "advance 7d"
    )
    [digest] = digests(out)
    assert (
        "**Mentorship**\n- 1 active pair: 1 on track, 0 overdue, 0 silent (0 paused); "
        "1 check-in logged this week. Details: `/rounds mentor report`.\n"
        "- 1 request waiting for a mentor: see `/rounds mentor report`.\n"
        "- 1 of 3 mentors at capacity; members offer to mentor with `/rounds mentor offer`."
    ) in digest


async def test_a_silent_pair_shows_in_a_later_digest(community: Community) -> None:
    out = await community.run(PAIRED + "advance 28d")
    assert "1 active pair: 0 on track, 0 overdue, 1 silent" in digests(out)[-1]


async def test_stats_count_check_ins_per_week(community: Community) -> None:
    await community.run(PAIRED + "okafor: /rounds checkin @carol first call\nadvance 8d")
    out = await community.run("carol: /rounds checkin @okafor second call\namara: /rounds stats")
    assert "- Check-ins: 2 (this week 1)" in out


async def test_my_data_has_requests_pairs_and_check_ins_with_only_their_own_notes(
    community: Community,
) -> None:
    await community.run(
        PAIRED
        + "okafor: /rounds checkin @carol talked through the rota project\n"
        + "carol: /rounds checkin @okafor shadowed a rota meeting"
    )
    mine = (await exported(community, "carol"))["mentorship"]
    assert mine["offer_to_mentor"] is None
    [request] = mine["requests"]
    assert request["goals"] == "operations, running a service"
    assert request["mentors_suggested"][0]["mentor"] == "Dr Okafor (okafor)"
    [pair] = mine["mentorships"]
    assert (pair["you_are"], pair["with"], pair["status"]) == (
        "mentee",
        "Dr Okafor (okafor)",
        "active",
    )
    assert [(c["logged_by"], c["your_note"]) for c in mine["check_ins"]] == [
        ("them", None),
        ("you", "shadowed a rota meeting"),
    ]
    theirs = (await exported(community, "okafor"))["mentorship"]
    assert theirs["offer_to_mentor"]["areas"] == ["operations", "quality improvement"]
    assert theirs["times_suggested_as_a_mentor"] == 1
    assert theirs["mentorships"][0]["you_are"] == "mentor"


async def test_an_erased_mentor_s_mentee_gets_a_neutral_note_and_new_suggestions(
    community: Community, store: SqlStore
) -> None:
    await community.run(PAIRED + "okafor: /rounds checkin @carol a first call")
    old_id = await member_id(store, "okafor")
    out = await community.run(f"okafor: /rounds forget-me\nokafor: {FORGET}\nadvance 1h")
    [note, suggestions] = blocks(out, "[dm @carol]")
    assert note.startswith("Your mentor is no longer taking part in mentorship, so your ")
    assert suggestions.startswith("Let's find you a new mentor.")
    assert "okafor" not in note + suggestions.lower()
    assert await pairs(store, "carol") == []
    assert await rows_naming(store, ("okafor", "Dr Okafor", "Korle Bu"), old_id) == []


async def test_an_erased_mentee_frees_the_mentor_s_place_with_a_neutral_note(
    community: Community, store: SqlStore
) -> None:
    await community.run(PAIRED)
    old_id = await member_id(store, "carol")
    out = await community.run(f"carol: /rounds forget-me\ncarol: {FORGET}\nadvance 1h")
    [note] = blocks(out, "[dm @okafor]")
    assert note.startswith("One of your mentees is no longer taking part in mentorship")
    assert "carol" not in note.lower()
    out = await community.run("amara: /rounds mentor report")
    assert "- Active pairs: 0" in out and "- Mentors: 3, at capacity 0" in out
    assert await rows_naming(store, ("carol", "Carol Diaz"), old_id) == []


async def test_an_erased_mentor_asked_but_not_yet_answering_passes_to_the_next_choice(
    community: Community, store: SqlStore
) -> None:
    await community.run(COMMUNITY + 'carol: /rounds mentor request goals="operations"\n')
    await community.run('as carol\nclick "Ask Dr Okafor"')
    out = await community.run(f"okafor: /rounds forget-me\nokafor: {FORGET}\nadvance 1h")
    [moved] = blocks(out, "[dm @carol]")
    assert moved.startswith("The mentor you chose is no longer taking part in mentorship, so ")
    [asked] = await pairs(store, "carol", PairStatus.PROPOSED)
    assert asked.mentor_id != await member_id(store, "amara")


async def test_audit_lists_a_paused_pair(community: Community) -> None:
    await community.run(PAIRED + 'advance 24d\namara: click "Pause pair"')
    out = await community.run("amara: /rounds audit")
    assert "@amara: paused @carol's mentorship with their mentor (pair 1)" in out


async def test_audit_lists_a_re_match_and_reaching_out(community: Community) -> None:
    await community.run(PAIRED + 'advance 14d\nokafor: click "Need help"\namara: click "Reach out"')
    await community.run('advance 24d\namara: click "Re-match"')
    out = await community.run("amara: /rounds audit")
    assert "@amara: is reaching out to @carol and their mentor (pair 1)" in out
    assert "@amara: ended @carol's mentorship for a re-match (pair 1)" in out


async def test_audit_lists_a_match_by_hand(community: Community) -> None:
    out = await community.run(
        COMMUNITY + "amara: /rounds mentor match @carol @singh\namara: /rounds audit"
    )
    assert "@amara: proposed a mentor by hand for @carol (pair 1)" in out


# -- events -------------------------------------------------------------------------------------
async def test_the_digest_lists_the_next_two_weeks_events_with_answers_and_waitlists(
    community: Community,
) -> None:
    await community.run(COMMUNITY + EVENTS)
    for user in ("carol", "lee", "singh"):
        await community.run(f'as {user}\n/rounds event 1\nclick "Going"')
    out = await community.run("advance 7d")
    [digest] = digests(out)
    assert "**Events in the next two weeks**\n" in digest
    assert (
        "**Negotiating for your team**: 2 of 2 going, 0 maybe, 1 on the waitlist (more seats: "
        "`/rounds event edit 1 capacity=3`)." in digest
    )
    assert "**Journal club**: 0 going, 0 maybe. `/rounds event 2`" in digest


async def test_stats_count_rsvps_per_week(community: Community) -> None:
    await community.run(COMMUNITY + EVENTS + 'as carol\nclick "Going"\nas lee\nclick "Maybe"')
    out = await community.run("amara: /rounds stats")
    assert "- RSVPs: 2 (this week 2)" in out


async def test_my_data_has_their_answers_and_the_events_they_created(
    community: Community,
) -> None:
    await community.run(COMMUNITY + EVENTS + 'as lee\nclick "Going"')
    events = (await exported(community, "lee"))["events"]
    assert [(a["event"], a["answer"]) for a in events["answers"]] == [(2, "going")]
    assert [e["title"] for e in events["events_you_created"]] == ["Journal club"]
    assert [e["event"] for e in events["events_you_host"]] == [2]  # a creator hosts


async def test_an_erased_member_s_seat_goes_to_the_first_on_the_waitlist(
    community: Community, store: SqlStore
) -> None:
    await community.run(COMMUNITY + EVENTS)
    for user in ("carol", "okafor", "singh"):
        await community.run(f'as {user}\n/rounds event 1\nclick "Going"')
    old_id = await member_id(store, "carol")
    out = await community.run(f"carol: /rounds forget-me\ncarol: {FORGET}\nadvance 1m")
    [promoted] = blocks(out, "[dm @singh]")
    assert "a seat" in promoted.lower()
    out = await community.run("amara: /rounds event 1")
    assert "Seats: 0 of 2 left · 2 going" in out and "@singh" in out
    assert await rows_naming(store, ("carol", "Carol Diaz"), old_id) == []


async def test_an_erased_host_s_event_stays_and_the_managers_are_told(
    community: Community, store: SqlStore
) -> None:
    await community.run(COMMUNITY + EVENTS + 'as carol\nclick "Going"')
    old_id = await member_id(store, "lee")
    out = await community.run(f"lee: /rounds forget-me\nlee: {FORGET}\nadvance 1m")
    [alert] = [b for b in blocks(out, "[#organisers]") if b.startswith("🗓")]
    assert alert.startswith("🗓 **Journal club** has no host or organiser now")
    assert "Upcoming: event 2 (" in alert
    assert "`/rounds event edit 2 host=@member`" in alert  # one event: no `series=yes`
    assert "lee" not in alert.lower()
    out = await community.run("carol: /rounds event 2")
    assert "Journal club" in out and "going ✓" in out.lower()
    assert await rows_naming(store, ("lee", "Dr Lee"), old_id) == []


async def test_an_erased_host_s_series_names_its_sessions_and_the_series_edit(
    community: Community,
) -> None:
    await community.run(
        COMMUNITY
        + EVENTS
        + 'lee: /rounds event create title="Ward round" when="2026-03-16 12:00" tz=UTC '
        + "repeat=weekly until=2026-03-31"
    )
    out = await community.run(f"lee: /rounds forget-me\nlee: {FORGET}\nadvance 1m")
    [alert] = [b for b in blocks(out, "[#organisers]") if "Ward round" in b]
    assert "Upcoming: events 3 (" in alert and ", 4 (" in alert
    assert "`/rounds event edit 3 host=@member series=yes`" in alert


async def test_audit_lists_cancelled_events_and_a_manager_s_edit_of_another_s_event(
    community: Community,
) -> None:
    await community.run(COMMUNITY + EVENTS)
    await community.run(
        "amara: /rounds event edit 2 capacity=30\n"
        "amara: /rounds event cancel 1 The speaker is unwell\n"
        "lee: /rounds event edit 2 capacity=20"
    )
    out = await community.run("amara: /rounds audit")
    assert "@amara: cancelled event 1, **Negotiating for your team**" in out
    assert "@amara: changed capacity of event 2, **Journal club**" in out
    assert out.count("changed capacity") == 1  # the host's own change is no moderation


async def test_an_erased_mentee_s_request_is_withdrawn_from_the_mentor_without_a_name(
    community: Community, store: SqlStore
) -> None:
    await community.run(COMMUNITY + 'carol: /rounds mentor request goals="operations"\n')
    await community.run('as carol\nclick "Ask Dr Okafor"\nadvance 1h')  # the mentor has it
    old_id = await member_id(store, "carol")
    out = await community.run(f"carol: /rounds forget-me\ncarol: {FORGET}\nadvance 1h")
    assert blocks(out, "[dm @okafor]") == [
        "A member is no longer taking part, so their request for you to mentor them is "
        "withdrawn. Nothing for you to do."
    ]
    assert await pairs(store, "okafor") == []
    assert await rows_naming(store, ("carol", "Carol Diaz"), old_id) == []
