"""Check-ins over simulated weeks: the nudges and their four buttons, `/rounds checkin`,
cadences, the escalation ladder to the managers' card and its three buttons, good local hours
across time zones, and catch-up after a restart (each nudge once)."""

from __future__ import annotations

import asyncio
import io
import re
from datetime import UTC, datetime

from sqlalchemy import select

from bot.bootstrap import build_console, build_core
from bot.clock import ManualClock
from bot.context import Actor, JobContext
from bot.features.mentorship import run_checkins
from bot.features.mentorship.model import PairStatus, Step
from storage.models import OutboxRow
from storage.store import SqlStore
from tests.conftest import START, Transcript
from tests.fakes import RecordingPlatform
from tests.helpers import CONSOLE
from tests.mentoring import PAIRED, blocks, checkins, pairs, the_pair, without_digests

NUDGE = (
    "⏰ Time to check in with @carol. A short call or a message counts.\n"
    "[button] Met this week\n[button] Reschedule\n[button] Need help\n[button] Snooze"
)
LIGHTER = (
    "Your check-in with @okafor is due. A short conversation counts; if you've already met, "
    "press the button.\n[button] Met this week"
)
SECOND = (
    "⏰ A gentle second reminder: time to check in with @carol. If this week is hard, "
    "Snooze or Reschedule."
)


def tokens(shown: str) -> str:
    """A console line as the core wrote it: mentions as tokens, buttons apart."""
    return re.sub(r"@(\w+)", r"<@\1>", shown.split("\n[button]")[0])


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def nudges_sent(store: SqlStore) -> list[tuple[str, datetime | None]]:
    """(recipient, when sent) of every check-in nudge, in order."""
    async with store.sessions() as session:
        rows = await session.execute(
            select(OutboxRow.target_id, OutboxRow.sent_at)
            .where(OutboxRow.purpose == "mentorship-nudge")
            .order_by(OutboxRow.sent_at, OutboxRow.id)
        )
        return [(target, sent) for target, sent in rows]


# -- nudges -----------------------------------------------------------------------------------
async def test_a_due_check_in_nudges_the_mentor_with_four_buttons_and_the_mentee_lightly(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + "advance 13d")
    assert "Time to check in" not in out
    out = await transcript("advance 1d")  # Monday 16 March, 09:00 UTC
    assert blocks(out, "[dm @okafor]") == [NUDGE]
    assert blocks(out, "[dm @carol]") == [LIGHTER]
    assert await nudges_sent(store) == [
        ("okafor", at("2026-03-16 09:00")),  # Accra, 09:00: daytime
        ("carol", at("2026-03-16 09:00")),  # Lagos, 10:00
    ]


async def test_met_this_week_logs_it_and_the_next_is_due_a_cadence_from_that_day(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + 'advance 15d\nas okafor\nclick "Met this week"')
    assert "[private @okafor]\n  ✓ Logged. Next check-in due Tue 31 Mar 2026." in out
    assert (
        "[dm @okafor] (updated)\n  ⏰ Check-in with @carol: ✓ Met this week (Tue 17 Mar 2026)"
        in out
    )
    pair = await the_pair(store)
    assert pair.step is Step.WAITING and pair.due_at == at("2026-03-31 09:00")
    [logged] = await checkins(store, "okafor")
    assert logged.met_at == at("2026-03-17 09:00") and logged.note is None
    out = await transcript("advance 13d")
    assert SECOND not in out and "Time to check in" not in out  # the ladder started again
    out = await transcript(
        'advance 1d\nokafor: click "Met this week"\nokafor: click "Met this week"'
    )
    assert "Already logged today. Thank you!" in out


