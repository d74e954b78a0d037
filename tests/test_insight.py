"""Managers' insight in the console over simulated weeks: the weekly digest (once a week, in
the community's time zone, to the managers channel or each manager, with its PNG chart and a
section per programme that has something to say), `/rounds stats` and `/rounds audit`."""

from __future__ import annotations

import io
import struct
from datetime import UTC, datetime, timedelta

import pytest

from bot.context import JobContext
from bot.features.insight import run_digests
from bot.messages import Attachment
from storage.store import SqlStore
from tests.helpers import Community

PNG = b"\x89PNG\r\n\x1a\n"
# Monday 2 March 2026, 09:00 UTC: Lagos is UTC+1, so the default digest (Monday 08:00 in
# the community's time zone) is due at 07:00 UTC each Monday, first on 9 March.
SETUP = """
clock 2026-03-02 09:00 UTC
join amara
amara: /rounds config set community.timezone=Africa/Lagos
amara: /rounds config channel qa #questions
join ben
ben: /rounds profile set name="Ben Osei" institution="Korle Bu" interests=simulation timezone=Europe/London
ben: /rounds ask title="Protected time for simulation teaching?" tags=simulation
"""
FIRST_DIGEST = datetime(2026, 3, 9, 7, 0, tzinfo=UTC)


@pytest.fixture
def community(store: SqlStore) -> Community:
    return Community(store)


def digests(community: Community) -> list[tuple[str, str, Attachment]]:
    """Every digest shown: (header, text, chart)."""
    found = []
    for shown in community.console.state.outputs:
        attachment = shown.message.attachment
        if attachment is not None and attachment.name.startswith("digest-"):
            found.append((shown.header, shown.message.text, attachment))
    return found


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's header (its first chunk is IHDR)."""
    assert data[:8] == PNG and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def decoded(data: bytes) -> tuple[int, ...]:
    """The image as matplotlib reads it back (a real decode, not just a header)."""
    from matplotlib.image import imread

    return tuple(imread(io.BytesIO(data), format="png").shape)


async def test_the_digest_comes_monday_0800_community_time_as_a_dm_to_each_manager(
    community: Community,
) -> None:
    await community.run(SETUP + "amara: /rounds config manager add @ben\nadvance 7d")
    shown = digests(community)
    assert [header for header, _, _ in shown] == ["[dm @amara]", "[dm @ben]"]
    _, text, chart = shown[0]
    assert text.startswith("📊 **Weekly digest** (<t:1772434800:D> to <t:1773039600:D>)")
    assert chart.name == "digest-2026-03-09.png" and chart.mime_type == "image/png"
    assert png_size(chart.data) == (800, 400)
    assert decoded(chart.data) == (400, 800, 4)
    out = community.out.getvalue()
    assert "[dm @amara]\n  📊 **Weekly digest** (Mon 02 Mar 2026 to Mon 09 Mar 2026)" in out
    assert "[file] digest-2026-03-09.png" in out


async def test_the_digest_goes_once_to_the_managers_channel_when_there_is_one(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP + "amara: /rounds config channel managers #leads\nadvance 7d")
    assert [header for header, _, _ in digests(community)] == ["[#leads]"]
    router = community.core.router
    for _ in range(2):  # the job runs again (another process, a restart): nothing more
        await run_digests(JobContext(store, router, FIRST_DIGEST + timedelta(minutes=5)))
    await community.core.runtime.run_due()
    assert len(digests(community)) == 1


async def test_a_digest_a_week_over_simulated_weeks(community: Community) -> None:
    await community.run(SETUP + "amara: /rounds config channel managers #leads\nadvance 22d")
    names = [chart.name for _, _, chart in digests(community)]
    assert names == ["digest-2026-03-09.png", "digest-2026-03-16.png", "digest-2026-03-23.png"]


async def test_sections_say_what_happened_and_each_line_names_the_command_to_act(
    community: Community,
) -> None:
    await community.run(SETUP + "advance 7d")
    [(_, text, _)] = digests(community)
    assert "**Members**\n- 2 new members joined (2 in all)." in text
    assert "**Peer Q&A**\n- 1 question asked and 0 answers given this week." in text
    lines = [line for line in text.splitlines() if line.startswith("- ")]
    assert lines and all("`/rounds " in line for line in lines)
    assert "**Networking rounds**" not in text  # nobody joined: nothing to say
    assert "**Introductions**" not in text  # no intros channel
    assert "**Patient-information guard**" not in text


