"""From request to pair in the console: the mentee's pick, the mentor's Accept / Decline, the
three-day window and the next choice, the managers' card when nothing fits, and Match by hand."""

from __future__ import annotations

import io

from bot.bootstrap import build_console
from bot.clock import ManualClock
from bot.context import Actor
from bot.features.mentorship.model import PairStatus, RequestStatus
from storage.store import SqlStore
from tests.conftest import START, Transcript
from tests.helpers import CONSOLE
from tests.mentoring import ASK, COMMUNITY, PAIRED, blocks, pairs, the_pair, waiting_request

PICKED = COMMUNITY + ASK + 'as carol\nclick "Ask Dr Okafor"\n'


async def test_picking_a_mentor_asks_them_with_accept_and_decline(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PICKED)
    assert (
        "✓ I've asked @okafor. They have until Thu 05 Mar 2026, 10:00 WAT to answer; "
        "I'll let you know either way." in out
    )
    assert (
        "[private @carol] (updated)\n  **Mentors for you** (goals: operations, running a service)\n"
        "  ✓ You asked @okafor: they have until Thu 05 Mar 2026, 10:00 WAT to answer." in out
    )
    [ask] = blocks(out, "[dm @okafor]")[-1:]
    assert ask == (
        "🌱 **Mentorship request:** @carol would like you as their mentor.\n"
        "trainee · emergency medicine · LUTH\n"
        "Goals: operations, running a service\n"
        "Why you: specialty match: emergency medicine; 3 career stages ahead; "
        "shares 'operations'; 1 h time difference\n"
        "Please answer by Thu 05 Mar 2026, 09:00 GMT. If you can't take them on, decline "
        "and I'll ask their next choice; no explanation needed.\n"
        "[button] Accept\n[button] Decline"
    )
    [proposal] = await pairs(store, "carol", PairStatus.PROPOSED)
    request = await waiting_request(store)
    assert request is not None and request.status is RequestStatus.ASKING
    assert proposal.respond_by is not None and proposal.request_id == request.id


async def test_accepting_makes_a_pair_and_tells_the_mentee(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED)
    assert "[dm @okafor] (updated)\n  🌱 Mentorship request from @carol: ✓ Accepted" in out
    assert "[private @okafor]\n  ✓ You're now mentoring @carol." in out
    assert blocks(out, "[dm @carol]")[-1].startswith(
        "🎉 @okafor accepted: they're your mentor now!"
    )
    assert "You'll check in every 2 weeks" in out
    pair = await the_pair(store)
    assert pair.status is PairStatus.ACTIVE and pair.every is None  # the community's cadence
    assert pair.due_at is not None and pair.due_at.isoformat() == "2026-03-16T09:00:00+00:00"
    assert await waiting_request(store) is None  # matched


async def test_the_community_cadence_is_a_setting(transcript: Transcript, store: SqlStore) -> None:
    out = await transcript(
        "amara: /rounds config set mentorship.every=3w\n".join(
            [COMMUNITY, ASK + 'as carol\nclick "Ask Dr Okafor"\nas okafor\nclick "Accept"\n']
        )
    )
    assert "You'll check in every 3 weeks" in out
    pair = await the_pair(store)
    assert pair.due_at is not None and pair.due_at.day == 23


async def test_the_setting_takes_whole_days_from_one_to_twelve_weeks(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + "amara: /rounds config set mentorship.every=3d\n"
        + "amara: /rounds config set mentorship.every=13w\n"
        + "amara: /rounds config set mentorship.every=36h\n"
        + "amara: /rounds config set mentorship.every=10d"
    )
    for typed in ("3d", "13w", "36h"):
        assert (
            f"`mentorship.every` takes whole days or weeks from 1w to 12w, like `2w` (not `{typed}`)"
            in out
        )
    assert "✓ Saved: `mentorship.every` = 10d." in out


async def test_declining_asks_the_mentees_next_choice_and_tells_them(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PICKED + 'as okafor\nclick "Decline"')
    assert "[dm @okafor] (updated)\n  🌱 Mentorship request from @carol: Declined" in out
    assert "Thanks for letting us know. I'll ask their next choice" in out
    assert blocks(out, "[dm @carol]")[-1] == (
        "@okafor can't take on a mentee right now, so I've asked @lee, your next choice. "
        "They have until Thu 05 Mar 2026, 10:00 WAT to answer."
    )
    assert blocks(out, "[dm @lee]")[-1].startswith(
        "🌱 **Mentorship request:** @carol would like you as their mentor."
    )
    statuses = {p.mentor_id: p.status for p in await pairs(store, "carol")}
    assert sorted(statuses.values()) == [PairStatus.DECLINED, PairStatus.PROPOSED]


