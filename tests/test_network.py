"""Networking rounds end to end in the console: opting in, pairing once per round (even late,
after downtime), "Did you meet?", automatic pause, exclusions and the managers' report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.clock import ManualClock
from bot.context import JobContext
from bot.domain import Member, Profile
from bot.features.catalog import build_router
from bot.features.network import run_rounds
from bot.features.network._render import reasons
from storage.models import OutboxRow
from storage.network import NetworkPairRow, NetworkRoundRow
from storage.store import SqlStore
from tests.conftest import Transcript

# Monday 2 March 2026. With the default cadence (2w) the first round starts Monday 9 March.
PEOPLE = """
clock 2026-03-02 09:00 UTC
join amara
amara: /rounds profile set institution=LUTH timezone=Africa/Lagos interests="quality improvement"
join ben
ben: /rounds profile set institution="Korle Bu" timezone=Europe/London interests="quality improvement"
join cara
cara: /rounds profile set institution=LUTH timezone=America/Chicago interests=simulation
join dev
dev: /rounds profile set institution=AIIMS timezone=Asia/Kolkata interests=simulation
amara: /rounds network join
ben: /rounds network join
cara: /rounds network join
dev: /rounds network join
"""


async def count(store: SqlStore, table: type) -> int:
    async with store.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(table)) or 0)


async def test_joining_tells_when_the_first_pairing_arrives(transcript: Transcript) -> None:
    out = await transcript(PEOPLE)
    assert (
        "[private @ben]\n  ✓ You're in! Every 2 weeks you'll be paired with a peer from another "
        "institution. First pairing: Mon 09 Mar 2026, 10:00 GMT." in out
    )
    assert "First pairing: Mon 09 Mar 2026, 10:00 IST" in out  # dev, in Kolkata


async def test_a_round_pairs_everyone_with_reasons_at_their_local_morning(
    transcript: Transcript, store: SqlStore
) -> None:
    out = await transcript(PEOPLE + "advance 8d")
    intros = [block for block in out.split("\n[") if "Networking round:" in block]
    assert len(intros) == 4  # two pairs; the console has no group DMs, so one DM each
    assert "[dm @ben]\n  🤝 **Networking round:** @amara and @ben, meet each other!" in out
    assert "Why you: you both work on quality improvement; you're at Korle Bu and LUTH; " in out
    assert "Lagos and London are one hour apart." in out
    assert "@cara and @dev, meet each other!" in out
    async with store.sessions() as session:
        sent = dict(
            (
                await session.execute(
                    select(OutboxRow.dedupe_key, OutboxRow.sent_at).where(
                        OutboxRow.purpose == "network-intro"
                    )
                )
            ).all()
        )
    # a pair gets its introduction at 10:00 Monday for whichever of them wakes later
    assert sorted(sent.values()) == [
        datetime(2026, 3, 9, 10, 0, tzinfo=UTC),  # London 10:00 (Lagos already awake)
        datetime(2026, 3, 9, 15, 0, tzinfo=UTC),  # Chicago 10:00 CDT (Kolkata's evening)
    ]


def person(n: int, zone: str | None, *interests: str) -> Member:
    profile = Profile(timezone=zone, interests=interests)
    return Member(n, 1, f"u{n}", f"u{n}", datetime(2026, 3, 2, tzinfo=UTC), profile=profile)


def test_a_group_of_three_hears_who_shares_what_and_every_city() -> None:
    ben = person(1, "Europe/London", "policy", "equity")
    chen = person(2, "America/New_York", "policy")
    dana = person(3, "Africa/Lagos", "equity")
    offsets = {1: 0.0, 2: -5.0, 3: 1.0}
    assert reasons([ben, chen, dana], offsets) == [
        "<@u1> and <@u2> both work on policy",
        "London, New York and Lagos are at most six hours apart",
    ]
    dana = person(3, None, "policy")
    assert reasons([ben, chen, dana], offsets) == [
        "you all work on policy",
        "London and New York are five hours apart",
    ]
    assert reasons([ben, chen], offsets)[0] == "you both work on policy"


async def test_pairing_happens_once_per_round_even_when_the_job_runs_again(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(PEOPLE + "advance 7d")
    job = JobContext(store, build_router(), datetime(2026, 3, 9, 12, 0, tzinfo=UTC))
    await run_rounds(job)
    await run_rounds(job)
    assert await count(store, NetworkRoundRow) == 1
    assert await count(store, NetworkPairRow) == 2


async def test_a_round_missed_during_downtime_runs_late_but_once(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(PEOPLE + "advance 7d")  # round 1 paired on schedule
    router = build_router()
    # the bot is down from before round 2's pairing (Sun 22 Mar 10:00 UTC) until Tuesday
    late = JobContext(store, router, datetime(2026, 3, 24, 8, 0, tzinfo=UTC))
    await run_rounds(late)
    await run_rounds(late)
    async with store.sessions() as session:
        numbers = list(
            (
                await session.execute(
                    select(NetworkRoundRow.number).order_by(NetworkRoundRow.number)
                )
            ).scalars()
        )
    assert numbers == [1, 2]


async def test_did_you_meet_buttons_record_the_answer_and_update_the_message(
    transcript: Transcript,
) -> None:
    out = await transcript(
        PEOPLE
        + 'advance 15d\nben: click "Met this week"\namara: click "Not yet"\n'
        + "amara: /rounds network report"
    )
    assert "[dm @ben]\n  Halfway through this networking round: did you meet @amara?" in out
    assert "[private @ben]\n  ✓ Wonderful, thank you!" in out
    assert "[dm @ben] (updated)\n  Did you meet @amara? ✓ Met this week" in out
    assert "[dm @amara] (updated)\n  Did you meet @ben? ✓ Not yet" in out
    assert "- Opted in: 4 (snoozed 0, paused 0, left 0)" in out
    assert "2 groups, 4 members paired" in out
    assert "- Answered “Did you meet?”: 2 of 4; met: 1 (25%)" in out


async def test_an_answer_for_someone_elses_pairing_is_refused(
    transcript: Transcript, store: SqlStore
) -> None:
    from bot.bootstrap import build_core
    from bot.context import Actor
    from tests.helpers import CONSOLE

    await transcript(PEOPLE + "advance 8d")
    async with store.sessions() as session:
        pair_ids = list((await session.execute(select(NetworkPairRow.id))).scalars())
    rounds = build_core(store, ManualClock(datetime(2026, 3, 16, 12, tzinfo=UTC))).rounds
    outcomes = [
        await rounds.action(Actor(CONSOLE, "cara"), "network.met", f"{p}:met") for p in pair_ids
    ]
    texts = [o.replies[0].message.text for o in outcomes]
    assert sorted(texts) == [
        "That question was for someone else's pairing.",
        "✓ Wonderful, thank you! We'll keep pairing you with new peers.",
    ]
    forged = await rounds.action(Actor(CONSOLE, "cara"), "network.met", "999:met")
    assert "no longer works" in forged.replies[0].message.text


async def test_three_ignored_rounds_pause_a_member_who_is_told_how_to_rejoin(
    transcript: Transcript,
) -> None:
    out = await transcript(
        PEOPLE + "advance 14d\nadvance 14d\nadvance 14d\nadvance 14d\nben: /rounds network status"
    )
    assert out.count("We've paused your networking rounds") == 4
    assert "Your rounds are paused because the last three went unanswered." in out
    out = await transcript("ben: /rounds network join\nben: /rounds network status")
    assert "✓ You're in!" in out


async def test_snooze_skips_rounds_until_it_ends(transcript: Transcript) -> None:
    out = await transcript(PEOPLE + "ben: /rounds network snooze 3\nadvance 8d")
    assert "✓ Snoozed for 3 weeks: no pairings until Mon 23 Mar 2026." in out
    assert "@ben" not in "".join(b for b in out.split("\n[") if "Networking round:" in b)
    assert "@amara, @cara and @dev, meet each other!" in out or "and @ben" not in out


async def test_exclusions_are_absolute(transcript: Transcript) -> None:
    out = await transcript(
        PEOPLE
        + "ben: /rounds network leave\ncara: /rounds network leave\n"
        + "amara: /rounds network exclude @dev\nadvance 8d"
    )
    assert "✓ You won't be paired with @dev. They are not told." in out
    assert "Networking round:" not in out
    assert out.count("No networking match for you this round") == 2


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        ("/rounds network snooze 0", "`weeks` must be at least 1."),
        ("/rounds network snooze 13", "`weeks` must be at most 12."),
        ("/rounds network snooze soon", "`weeks` must be a whole number"),
        ("/rounds network snooze", "needs `weeks`"),
        ("/rounds network exclude @ben", "I can't find `@ben` in this community."),
        ("/rounds network exclude @zed", "You can't be paired with yourself"),
        ("/rounds network exclude bob", "needs a member mention"),
        ("/rounds network leave", "You haven't joined networking rounds."),
        ("/rounds network report", "Only community managers can do that."),
        ("/rounds config set network.every=3d", "Only community managers"),
    ],
)
async def test_bad_network_input_is_refused_kindly(
    transcript: Transcript, command: str, expected: str
) -> None:
    out = await transcript(f"join amara\njoin zed\nzed: {command}")
    assert expected in out.split("[private @zed]")[-1]


async def test_managers_set_the_cadence_in_whole_weeks(transcript: Transcript) -> None:
    out = await transcript(
        "join amara\n/rounds config set network.every=10d\n/rounds config set network.every=1w\n"
        "/rounds network join"
    )
    assert "`network.every` takes a whole number of weeks from 1w to 8w" in out
    assert "✓ Saved: `network.every` = 1w." in out
    assert "Every week you'll be paired" in out


async def test_status_shows_the_current_partner(transcript: Transcript) -> None:
    out = await transcript(PEOPLE + "advance 8d\nben: /rounds network status")
    assert "This round (Sun 22 Mar 2026 is the last day): @amara." in out


async def test_two_processes_pair_a_round_once(store: SqlStore, database_url: str) -> None:
    import asyncio
    import io

    from bot.bootstrap import build_console

    _, console = build_console(
        store, ManualClock(datetime(2026, 3, 2, 9, tzinfo=UTC)), io.StringIO()
    )
    await console.run_lines(PEOPLE.strip().splitlines())
    other = SqlStore.from_url(database_url)
    at = datetime(2026, 3, 8, 11, 0, tzinfo=UTC)
    try:
        await asyncio.gather(
            run_rounds(JobContext(store, build_router(), at)),
            run_rounds(JobContext(other, build_router(), at + timedelta(seconds=1))),
        )
    finally:
        await other.close()
    assert await count(store, NetworkRoundRow) == 1
    assert await count(store, NetworkPairRow) == 2


async def test_a_longer_cadence_starts_when_the_current_round_ends(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(PEOPLE + "advance 7d\namara: /rounds config set network.every=4w\nadvance 14d")
    async with store.sessions() as session:
        rounds = (
            await session.execute(
                select(
                    NetworkRoundRow.number, NetworkRoundRow.starts_at, NetworkRoundRow.ends_at
                ).order_by(NetworkRoundRow.number)
            )
        ).all()
    assert [(n, s.date().isoformat(), e.date().isoformat()) for n, s, e in rounds] == [
        (1, "2026-03-09", "2026-03-23"),
        (2, "2026-03-23", "2026-04-20"),
    ]


async def test_a_shorter_cadence_never_overlaps_the_current_round(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(PEOPLE + "advance 7d\namara: /rounds config set network.every=1w\nadvance 3d")
    assert await count(store, NetworkRoundRow) == 1  # round 1 (two weeks) is still running


async def test_a_pair_is_introduced_outside_everyones_quiet_hours(
    transcript: Transcript, store: SqlStore
) -> None:
    await transcript(
        """
        clock 2026-03-02 09:00 UTC
        join amara
        join kenji
        amara: /rounds profile set timezone=America/Chicago
        kenji: /rounds profile set timezone=Asia/Tokyo quiet=21:00-08:00
        amara: /rounds network join
        kenji: /rounds network join
        advance 9d
        """
    )
    async with store.sessions() as session:
        [sent_at] = (
            await session.execute(
                select(OutboxRow.sent_at).where(OutboxRow.purpose == "network-intro")
            )
        ).scalars()
    # Chicago's Monday 10:00 (15:00 UTC) is midnight in Tokyo: wait for 08:00 Tokyo (23:00 UTC)
    assert sent_at == datetime(2026, 3, 9, 23, 0, tzinfo=UTC)


async def test_a_round_left_part_way_by_a_stopped_process_is_planned_by_the_next_run(
    transcript: Transcript, store: SqlStore
) -> None:
    from bot.features.network._jobs import Plan, write_round
    from bot.features.network._pairing import Pairing
    from bot.features.network.model import NETWORK
    from tests.helpers import stored_member

    await transcript(PEOPLE)
    router = build_router()
    at = datetime(2026, 3, 8, 10, 0, tzinfo=UTC)  # round 1's pairing time
    job = JobContext(store, router, at)
    members = [await stored_member(store, name) for name in ("amara", "ben", "cara", "dev")]
    a, b, c, d = (m for m in members if m is not None)
    # the round and its pairs were written, then the process stopped before the messages
    async with store.transaction() as tx:
        info = await tx.repo(NETWORK).start_round(
            a.space_id, 1, at + timedelta(hours=14), at + timedelta(days=14, hours=14), at
        )
        assert info is not None and not info.planned
        plan = Plan([a, b, c, d], {}, [], Pairing([(a.id, b.id), (c.id, d.id)]), "UTC")
        await write_round(tx, job, a.space_id, info, plan)

    await run_rounds(JobContext(store, router, at + timedelta(minutes=5)))
    out = await transcript("clock 2026-03-09 15:00 UTC")  # Monday: introductions are due

    assert await count(store, NetworkRoundRow) == 1
    assert "@amara and @ben, meet each other!" in out
    assert "@cara and @dev, meet each other!" in out
    async with store.transaction() as tx:
        latest = await tx.repo(NETWORK).latest_round(a.space_id)
    assert latest is not None and latest.planned