async def test_a_later_week_reports_that_week_and_the_unanswered_question(
    community: Community,
) -> None:
    await community.run(SETUP + "advance 14d")
    [_, (_, text, _)] = digests(community)
    assert "**Members**" not in text  # nobody joined in the second week
    assert (
        "- 0 questions asked and 0 answers given this week. Search them with "
        "`/rounds qa search`.\n- 1 question unanswered for more than 48 h: see "
        "`/rounds qa open`, and answer with `/rounds answer`." in text
    )


async def test_networking_introductions_and_the_guard_add_their_sections(
    community: Community,
) -> None:
    await community.run(
        SETUP
        + "amara: /rounds config channel intros #intros\n"
        + "amara: /rounds network join\nben: /rounds network join\n"
        + 'ben: /rounds ask title="Call 415-555-2671 about my patient" tags=help\n'
        + 'ben: click "Cancel"\n'
        + "advance 15d\n"  # past round 1's halfway question (Monday 16 March)
        + 'ben: click "Met this week"\n'
        + "advance 7d"
    )
    first, second, third = (text for _, text, _ in digests(community))
    assert "**Patient-information guard**\n- 1 warning this week; posted anyway: 0." in first
    assert "`/rounds config set guard.mode=block`" in first
    assert "**Networking rounds**\n- 2 taking part (0 snoozed, 0 paused" in first
    assert "Round 1" not in first  # its "Did you meet?" has not gone out yet
    assert "**Patient-information guard**" not in second
    assert (
        "\n- Round 1 (from <t:1773014400:D>): 2 paired, 1 answered “Did you meet?”, 1 met "
        "(50%). Details: `/rounds network report`." in third
    )
    assert (
        "**Introductions**\n- 2 members who joined in the last 5 weeks still have no "
        "introduction a week on." in second
    )


async def test_a_community_s_first_digest_is_the_next_scheduled_one(
    community: Community,
) -> None:
    await community.run(SETUP + "advance 6d")
    assert digests(community) == []
    await community.run("advance 1d")
    assert len(digests(community)) == 1


async def test_managers_choose_the_day_and_time_or_turn_it_off(community: Community) -> None:
    out = await community.run(
        SETUP + "amara: /rounds config set digest.day=wednesday digest.time=18:30\nadvance 3d"
    )
    assert "✓ Saved: `digest.day` = wednesday, `digest.time` = 18:30." in out
    [(_, _, chart)] = digests(community)  # Wednesday 4 March, 18:30 in Lagos
    assert chart.name == "digest-2026-03-04.png"
    sent = [s for s in community.console.state.outputs if s.message.attachment is chart]
    assert sent
    await community.run("amara: /rounds config set digest.day=off\nadvance 14d")
    assert len(digests(community)) == 1


async def test_a_time_that_is_not_a_time_is_refused_with_what_to_type(
    community: Community,
) -> None:
    out = await community.run(SETUP + "amara: /rounds config set digest.time=25:00")
    assert "a time of day on the 24-hour clock, like 08:00" in out
    assert "`digest.time` =" not in out


async def test_after_downtime_the_missed_digest_goes_late_but_once(
    community: Community, store: SqlStore
) -> None:
    await community.run(SETUP)
    late = datetime(2026, 3, 18, 12, 0, tzinfo=UTC)  # down from Sunday 8th to Wednesday 18th
    router = community.core.router
    await run_digests(JobContext(store, router, late))
    await run_digests(JobContext(store, router, late))
    community.clock.set(late)
    await community.core.runtime.run_due()
    assert [chart.name for _, _, chart in digests(community)] == ["digest-2026-03-16.png"]


async def test_quiet_weeks_get_a_short_digest_until_the_chart_is_empty_too(
    community: Community,
) -> None:
    await community.run("clock 2026-03-02 09:00 UTC\njoin amara\nadvance 14d")
    first, second = (text for _, text, _ in digests(community))
    assert "**Members**\n- 1 new member joined (1 in all)." in first
    assert "A quiet week: nothing needs your attention." in second
    await community.run("advance 70d")
    # the join shows in the chart of the eight digests after it; then there is nothing to send
    assert len(digests(community)) == 8


async def test_a_space_without_members_gets_no_digest(community: Community) -> None:
    await community.run("clock 2026-03-02 09:00 UTC\nadvance 14d")  # the space, no one in it
    assert digests(community) == []


# -- /rounds stats ------------------------------------------------------------------------------
async def test_stats_shows_managers_the_chart_privately(community: Community) -> None:
    out = await community.run(SETUP + 'amara: /rounds answer 1 "Ask for a trial."')
    out = await community.run("amara: /rounds stats weeks=4")
    assert out.startswith("[private @amara]\n  **Community activity, the last 4 weeks**")
    assert (
        "  - New members: 2 (this week 2)\n  - Check-ins: 0 (this week 0)\n"
        "  - RSVPs: 0 (this week 0)\n  - Questions: 1 (this week 1)" in out
    )
    assert "  - Answers: 1 (this week 1)" in out
    assert "The weekly digest comes to each manager by DM (or to a channel: " in out
    chart = community.console.state.outputs[-1].message.attachment
    assert chart is not None and chart.name == "rounds-stats-4w.png"
    assert png_size(chart.data) == (800, 400)


