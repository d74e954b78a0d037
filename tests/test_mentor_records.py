"""For the record and for mentors' time: the log and its CSV, the managers' report, list, ending
kindly with feedback, pauses, capacity, and a member leaving the community."""

from __future__ import annotations

import csv
import io

from bot.bootstrap import build_console
from bot.clock import ManualClock
from bot.context import Actor
from bot.features.mentorship.model import MENTORSHIP, PairStatus, RequestStatus
from storage.store import SqlStore
from tests.conftest import START, Transcript
from tests.helpers import CONSOLE, stored_member
from tests.mentoring import (
    ASK,
    COMMUNITY,
    PAIRED,
    blocks,
    pairs,
    waiting_request,
)

LOGGED = PAIRED + (
    'advance 5d\ncarol: /rounds checkin @okafor =HYPERLINK("x") rota, ideas\n'
    "advance 10d\nokafor: /rounds checkin @carol shared my QI slides\n"
)


async def test_the_log_shows_dates_partners_and_only_the_members_own_notes(
    transcript: Transcript,
) -> None:
    out = await transcript(LOGGED + "carol: /rounds mentor log\nokafor: /rounds mentor log")
    assert blocks(out, "[private @carol]")[-1] == (
        "**Your check-ins** (newest first)\n"
        "- Tue 17 Mar 2026 · with @okafor (your mentor) · logged by @okafor\n"
        '- Sat 07 Mar 2026 · with @okafor (your mentor) · “=HYPERLINK("x") rota, ideas”'
    )
    assert blocks(out, "[private @okafor]")[-1] == (
        "**Your check-ins** (newest first)\n"
        "- Tue 17 Mar 2026 · with @carol (you mentor them) · “shared my QI slides”\n"
        "- Sat 07 Mar 2026 · with @carol (you mentor them) · logged by @carol"
    )


async def test_log_export_attaches_a_csv_safe_for_spreadsheets(store: SqlStore) -> None:
    core, console = build_console(store, ManualClock(START), io.StringIO())
    await console.run_lines(LOGGED.strip().splitlines())
    outcome = await core.rounds.command(Actor(CONSOLE, "carol"), "mentor log export")
    [reply] = outcome.replies
    assert reply.private
    assert reply.message.text.startswith("Your mentorship log: 2 check-ins, as a CSV file")
    attachment = reply.message.attachment
    assert attachment is not None
    assert (attachment.name, attachment.mime_type) == ("mentorship-log.csv", "text/csv")
    rows = list(csv.reader(io.StringIO(attachment.data.decode("utf-8"))))
    assert rows == [
        ["date", "time", "with", "your role", "logged by", "your note"],
        ["2026-03-07", "10:00 WAT", "Dr Okafor", "mentee", "you", '\'=HYPERLINK("x") rota, ideas'],
        ["2026-03-17", "10:00 WAT", "Dr Okafor", "mentee", "Dr Okafor", ""],
    ]


async def test_log_export_is_shown_in_the_console_as_a_file(transcript: Transcript) -> None:
    out = await transcript(
        LOGGED + "carol: /rounds mentor log export\ncarol: /rounds mentor log csv"
    )
    assert "  [file] mentorship-log.csv" in out
    assert "`export` can be one of: export (not `csv`)." in out


async def test_an_empty_log_says_how_to_start_one(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + "carol: /rounds mentor log")
    assert blocks(out, "[private @carol]")[-1] == (
        "No check-ins yet. Log one with `/rounds checkin @member [note]`."
    )


async def test_the_report_counts_pairs_check_ins_mentors_and_waiting_requests(
    transcript: Transcript,
) -> None:
    out = await transcript(
        LOGGED
        + "join dami\n"
        + 'dami: /rounds mentor request goals="policy"\n'
        + "advance 14d\n"  # Okafor and Carol's next check-in goes unanswered
        + "amara: /rounds mentor report\n"
        + "carol: /rounds mentor report"
    )
    assert blocks(out, "[private @amara]")[-1] == (
        "**Mentorship**\n"
        "- Active pairs: 1 (on track 0, overdue 1, silent 0); paused 0; ended 0\n"
        "- Average days between check-ins: 7.5\n"
        "- Mentors: 3, at capacity 0\n"
        "- Waiting requests: 1 (choosing 1, a mentor deciding 0, with managers 0)\n"
        "- Feedback received: 0"
    )
    assert blocks(out, "[private @carol]")[-1].startswith("Only community managers can do that.")