async def test_three_days_without_an_answer_moves_to_the_next_choice(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PICKED + "advance 2d")
    assert "couldn't answer in time" not in out
    out = await transcript("advance 1d")
    assert blocks(out, "[dm @carol]") == [
        "@okafor couldn't answer in time, so I've asked @lee, your next choice. "
        "They have until Sun 08 Mar 2026, 10:00 WAT to answer."
    ]
    assert blocks(out, "[dm @okafor]") == [
        "The mentorship request from @carol has passed to their next choice, as there was no "
        "answer in 3 days. No action needed."
    ]
    assert len(blocks(out, "[dm @lee]")) == 1
    out = await transcript('as okafor\nclick "Accept"')
    assert "That request has moved on, so there's nothing to answer." in out
    statuses = sorted(p.status for p in await pairs(store, "carol"))
    assert statuses == [PairStatus.LAPSED, PairStatus.PROPOSED]


async def test_a_next_choice_who_is_no_longer_free_is_skipped(transcript: Transcript) -> None:
    out = await transcript(PICKED + 'lee: /rounds mentor pause\nokafor: click "Decline"')
    assert blocks(out, "[dm @carol]")[-1].startswith(
        "@okafor can't take on a mentee right now, so I've asked @singh, your next choice."
    )


async def test_when_every_choice_declines_the_managers_get_a_card(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        PICKED + 'okafor: click "Decline"\nlee: click "Decline"\nsingh: click "Decline"'
    )
    assert blocks(out, "[dm @carol]")[-1] == (
        "@singh can't take on a mentee right now, and your other choices couldn't either. "
        "I've asked the community managers to find a mentor with you: I'll message you."
    )
    assert blocks(out, "[#organisers]") == [
        "🔎 **Carol Diaz** (@carol) is looking for a mentor in operations, running a service; "
        "no match (every choice declined or let the window pass).\n[button] Match by hand"
    ]
    request = await waiting_request(store)
    assert request is not None and request.status is RequestStatus.UNMATCHED


async def test_when_no_mentor_fits_the_request_goes_straight_to_the_managers(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + "okafor: /rounds mentor capacity 0\nsingh: /rounds mentor pause\n"
        + "lee: /rounds profile set mentor=no\n"
        + ASK
    )
    assert blocks(out, "[private @carol]")[-1] == (
        "No mentor with room fits yet, so I've asked the community managers to find one with "
        "you. Nothing to do meanwhile: I'll message you."
    )
    assert "no match (no mentor with room fits)" in blocks(out, "[#organisers]")[0]
    again = await transcript(ASK)  # asking again doesn't post a second card
    assert blocks(again, "[#organisers]") == []


async def test_without_a_managers_channel_each_manager_gets_the_card_by_dm(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY.replace("amara: /rounds config channel managers #organisers\n", "")
        + "okafor: /rounds mentor capacity 0\nsingh: /rounds mentor capacity 0\n"
        + "lee: /rounds mentor capacity 0\n"
        + ASK
    )
    assert "is looking for a mentor in operations" in blocks(out, "[dm @amara]")[-1]


async def test_a_managers_card_by_dm_waits_out_their_quiet_hours(
    transcript: Transcript,
) -> None:
    no_channel = COMMUNITY.replace("amara: /rounds config channel managers #organisers\n", "")
    out = await transcript(
        no_channel.replace("clock 2026-03-02 09:00 UTC", "clock 2026-03-02 23:00 UTC")
        + "amara: /rounds profile set timezone=UTC\n"
        + "okafor: /rounds mentor capacity 0\nsingh: /rounds mentor capacity 0\n"
        + "lee: /rounds mentor capacity 0\n"
        + ASK
    )
    assert not any("looking for a mentor" in b for b in blocks(out, "[dm @amara]"))
    out = await transcript("advance 9h")  # 08:00 in Amara's zone: her quiet hours are over
    assert "is looking for a mentor in operations" in blocks(out, "[dm @amara]")[-1]


async def test_match_by_hand_shows_a_manager_how_and_who_has_room(transcript: Transcript) -> None:
    out = await transcript(
        PICKED
        + 'okafor: click "Decline"\nlee: click "Decline"\nsingh: click "Decline"\n'
        + "join tunde\n"
        + 'tunde: /rounds profile set name="Dr Tunde" mentor=yes\n'
        + 'carol: click "Match by hand"\n'  # not a manager
        + 'amara: click "Match by hand"'
    )
    assert "Only community managers can do that" in blocks(out, "[private @carol]")[-1]
    assert blocks(out, "[private @amara]")[-1] == (
        "To match @carol by hand, type `/rounds mentor match @mentee @mentor` with them as the "
        "mentee. Mentors with room: @tunde. They still accept or decline."
    )
    assert blocks(out, "[#organisers] (updated)")[-1] == (
        "🔎 **Carol Diaz** (@carol) is looking for a mentor in operations, running a service.\n"
        "✓ @amara is matching by hand."
    )