async def test_stats_names_the_managers_channel_where_one_is_set(community: Community) -> None:
    out = await community.run(
        SETUP + "amara: /rounds config channel managers #organisers\namara: /rounds stats"
    )
    assert "The chart has each week. The weekly digest comes to #organisers." in out


async def test_stats_is_for_managers(community: Community) -> None:
    out = await community.run(SETUP + "ben: /rounds stats")
    assert "Only community managers can do that." in out
    assert "[file]" not in out


@pytest.mark.parametrize("typed", ["weeks=0", "weeks=53", "weeks=many", "4"])
async def test_stats_refuses_a_bad_number_of_weeks_with_the_usage(
    community: Community, typed: str
) -> None:
    out = await community.run(SETUP + f"amara: /rounds stats {typed}")
    assert "Usage: `/rounds stats [weeks=<number>]`" in out
    assert "[file]" not in out


# -- /rounds audit ------------------------------------------------------------------------------
async def test_audit_lists_configuration_changes_who_what_when(community: Community) -> None:
    out = await community.run(
        SETUP
        + "amara: /rounds config set network.every=3w\n"
        + "amara: /rounds config manager add @ben\n"
        + "ben: /rounds config manager remove @ben\n"
        + "amara: /rounds audit 3"
    )
    listing = out.split("[private @amara]\n")[-1]
    assert listing.splitlines() == [
        "  **The last 3 changes**, newest first",
        "  - Mon 02 Mar 2026, 09:00 UTC @ben: removed @ben as a manager",
        "  - Mon 02 Mar 2026, 09:00 UTC @amara: added @ben as a manager",
        "  - Mon 02 Mar 2026, 09:00 UTC @amara: set `network.every` to 3w",
    ]


async def test_audit_of_one_change_says_the_last_change(community: Community) -> None:
    out = await community.run(SETUP + "amara: /rounds audit 1")
    assert out.split("[private @amara]\n")[-1].splitlines()[0] == "  **The last change**"


async def test_audit_records_an_anonymous_author_look_up_without_naming_the_asker(
    community: Community,
) -> None:
    out = await community.run(
        SETUP
        + 'ben: /rounds ask title="Conflict with my consultant" anonymous=yes\n'
        + "amara: /rounds qa author 2\n"
        + "amara: /rounds audit"
    )
    listing = out.split("[private @amara]\n")[-1]
    assert "@amara: looked up who asked the anonymous question Q2" in listing
    assert "@ben" not in listing


async def test_audit_is_for_managers_and_takes_a_sensible_number(community: Community) -> None:
    out = await community.run(SETUP + "ben: /rounds audit\namara: /rounds audit 0")
    assert "Only community managers can do that." in out
    assert "Usage: `/rounds audit [<number>]`" in out
    out = await community.run("clock 2026-03-02 09:00 UTC\njoin zed\n/rounds audit")
    assert "No changes recorded yet." in out or "set the" in out


async def test_audit_shows_pauses_rounds_made_by_itself(community: Community) -> None:
    from tests.test_network import PEOPLE

    out = await community.run(PEOPLE + "advance 14d\n" * 4 + "amara: /rounds audit")
    listing = out.split("[private @amara]\n")[-1]
    assert "Rounds: paused @ben's networking rounds after three unanswered rounds" in listing


def test_the_insight_example_runs_to_its_end() -> None:
    from tests.test_cli import rounds

    result = rounds("console", "--script", "examples/insight.txt")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "[#organisers]\n  📊 **Weekly digest** (Mon 02 Mar 2026 to Mon 09 Mar 2026)" in out
    assert "[file] digest-2026-03-09.png" in out and "[file] rounds-stats-4w.png" in out
    assert "[file] rounds-my-data.json" in out
    assert "[dm @cara]\n  Your networking partner this round is no longer taking part" in out
    assert "💡 **A1** · ▲ 0\n  Bring a one-page plan" in out
    assert "Rounds: erased a member's data at their request" in out
    assert "**Mentorship**\n  - 1 active pair: 1 on track" in out
    assert "**Leading a QI project**: 2 of 2 going, 0 maybe, 1 on the waitlist" in out
    assert "[dm @cara]\n  Your mentor is no longer taking part in mentorship" in out
    assert "[dm @dev]\n  🎉 A seat opened up" in out
    assert "Traceback" not in result.stderr