async def test_list_shows_a_members_pairs_and_requests(transcript: Transcript) -> None:
    out = await transcript(
        PAIRED
        + "carol: /rounds mentor list\n"
        + "okafor: /rounds mentor list\n"
        + "lee: /rounds mentor list\n"
        + "amara: /rounds mentor list @okafor\n"
        + "lee: /rounds mentor list @okafor"
    )
    assert blocks(out, "[private @carol]")[-1] == (
        "**Your mentorships**\n"
        "- @okafor mentors you · since Mon 02 Mar 2026 · every 2 weeks · "
        "next check-in Mon 16 Mar 2026 · last met not yet"
    )
    assert blocks(out, "[private @okafor]")[-1].startswith(
        "**Your mentorships**\n"
        "- You offer to mentor: up to 2 mentees, in operations, quality improvement\n"
        "- You mentor @carol"
    )
    assert blocks(out, "[private @lee]")[-2] == (  # mentor=yes in the profile, nobody yet
        "**Your mentorships**\n- You offer to mentor: up to 2 mentees\n"
        "- No mentees yet: members looking for a mentor may be matched with you."
    )
    assert blocks(out, "[private @amara]")[-1].startswith(
        "**Mentorships of @okafor**\n- @okafor offers to mentor: up to 2 mentees, in operations, "
        "quality improvement\n- @okafor mentors @carol · since"
    )
    assert blocks(out, "[private @lee]")[-1].startswith("You can list your own mentorships")


async def test_a_mentor_without_mentees_sees_their_offer_and_pause(
    transcript: Transcript,
) -> None:
    out = await transcript(
        "join amara\njoin ben\n"
        'ben: /rounds mentor offer capacity=3 areas="policy, quality improvement"\n'
        "ben: /rounds mentor pause until=2026-04-01\n"
        "ben: /rounds mentor list"
    )
    assert blocks(out, "[private @ben]")[-1] == (
        "**Your mentorships**\n"
        "- You offer to mentor: up to 3 mentees, in policy, quality improvement"
        " · paused until Wed 01 Apr 2026\n"
        "- No mentees yet: members looking for a mentor may be matched with you."
    )


async def test_a_check_in_past_its_day_reads_as_due_not_next(transcript: Transcript) -> None:
    out = await transcript(PAIRED + "advance 15d\ncarol: /rounds mentor list")
    assert blocks(out, "[private @carol]")[-1] == (
        "**Your mentorships**\n"
        "- @okafor mentors you · since Mon 02 Mar 2026 · every 2 weeks · "
        "check-in due since Mon 16 Mar 2026 · last met not yet"
    )


async def test_ending_tells_both_and_asks_each_for_a_line_of_feedback(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + "carol: /rounds mentor end @okafor")
    assert blocks(out, "[private @carol]")[-1] == (
        "✓ Your mentorship with @okafor has ended; they've been told. Thank you for the time "
        "you both gave it. One line of feedback helps the community (only the managers see "
        'it). Whenever you\'d like another mentor: `/rounds mentor request goals="…"`.\n'
        "[button] Share feedback"
    )
    assert blocks(out, "[dm @okafor]")[-1] == (
        "@carol has ended your mentorship. Thank you for the time you both gave it. One line "
        "of feedback helps the community (only the managers see it).\n[button] Share feedback"
    )
    out = await transcript(
        'as okafor\nclick "Share feedback"\nsubmit feedback="Carol did all the work 🙂"\n'
        "carol: /rounds mentor feedback @okafor Practical and kind\n"
        "amara: /rounds mentor report"
    )
    assert out.count("✓ Thank you! Only the community managers see it.") == 2
    assert "- Feedback received: 2" in out
    [ended] = await pairs(store, "carol", PairStatus.ENDED)
    assert (ended.mentor_feedback, ended.mentee_feedback) == (
        "Carol did all the work 🙂",
        "Practical and kind",
    )


async def test_feedback_is_only_for_a_mentorship_that_ended(transcript: Transcript) -> None:
    out = await transcript(PAIRED + "carol: /rounds mentor feedback @okafor too soon")
    assert blocks(out, "[private @carol]")[-1].startswith(
        "Feedback is for a mentorship that has ended"
    )