async def test_the_mentees_met_this_week_counts_too(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(PAIRED + 'advance 14d\ncarol: click "Met this week"')
    [logged] = await checkins(store, "okafor")
    assert logged.member_id != (await the_pair(store)).mentor_id


async def test_snooze_moves_the_mentors_nudge_a_day_and_the_ladder_counts_from_it(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + 'advance 14d\nadvance 3h\nokafor: click "Snooze"')
    assert blocks(out, "[private @okafor]")[-1] == (
        "✓ Snoozed. I'll remind you again Tue 17 Mar 2026, 12:00 GMT. Rest well."
    )
    assert "[dm @okafor] (updated)\n  ⏰ Check-in with @carol: ✓ snoozed for 24 h" in out
    out = await transcript("advance 23h")
    assert "Time to check in" not in out
    out = await transcript("advance 1h")
    assert blocks(out, "[dm @okafor]") == [NUDGE]
    assert blocks(out, "[dm @carol]") == []  # the mentee was asked once for this check-in
    out = await transcript("advance 2d23h")
    assert SECOND not in out
    out = await transcript("advance 1h")  # three days after the snoozed nudge
    assert blocks(out, "[dm @okafor]")[0].startswith(SECOND)


async def test_an_out_of_date_nudge_button_says_what_is_next(transcript: Transcript) -> None:
    # the Met of the newest nudge, then Snooze on the same (now answered) reminder
    out = await transcript(
        PAIRED + 'advance 14d\nokafor: click "Met this week"\nokafor: click "Snooze"'
    )
    assert blocks(out, "[private @okafor]")[-1] == (
        "That reminder is out of date: your next check-in with @carol is due Mon 30 Mar 2026."
    )


async def test_reschedule_asks_for_a_date_and_tells_the_other(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + 'advance 14d\nokafor: click "Reschedule"')
    assert "[form] Reschedule check-in" in out
    assert "Or type `/rounds mentor reschedule @member 2026-03-20 10:00`." in out
    out = await transcript('as okafor\nsubmit when="2026-03-20 15:00"')
    assert blocks(out, "[private @okafor]")[-1] == (
        "✓ Moved your check-in with @carol to Fri 20 Mar 2026, 15:00 GMT."
    )
    assert blocks(out, "[dm @carol]")[-1] == (
        "@okafor moved your check-in to Fri 20 Mar 2026, 16:00 WAT."
    )
    assert (await the_pair(store)).due_at == at("2026-03-20 15:00")
    out = await transcript("advance 4d6h")
    assert blocks(out, "[dm @okafor]") == [NUDGE]
    assert SECOND not in out


async def test_reschedule_refuses_the_past_and_the_far_future(transcript: Transcript) -> None:
    out = await transcript(
        PAIRED
        + 'advance 14d\nokafor: click "Reschedule"\nas okafor\nsubmit when="2026-03-01 10:00"\n'
        + 'submit when="next week"\n'
        + "/rounds mentor reschedule @carol 2027-01-01 10:00\n"
        + "/rounds mentor reschedule @lee 2026-03-20 10:00"
    )
    said = blocks(out, "[private @okafor]")
    assert said[-4].startswith("Pick a date in the next twelve weeks")
    assert said[-3].startswith('The date is like "2026-03-20 10:00"')
    assert said[-2].startswith("Pick a date in the next twelve weeks")
    assert said[-1].startswith("You don't have a mentorship with @lee.")


async def test_need_help_alerts_the_managers_and_waits_a_week(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + 'advance 14d\nokafor: click "Need help"')
    assert blocks(out, "[#organisers]") == [
        "🆘 **Dr Okafor** (@okafor) asked for help with their mentorship of **Carol Diaz** "
        "(@carol).\n[button] Reach out"
    ]
    assert blocks(out, "[private @okafor]")[-1].startswith(
        "I've let the community managers know; one of them will be in touch."
    )
    assert (await the_pair(store)).due_at == at("2026-03-23 09:00")
    out = await transcript('amara: click "Reach out"')
    assert (
        "[#organisers] (updated)\n  🤝 **Dr Okafor** (@okafor) and **Carol Diaz** (@carol)\n  ✓ @amara is reaching out"
        in out
    )
    assert blocks(out, "[dm @carol]") == [
        "@amara from the community team will be in touch to see how your mentorship with "
        "@okafor is going."
    ]


# -- the escalation ladder --------------------------------------------------------------------
async def test_silence_brings_a_second_nudge_after_3_days_then_the_managers_after_7_more(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + "advance 14d\nadvance 2d")
    assert SECOND not in out
    out = await transcript("advance 1d")  # Thursday 19 March
    assert blocks(out, "[dm @okafor]") == [
        SECOND
        + "\n[button] Met this week\n[button] Reschedule\n[button] Need help\n[button] Snooze"
    ]
    assert blocks(out, "[dm @carol]") == []  # the mentee's prompt stays light: once
    out = await transcript("advance 6d")
    assert blocks(out, "[#organisers]") == []
    out = await transcript("advance 1d")  # Thursday 26 March
    assert blocks(out, "[#organisers]") == [
        "🤫 **Quiet pair:** **Dr Okafor** (@okafor) and **Carol Diaz** (@carol) haven't "
        "checked in since Mon 02 Mar 2026; two nudges went unanswered.\n"
        "[button] Reach out\n[button] Re-match\n[button] Pause pair"
    ]
    assert (await the_pair(store)).step is Step.ESCALATED
    out = await transcript("advance 3w")
    assert without_digests(out) == ""  # nothing more until someone acts


async def test_re_match_ends_the_pair_kindly_and_offers_the_mentee_new_mentors(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        PAIRED + 'advance 24d\nokafor: click "Re-match"\namara: click "Re-match"'
    )
    assert "Only community managers can do that" in blocks(out, "[private @okafor]")[-1]
    assert blocks(out, "[dm @okafor]")[-1].startswith(
        "The community team has ended your mentorship with @carol, so they can have a fresh "
        "match. Thank you for the time you both gave it."
    )
    fresh = blocks(out, "[dm @carol]")[-1]
    assert fresh.startswith("Let's find you a new mentor.\n**Mentors for you**")
    assert "Dr Okafor" not in fresh and "1. **Dr Lee**" in fresh
    assert "✓ re-matched by @amara" in out
    assert [p.status for p in await pairs(store, "carol")] == [PairStatus.ENDED]
    out = await transcript('as carol\nclick "Ask Dr Lee"\nlee: click "Accept"')
    assert "🎉 @lee accepted" in out


async def test_pause_pair_stops_nudges_until_someone_logs_a_check_in(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PAIRED + 'advance 24d\namara: click "Pause pair"')
    assert blocks(out, "[dm @carol]")[-1].startswith(
        "Your mentorship with @okafor is paused by the community team"
    )
    assert (await the_pair(store)).status is PairStatus.PAUSED
    out = await transcript("advance 6w")
    assert without_digests(out) == ""
    out = await transcript("carol: /rounds checkin @okafor we spoke at last\nadvance 2w")
    assert blocks(out, "[private @carol]")[0].endswith("Your mentorship is no longer paused.")
    assert blocks(out, "[dm @okafor]") == [NUDGE]
    assert (await the_pair(store)).status is PairStatus.ACTIVE


async def test_a_card_pressed_twice_or_on_an_ended_pair_does_nothing_more(
    transcript: Transcript,
) -> None:
    out = await transcript(
        PAIRED + 'advance 24d\namara: click "Re-match"\namara: click "Pause pair"'
    )
    assert blocks(out, "[private @amara]")[-1].startswith("That mentorship has already ended.")


# -- check-ins by command, and cadences ------------------------------------------------------
async def test_checkin_by_command_keeps_the_note_for_its_author(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(
        PAIRED + "advance 5d\ncarol: /rounds checkin @okafor rota ideas **bold**"
    )
    assert blocks(out, "[private @carol]")[-1] == (
        "✓ Logged your check-in with @okafor (with your note). Next one due Sat 21 Mar 2026."
    )
    [logged] = await checkins(store, "carol")
    assert logged.note == "rota ideas **bold**"


async def test_checkin_needs_a_mentorship_with_that_member(transcript: Transcript) -> None:
    out = await transcript(
        PAIRED
        + "carol: /rounds checkin @lee\ncarol: /rounds checkin @carol\n"
        + "carol: /rounds checkin @ghost\ncarol: /rounds checkin"
    )
    said = blocks(out, "[private @carol]")[-4:]
    assert said[0].startswith("You don't have a mentorship with @lee.")
    assert said[1].startswith("That's you 🙂")
    assert said[2].startswith("I can't find `@ghost` in this community.")
    assert said[3].startswith("`/rounds checkin` needs `member`")


async def test_a_pair_can_have_its_own_cadence(transcript: Transcript, store: SqlStore) -> None:
    out = await transcript(PAIRED + "okafor: /rounds mentor cadence @carol 1w")
    assert blocks(out, "[private @okafor]")[-1] == (
        "✓ You and @carol will check in every week. Next check-in: Mon 09 Mar 2026."
    )
    assert blocks(out, "[dm @carol]")[-1] == (
        "@okafor set your check-ins to every week. Next one: Mon 09 Mar 2026."
    )
    out = await transcript("advance 7d")
    assert blocks(out, "[dm @okafor]") == [NUDGE]
    out = await transcript('okafor: click "Met this week"')
    assert "Next check-in due Mon 16 Mar 2026." in out
    refused = await transcript(
        "okafor: /rounds mentor cadence @carol 3d\nokafor: /rounds mentor cadence @carol often"
    )
    assert refused.count("[private @okafor]") == 2
    assert "`every` takes whole days or weeks from 1w to 12w, like `1w` (not `3d`)." in refused
    assert "like `1w` (not `often`)." in refused
    assert "Usage: `/rounds mentor cadence @member <1w-12w>`" in refused
    assert (await the_pair(store)).every is not None


# -- time zones, quiet hours and restarts --------------------------------------------------
FAR_APART = """
clock 2026-03-02 09:00 UTC
join amara
join singh
singh: /rounds profile set name="Dr Singh" stage=senior timezone=Asia/Kolkata quiet=21:00-07:00
singh: /rounds mentor offer capacity=1 areas=policy
join jo
jo: /rounds profile set name="Jo" stage=trainee timezone=America/Chicago quiet=22:00-09:00
jo: /rounds mentor request goals=policy
as jo
click "Ask Dr Singh"
singh: click "Accept"
"""


async def test_nudges_arrive_at_a_good_local_hour_outside_quiet_hours_in_each_zone(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(FAR_APART + "advance 15d")
    assert await nudges_sent(store) == [
        ("singh", at("2026-03-16 09:00")),  # 14:30 in Kolkata: daytime
        ("jo", at("2026-03-16 15:00")),  # 04:00 in Chicago: waits for 10:00 CDT
    ]


async def test_a_mentor_who_sleeps_by_day_is_nudged_when_their_quiet_hours_end(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(FAR_APART + "singh: /rounds profile set quiet=08:00-16:00\nadvance 15d")
    sent = dict(await nudges_sent(store))
    assert sent["singh"] == at("2026-03-16 10:30")  # 16:00 in Kolkata, when their rest ends


async def test_after_downtime_a_new_core_sends_each_due_nudge_once(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(PAIRED)  # the bot then stops; it starts again on Friday 20 March
    platform = RecordingPlatform()
    clock = ManualClock(at("2026-03-20 12:00"))
    first = build_core(store, clock, send_when_planned=False)
    first.add_platform(platform)
    second = build_core(store, clock, worker="worker-2", send_when_planned=False)
    second.add_platform(platform)
    await asyncio.gather(first.runtime.run_due(), second.runtime.run_due())
    await first.runtime.run_due()
    assert platform.texts_to("okafor") == [tokens(NUDGE)]
    assert platform.texts_to("carol") == [tokens(LIGHTER)]
    clock.set(at("2026-03-23 11:59"))
    await second.runtime.run_due()
    assert len(platform.texts_to("okafor")) == 1
    clock.set(at("2026-03-23 12:00"))  # three days after the late first nudge
    again = build_core(store, clock, worker="worker-3", send_when_planned=False)
    again.add_platform(platform)
    await again.runtime.run_due()
    await first.runtime.run_due()
    assert platform.texts_to("okafor")[1:] == [tokens(SECOND)]


async def test_a_nudge_waits_out_quiet_hours_that_began_after_it_was_planned(
    store: SqlStore,
) -> None:
    clock = ManualClock(START)
    out = io.StringIO()
    core, console = build_console(store, clock, out)
    await console.run_lines(PAIRED.strip().splitlines())
    due = at("2026-03-16 09:00")
    await run_checkins(JobContext(store, core.router, due))  # planned, not yet sent
    # Dr Okafor comes off a night shift and sets quiet hours over this morning
    await core.rounds.command(Actor(CONSOLE, "okafor"), "profile set quiet=08:00-14:00")
    clock.set(due)
    start = out.tell()
    await core.dispatcher.run_due()
    assert "[dm @carol]\n  Your check-in with @okafor is due." in out.getvalue()[start:]
    assert "[dm @okafor]" not in out.getvalue()[start:]
    clock.set(at("2026-03-16 14:00"))  # 14:00 in Accra: his quiet hours are over
    await core.dispatcher.run_due()
    assert "[dm @okafor]\n  ⏰ Time to check in with @carol." in out.getvalue()[start:]