async def test_a_match_by_hand_is_a_proposal_the_mentor_still_answers(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        COMMUNITY
        + "amara: /rounds mentor match @carol @lee\n"
        + "carol: /rounds mentor match @carol @singh"
    )
    assert blocks(out, "[private @amara]")[-1].startswith(
        "✓ I've asked @lee to mentor @carol; they have until Thu 05 Mar 2026, 09:00 UTC to answer."
    )
    assert blocks(out, "[dm @lee]")[-1].startswith(
        "🌱 **Mentorship request:** A community manager suggested you as a mentor for @carol."
    )
    assert blocks(out, "[dm @carol]")[-1].startswith(
        "A community manager has asked @lee to be your mentor."
    )
    assert blocks(out, "[private @carol]")[-1].startswith("Only community managers can do that.")
    out = await transcript('lee: click "Decline"')
    card = blocks(out, "[#organisers]")[-1]
    assert "no match (@lee declined the match by hand)" in card
    assert "is looking for a mentor (no goals given yet); no match" in card  # goals: none given
    assert blocks(out, "[private @lee]")[-1] == (
        "Thanks for letting us know. I'll tell the managers who proposed it, kindly."
    )
    assert blocks(out, "[dm @carol]")[-1].startswith(  # she had no other choices to try
        "@lee can't take on a mentee right now. I've asked the community managers"
    )
    assert [p.status for p in await pairs(store, "carol")] == [PairStatus.DECLINED]


async def test_matching_by_hand_refuses_what_cannot_work(transcript: Transcript) -> None:
    out = await transcript(
        PAIRED
        + "amara: /rounds mentor match @carol @okafor\n"
        + "amara: /rounds mentor match @carol @carol\n"
        + "amara: /rounds mentor match @carol @nobody\n"
        + "singh: /rounds mentor pause until=2026-04-01\n"
        + "amara: /rounds mentor match @carol @singh\n"
        + "amara: /rounds mentor match @carol"
    )
    answers = blocks(out, "[private @amara]")[-5:]
    assert answers[0].startswith("@okafor already mentors @carol.")
    assert answers[1].startswith("A mentee and their mentor are two different people.")
    assert answers[2].startswith("I can't find `@nobody` in this community.")
    assert answers[3].startswith("@singh is on a break until Tue 31 Mar 2026.")  # Kolkata's 1st
    assert answers[4].startswith("`/rounds mentor match` needs `mentor`")


async def test_a_mentee_cannot_ask_again_while_a_mentor_decides(transcript: Transcript) -> None:
    out = await transcript(PICKED + ASK)
    assert blocks(out, "[private @carol]")[-1].startswith(
        "You've asked @okafor; they have until Thu 05 Mar 2026, 10:00 WAT to answer."
    )


async def test_asking_again_before_picking_refreshes_the_suggestions(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY + ASK + 'carol: /rounds mentor request goals="policy"\nas carol\n'
        'click "Ask Dr Okafor"'
    )
    # the newest suggestions lead with Dr Singh, who offered policy
    [newest] = [b for b in blocks(out, "[private @carol]") if "(goals: policy)" in b]
    assert "1. **Dr Singh** (@singh)" in newest
    assert "✓ I've asked @okafor" in out  # the button on the newest list still works


async def test_a_button_from_older_suggestions_does_nothing(store: SqlStore) -> None:
    core, console = build_console(store, ManualClock(START), io.StringIO())
    await console.run_lines((COMMUNITY + ASK + ASK).strip().splitlines())
    request = await waiting_request(store)
    assert request is not None and request.version == 2
    carol = Actor(CONSOLE, "carol")
    stale = await core.rounds.action(carol, "mentorship.pick", f"{request.id}:1:1")
    assert stale.replies[0].message.text.startswith("You've already picked from those.")
    forged = await core.rounds.action(Actor(CONSOLE, "lee"), "mentorship.pick", f"{request.id}:2:1")
    assert forged.replies[0].message.text.startswith("That button no longer works.")
    assert await pairs(store, "carol") == []


async def test_a_thin_profile_gets_one_tip_for_closer_matches(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY + "join dami\n" + 'dami: /rounds mentor request goals="operations" outside=yes'
    )
    assert blocks(out, "[private @dami]")[-1] == (
        "Tip: add your specialty, stage, timezone and institution for closer matches: "
        "`/rounds profile set specialty=…`."
    )