# -- mentors' time ----------------------------------------------------------------------------
async def test_a_pause_tells_the_mentees_kindly_and_stops_nudges_until_it_ends(
    transcript: Transcript,
) -> None:
    out = await transcript(PAIRED + "okafor: /rounds mentor pause until=2026-04-01")
    assert blocks(out, "[private @okafor]")[-1] == (
        "✓ Paused until Wed 01 Apr 2026: no new mentees and no check-in nudges; your mentee "
        "knows. Back sooner? `/rounds mentor resume`."
    )
    assert blocks(out, "[dm @carol]")[-1] == (
        "@okafor is taking a break until Wed 01 Apr 2026. Your check-in nudges pause too; "
        "nothing for you to do. You can still message them."
    )
    out = await transcript(ASK.replace("carol", "lee") + "advance 29d")
    assert "Dr Okafor" not in out and "Time to check in" not in out
    out = await transcript("advance 1d1h")  # 1 April, 10:00 in Accra: the break is over
    assert "⏰ Time to check in with @carol." in out


async def test_a_pause_passes_a_waiting_request_to_the_mentees_next_choice(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY + ASK + 'as carol\nclick "Ask Dr Okafor"\nokafor: /rounds mentor pause'
    )
    assert blocks(out, "[private @okafor]")[-1].endswith(
        "The request waiting for your answer went to that mentee's next choice."
    )
    moved = blocks(out, "[dm @carol]")[-1]
    assert moved.startswith("@okafor can't take on a mentee right now, so I've asked @")
    assert "your next choice" in moved


async def test_an_empty_log_is_not_exported(transcript: Transcript) -> None:
    out = await transcript(PAIRED + "carol: /rounds mentor log export")
    assert blocks(out, "[private @carol]")[-1] == (
        "No check-ins yet. Log one with `/rounds checkin @member [note]`."
    )
    assert "[file]" not in out.split("mentor log export")[-1]


async def test_resume_ends_a_pause_early_and_says_so(transcript: Transcript) -> None:
    out = await transcript(
        PAIRED
        + "okafor: /rounds mentor resume\n"
        + "okafor: /rounds mentor pause\n"
        + "okafor: /rounds mentor resume"
    )
    said = blocks(out, "[private @okafor]")[-3:]
    assert said[0] == "You're not on a break: new requests and check-ins are on."
    assert said[1].endswith("When you're back: `/rounds mentor resume`.")
    assert said[2] == "✓ Welcome back! New requests and check-in nudges are on again."
    assert blocks(out, "[dm @carol]")[-1] == "@okafor is back from their break: check-ins resume."


async def test_pause_and_capacity_are_for_mentors(transcript: Transcript) -> None:
    out = await transcript(
        COMMUNITY + "carol: /rounds mentor pause\ncarol: /rounds mentor capacity 2"
    )
    said = blocks(out, "[private @carol]")[-2:]
    assert all(s.startswith("You're not a mentor yet.") for s in said)


async def test_capacity_changes_how_many_mentees_a_mentor_takes(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        PAIRED + "okafor: /rounds mentor capacity 1\nokafor: /rounds mentor capacity 0\n"
        "lee: /rounds mentor capacity 3"
    )
    said = blocks(out, "[private @okafor]")[-2:]
    assert said[0] == "✓ You can take up to 1 mentee (you have 1)."
    assert said[1] == (
        "✓ You can take up to 0 mentees (you have 1). You won't get new requests; "
        "your current mentorships go on."
    )
    assert blocks(out, "[private @lee]")[-1] == "✓ You can take up to 3 mentees (you have 0)."
    lee = await stored_member(store, "lee")
    assert lee is not None
    async with store.transaction() as tx:
        found = await tx.repo(MENTORSHIP).mentor(lee.space_id, lee.id)
    assert found is not None and found.capacity == 3


async def test_offering_again_changes_areas_and_keeps_the_rest(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        COMMUNITY
        + "okafor: /rounds mentor capacity 3\n"
        + 'okafor: /rounds mentor offer areas="Policy, equity"'
    )
    assert blocks(out, "[private @okafor]")[-1].startswith(
        "✓ Thank you for mentoring! Up to 3 mentees, in: equity, Policy."
    )


