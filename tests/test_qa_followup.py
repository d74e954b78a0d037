"""The follow-up ladder over simulated days: peers who answered before after 24 h (one such
DM per member per day), the managers after 72 h, one "Did this help?" after 7 days; each once,
however often the job runs, and across a restart."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import JobContext
from bot.features.catalog import build_router
from bot.features.qa import follow_up
from storage.store import SqlStore
from tests.conftest import Transcript
from tests.helpers import Community

# Q1 is answered by four members, so they "answered before"; three of them work on QI.
PEOPLE = """
clock 2026-03-02 09:00 UTC
join amara
join ben
join cara
join dev
join eve
join finn
amara: /rounds config channel qa #questions
ben: /rounds profile set specialty="emergency medicine" interests="qi, simulation"
dev: /rounds profile set interests="quality improvement, qi"
eve: /rounds profile set interests=leadership
finn: /rounds profile set specialty=qi
cara: /rounds ask title="Where do I start with rota design?"
ben: /rounds answer 1 "Start from demand."
dev: /rounds answer 1 "Map the gaps."
eve: /rounds answer 1 "Ask the team."
finn: /rounds answer 1 "Use a template."
cara: /rounds accept 1
"""
ASK = 'cara: /rounds ask title="Measuring a QI project with no data analyst" tags=qi,measurement'


def nudges(out: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for block in ("\n" + out).split("\n[dm @")[1:]:
        who, _, body = block.partition("]\n")
        if "A question in your area has no answer yet" in body:
            found[who] = found.get(who, 0) + 1
    return found


async def test_after_a_day_up_to_three_matching_members_who_answered_before_are_asked(
    transcript: Transcript,
) -> None:
    out = await transcript(PEOPLE + ASK + "\nadvance 23h")
    assert nudges(out) == {}
    out = await transcript("advance 2h")
    assert nudges(out) == {"ben": 1, "dev": 1, "finn": 1}  # not eve (leadership), not cara
    assert "**Q2: Measuring a QI project with no data analyst** (qi, measurement)" in out
    assert "[button] Answer" in out
    out = await transcript("advance 1d")
    assert nudges(out) == {}  # once per question


async def test_a_member_gets_at_most_one_such_dm_a_day(transcript: Transcript) -> None:
    out = await transcript(
        PEOPLE
        + ASK
        + '\ncara: /rounds ask title="Choosing QI outcome measures" tags=qi\n'
        + 'cara: click "Post my question"\nadvance 25h'
    )
    assert nudges(out) == {"ben": 1, "dev": 1, "finn": 1}


async def test_after_three_days_the_managers_are_told(transcript: Transcript) -> None:
    out = await transcript(PEOPLE + ASK + "\nadvance 71h")
    assert "has had no answer for 3 days" not in out
    out = await transcript("advance 2h")
    assert (
        "[dm @amara]\n  ⏳ **Q2: Measuring a QI project with no data analyst** (qi, measurement) "
        "has had no answer for 3 days." in out
    )
    out = await transcript("amara: /rounds config channel managers #managers\nadvance 3d")
    assert "no answer for" not in out


async def test_the_managers_channel_gets_the_alert_when_there_is_one(
    transcript: Transcript,
) -> None:
    out = await transcript(
        PEOPLE + "amara: /rounds config channel managers #leads\n" + ASK + "\nadvance 73h"
    )
    assert "[#leads]\n  ⏳ **Q2: Measuring a QI project" in out
    assert "[dm @amara]\n  ⏳" not in out


async def test_an_answer_stops_the_ladder(transcript: Transcript) -> None:
    out = await transcript(
        PEOPLE + ASK + '\nadvance 2h\nben: /rounds answer 2 "Start with run charts."\nadvance 4d'
    )
    assert nudges(out) == {} and "no answer for" not in out


async def test_an_answered_question_never_accepted_gets_one_did_this_help(
    transcript: Transcript,
) -> None:
    out = await transcript(
        PEOPLE + ASK + '\nadvance 1h\nben: /rounds answer 2 "Start with run charts."\nadvance 6d'
    )
    assert "Did this help?" not in out
    out = await transcript("advance 2d")
    assert out.count("Did this help?") == 1
    assert "[dm @cara]\n  Did this help? Your question **Q2: Measuring a QI project" in out
    assert "- A5 (▲ 0): Start with run charts." in out  # A1-A4 answered Q1
    out = await transcript('cara: click "Accept A5"\nadvance 14d')
    assert "✓ Accepted A5 by @ben for Q2." in out
    assert "Did this help?" not in out


async def test_accepting_before_seven_days_means_no_did_this_help(transcript: Transcript) -> None:
    out = await transcript(
        PEOPLE
        + ASK
        + '\nadvance 1h\nben: /rounds answer 2 "Start with run charts."\ncara: /rounds accept 5'
        + "\nadvance 10d"
    )
    assert "Did this help?" not in out


async def test_the_ladder_runs_once_however_often_the_job_runs(store: SqlStore) -> None:
    community = Community(store)
    await community.run(PEOPLE + ASK)
    late = JobContext(store, build_router(), datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    for _ in range(3):
        await follow_up(late)
    out = await community.run("clock 2026-03-10 12:00 UTC\nadvance 1h")  # its job runs too
    assert nudges(out) == {"ben": 1, "dev": 1, "finn": 1}
    assert out.count("has had no answer for 3 days") == 1


async def test_the_ladder_survives_a_restart(store: SqlStore) -> None:
    first = Community(store)
    out = await first.run(PEOPLE + ASK + "\nadvance 25h")
    assert nudges(out) == {"ben": 1, "dev": 1, "finn": 1}
    second = first.restart()  # a new process: the ladder's state is in the database
    out = await second.run("advance 1d")
    assert nudges(out) == {}
    out = await second.run("advance 2d")
    assert out.count("has had no answer for 3 days") == 1


async def test_the_follow_up_delay_is_a_setting(transcript: Transcript) -> None:
    out = await transcript(
        PEOPLE + "amara: /rounds config set qa.followup=6h\n" + ASK + "\nadvance 7h"
    )
    assert nudges(out) == {"ben": 1, "dev": 1, "finn": 1}
    out = await transcript("advance 12h")  # 18 h: to the managers, by DM here
    out += await transcript("advance 8h")  # (a manager's DM waits out their quiet hours)
    assert "has had no answer for 1 day. " in out


async def test_a_peer_is_asked_after_their_quiet_hours(transcript: Transcript) -> None:
    out = await transcript(
        PEOPLE + "ben: /rounds profile set quiet=00:00-12:00 timezone=UTC\n" + ASK + "\nadvance 25h"
    )
    assert nudges(out) == {"dev": 1, "finn": 1}  # ben's waits for 12:00
    out = await transcript("advance 2h")
    assert nudges(out) == {"ben": 1}