async def test_offering_makes_a_member_a_mentor_with_tips_for_better_matches(
    transcript: Transcript,
) -> None:
    out = await transcript(COMMUNITY + "carol: /rounds mentor offer\ncarol: /rounds profile")
    said = blocks(out, "[private @carol]")
    assert said[-2].startswith("✓ Thank you for mentoring! Up to 2 mentees, in: any area")
    assert "Mentorship: open to mentoring" in said[-1]


# -- leaving ----------------------------------------------------------------------------------
async def test_a_mentor_who_leaves_ends_their_pairs_and_the_mentee_gets_new_suggestions(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + "leave okafor")
    ended, fresh = blocks(out, "[dm @carol]")[-2:]
    assert ended.startswith(
        "@okafor has left the community, so your mentorship has ended. Thank you for the time "
        "you both gave it."
    )
    assert fresh.startswith("Let's find you a new mentor.\n**Mentors for you**")
    assert "Dr Okafor" not in fresh
    request = await waiting_request(store)
    assert request is not None and request.status is RequestStatus.OPEN
    assert [p.status for p in await pairs(store, "carol")] == [PairStatus.ENDED]
    out = await transcript('carol: /rounds mentor request goals="operations"')
    assert "Dr Okafor" not in out


async def test_a_mentor_who_leaves_with_a_request_waiting_on_them_passes_it_on(
    transcript: Transcript,
) -> None:
    out = await transcript(COMMUNITY + ASK + 'as carol\nclick "Ask Dr Okafor"\nleave okafor')
    assert blocks(out, "[dm @carol]")[-1].startswith(
        "@okafor can't take on a mentee right now, so I've asked @lee"
    )


async def test_a_mentee_who_leaves_withdraws_the_request_a_mentor_was_asked(
    transcript: Transcript,
) -> None:
    out = await transcript(COMMUNITY + ASK + 'as carol\nclick "Ask Dr Okafor"\nleave carol')
    assert blocks(out, "[dm @okafor]")[-1] == (
        "@carol has left the community, so their request for you to mentor them is withdrawn. "
        "Nothing for you to do."
    )


async def test_a_mentee_can_withdraw_a_request_and_the_asked_mentor_is_told(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        COMMUNITY + ASK + 'as carol\nclick "Ask Dr Okafor"\ncarol: /rounds mentor withdraw'
    )
    assert blocks(out, "[private @carol]")[-1] == (
        "✓ Your mentor request is withdrawn. Ask again any time with `/rounds mentor request`."
    )
    assert blocks(out, "[dm @okafor]")[-1] == (
        "@carol withdrew their request for you to mentor them. Nothing for you to do."
    )
    assert await waiting_request(store) is None
    out = await transcript('okafor: click "Accept"\ncarol: /rounds mentor withdraw\nadvance 4d')
    assert "nothing to withdraw" in blocks(out, "[private @carol]")[-1]
    assert "[dm @carol]" not in out  # no "next choice" moves after the window
    assert not await pairs(store, "carol", PairStatus.ACTIVE)


async def test_a_mentee_who_leaves_ends_their_pairs_and_requests(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + "leave carol\nadvance 3w")
    assert blocks(out, "[dm @okafor]")[-1:] == [
        "@carol has left the community, so your mentorship has ended. Thank you for the time "
        "you both gave it. One line of feedback helps the community (only the managers see "
        "it).\n[button] Share feedback"
    ]
    assert await waiting_request(store) is None
    assert (await pairs(store, "carol"))[0].status is PairStatus.ENDED


async def test_home_shows_a_members_mentorships_or_how_to_begin(
    transcript: Transcript, store: SqlStore
) -> None:
    from bot.bootstrap import build_core

    await transcript(PAIRED)
    rounds = build_core(store, ManualClock(START)).rounds

    async def section(user: str) -> str:
        shown = await rounds.home(Actor(CONSOLE, user))
        return next(m.text for m in shown if m.text.startswith("**Mentorship**"))

    assert (await section("carol")).startswith("**Mentorship**\n- <@okafor> mentors you · since")
    assert await section("lee") == (  # mentor=yes in the profile, nobody yet
        "**Mentorship**\n- You offer to mentor: up to 2 mentees\n"
        "- No mentees yet: members looking for a mentor may be matched with you."
    )
    assert await section("amara") == (
        '**Mentorship**\nFind a mentor: `/rounds mentor request goals="…"`. Experienced? '
        "Offer to mentor: `/rounds mentor offer`."
    )
