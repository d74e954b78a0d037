"""Matching: each scoring rule with its reason, each exclusion, and the database's ranking of
many mentors agreeing with the scores the explanation gives."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, datetime

from bot.domain import STAGES, Member, Profile
from bot.features.mentorship._flows import Scope, find
from bot.features.mentorship._scoring import (
    areas_of,
    ceiling_elsewhere,
    explain,
    hours_apart,
    phrases,
    query,
    rank,
)
from bot.features.mentorship.model import MENTORSHIP, Candidate
from storage.store import SqlStore
from tests.conftest import START, Transcript
from tests.helpers import CONSOLE
from tests.mentoring import ASK, COMMUNITY, blocks

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # before Europe's clocks change


def person(member_id: int = 1, **profile: object) -> Member:
    return Member(
        member_id, 1, f"U{member_id}", f"user{member_id}", NOW, profile=Profile(**profile)
    )  # type: ignore[arg-type]


MENTEE = person(
    1, stage="trainee", specialty="Emergency medicine", timezone="Africa/Lagos", goals=("policy",)
)


def score(
    mentor: Member, goals: str = "", spare: int = 1, areas: tuple[str, ...] | None = ()
) -> tuple[int, str]:
    match = explain(MENTEE, goals, mentor, Candidate(mentor.id, spare, areas), NOW)
    return match.score, match.reason


# -- each rule -------------------------------------------------------------------------------
def test_a_shared_specialty_scores_30_whatever_its_case() -> None:
    assert score(person(2, specialty="emergency medicine ")) == (
        32,
        "specialty match: emergency medicine",
    )
    assert score(person(2, specialty="surgery"))[0] == 2


def test_a_mentor_further_along_scores_by_the_stages_between() -> None:
    points = {stage: score(person(2, stage=stage)) for stage in STAGES}
    assert points["student"] == (2, "has room for a new mentee")  # behind: nothing
    assert points["trainee"][0] == 2  # level: nothing
    assert points["early-career"] == (12, "1 career stage ahead")
    assert points["mid-career"] == (22, "2 career stages ahead")
    assert points["senior"] == (17, "3 career stages ahead")  # far ahead counts a little less


def test_areas_shared_with_the_goals_score_15_each_two_at_most() -> None:
    offered = ("Operations", "quality improvement", "policy")
    one = score(person(2), "run operations well", areas=offered)
    assert one == (17, "shares 'Operations'")
    two = score(person(2), "operations, quality improvement", areas=offered)
    assert two == (32, "shares 'Operations' and 'quality improvement'")
    three = score(person(2), "operations; quality improvement; policy", areas=offered)
    assert three[0] == 32 and three[1].endswith("and 'policy'")


def test_without_offered_areas_the_profiles_interests_and_goals_are_the_areas() -> None:
    mentor = person(2, interests=("Research",), goals=("policy",))
    assert score(mentor, "research and policy", areas=None) == (
        32,
        "shares 'Research' and 'policy'",
    )


def test_time_zones_score_by_hours_apart() -> None:
    assert score(person(2, timezone="Africa/Lagos")) == (17, "same time zone")
    assert score(person(2, timezone="Europe/London")) == (17, "1 h time difference")
    assert score(person(2, timezone="Asia/Dubai")) == (12, "3 h time difference")
    assert score(person(2, timezone="Asia/Kolkata")) == (7, "4.5 h time difference")
    assert score(person(2, timezone="America/Chicago")) == (2, "7 h time difference")
    assert score(person(2))[1] == "has room for a new mentee"  # no zone: no claim either way


def test_clocks_a_day_apart_are_an_hour_apart() -> None:
    assert hours_apart("Pacific/Kiritimati", "Pacific/Pago_Pago", NOW) == 1


def test_spare_capacity_adds_a_little() -> None:
    assert [score(person(2), spare=n)[0] for n in (1, 2, 3, 9)] == [2, 4, 5, 5]


def test_the_reason_reads_in_the_order_the_points_weigh() -> None:
    mentor = person(2, specialty="emergency medicine", stage="mid-career", timezone="Europe/London")
    assert score(mentor, "operations", areas=("operations",)) == (
        82,
        "specialty match: emergency medicine; 2 career stages ahead; shares 'operations'; "
        "1 h time difference",
    )


def test_member_text_in_a_reason_is_literal() -> None:
    mentor = person(2, specialty="**em** <@U0BOSS>")
    mentee = person(1, specialty="**em** <@U0BOSS>")
    match = explain(mentee, "", mentor, Candidate(2, 1, ()), NOW)
    assert match.reason == "specialty match: \\*\\*em\\*\\* \\<@U0BOSS\\>"


def test_goals_are_matched_as_whole_phrases() -> None:
    found = phrases("Lead a QI project in operations; health-equity work")
    assert {"operations", "qi", "health-equity", "lead a qi project"} <= found
    assert "ope" not in found and "rations" not in found


def test_ties_go_to_the_member_who_joined_first() -> None:
    a, b = (
        explain(MENTEE, "", person(3), Candidate(3, 1, ()), NOW),
        explain(MENTEE, "", person(2), Candidate(2, 1, ()), NOW),
    )
    assert [m.member.id for m in rank([a, b])] == [2, 3]


# -- in the community: exclusions and the suggestions shown --------------------------------
async def test_a_request_suggests_up_to_three_mentors_best_first_with_scores_and_reasons(
    transcript: Transcript,
) -> None:
    out = await transcript(COMMUNITY + ASK)
    [shown] = blocks(out, "[private @carol]")[-1:]
    assert shown.startswith("**Mentors for you** (goals: operations, running a service)\n")
    assert (
        "1. **Dr Okafor** (@okafor) · score 79\nspecialty match: emergency medicine; "
        "3 career stages ahead; shares 'operations'; 1 h time difference\n"
        "2. **Dr Lee** (@lee) · score 54\n2 career stages ahead; shares 'operations'; "
        "1 h time difference\n"
        "3. **Dr Singh** (@singh) · score 52\nspecialty match: emergency medicine; "
        "3 career stages ahead; 4.5 h time difference\n"
    ) in shown
    assert shown.endswith("[button] Ask Dr Okafor\n[button] Ask Dr Lee\n[button] Ask Dr Singh")


async def test_outside_yes_leaves_out_mentors_from_the_mentees_institution(
    transcript: Transcript,
) -> None:
    out = await transcript(COMMUNITY + ASK.replace('service"', 'service" outside=yes'))
    shown = blocks(out, "[private @carol]")[-1]
    assert "Dr Lee" not in shown  # LUTH, like Carol
    assert "1. **Dr Okafor**" in shown and "2. **Dr Singh**" in shown


async def test_a_mentor_at_capacity_is_not_suggested(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + "singh: /rounds mentor capacity 0\n" + ASK)
    assert "Dr Singh" not in blocks(out, "[private @carol]")[-1]


async def test_a_mentor_is_never_suggested_to_themself(transcript: Transcript) -> None:
    out = await transcript(COMMUNITY + 'lee: /rounds mentor request goals="research"')
    shown = blocks(out, "[private @lee]")[-1]
    assert "Dr Lee" not in shown and "Dr Okafor" in shown


async def test_paused_left_and_no_longer_willing_mentors_are_not_suggested(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + "okafor: /rounds mentor pause\nleave singh\nlee: /rounds profile set mentor=no\n"
        + ASK
    )
    assert blocks(out, "[private @carol]")[-1].startswith("No mentor with room fits yet")


async def test_members_who_never_offered_are_not_mentors(transcript: Transcript) -> None:
    out = await transcript(
        "clock 2026-03-02 09:00 UTC\njoin amara\njoin carol\n"
        'carol: /rounds mentor request goals="operations"'
    )
    assert "No mentor with room fits yet" in out


# -- the database ranks as the scores say -----------------------------------------------------
async def random_mentors(transcript: Transcript, count: int, seed: int = 42) -> None:
    """`count` members m0, m1, … with random profiles, all open to mentoring, a third offered."""
    rng = random.Random(seed)
    zones = ("Africa/Lagos", "Europe/London", "Asia/Kolkata", "America/Chicago", None)
    specialties = ("emergency medicine", "Paediatrics", "surgery", None)
    areas = ("operations", "policy", "quality improvement", "research", "equity")
    lines = ["clock 2026-03-02 09:00 UTC", "join amara"]
    for n in range(count):
        fields = [f"stage={rng.choice(STAGES)}", f"institution=I{n % 4}", "mentor=yes"]
        if specialty := rng.choice(specialties):
            fields.append(f'specialty="{specialty}"')
        if zone := rng.choice(zones):
            fields.append(f"timezone={zone}")
        picked = rng.sample(areas, rng.randint(0, 3))
        if picked:
            fields.append(f'interests="{", ".join(picked)}"')
        lines += [f"join m{n}", f"m{n}: /rounds profile set {' '.join(fields)}"]
        if n % 3 == 0:
            lines.append(
                f'm{n}: /rounds mentor offer capacity={1 + n % 3} areas="{rng.choice(areas)}"'
            )
    await transcript("\n".join(lines))


async def test_the_database_ranks_many_mentors_exactly_as_the_scores_say(
    transcript: Transcript, store: SqlStore
) -> None:
    await random_mentors(transcript, 40)
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        everyone = await tx.members.by_user_ids(space.id, [f"m{n}" for n in range(40)])
        by_id = {m.id: m for m in everyone.values()}
        for mentee_name, goals, outside in (
            ("m1", "operations and policy", False),
            ("m2", "research, equity", True),
            ("m5", "", False),
        ):
            mentee = everyone[mentee_name]
            wanted = query(mentee, goals, START, outside=outside, limit=100)
            found = await tx.repo(MENTORSHIP).find_mentors(space.id, wanted)
            scored = [explain(mentee, goals, by_id[c.member_id], c, START) for c in found]
            assert [m.member.id for m in rank(scored, 100)] == [c.member_id for c in found]
            expected = {
                m.id
                for m in everyone.values()
                if m.id != mentee.id
                and not (outside and m.profile.institution == mentee.profile.institution)
            }
            assert {c.member_id for c in found} == expected


async def test_the_sharing_pass_ranks_exactly_the_mentors_sharing_that_many_areas(
    transcript: Transcript, store: SqlStore
) -> None:
    await random_mentors(transcript, 40, seed=3)
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        everyone = await tx.members.by_user_ids(space.id, [f"m{n}" for n in range(40)])
        by_id = {m.id: m for m in everyone.values()}
        repo = tx.repo(MENTORSHIP)
        for mentee_name, goals in (
            ("m1", "operations and policy, research"),
            ("m2", "equity, quality improvement and research"),
        ):
            wanted = query(everyone[mentee_name], goals, START, outside=False, limit=100)
            every = await repo.find_mentors(space.id, wanted)
            for least in (1, 2):
                found = await repo.find_mentors(space.id, replace(wanted, sharing=least))
                expected = [
                    c
                    for c in every
                    if len(
                        [a for a in areas_of(by_id[c.member_id], c) if a.lower() in wanted.areas]
                    )
                    >= least
                ]
                assert found == expected
                assert 0 < len(expected) < len(every)


async def test_the_quick_first_pass_finds_the_same_three_as_ranking_everyone(
    transcript: Transcript, store: SqlStore
) -> None:
    await random_mentors(transcript, 60, seed=7)
    passes = {"first": 0, "all": 0}
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(CONSOLE)
        everyone = await tx.members.by_user_ids(space.id, [f"m{n}" for n in range(60)])
        by_id = {m.id: m for m in everyone.values()}
        repo = tx.repo(MENTORSHIP)

        async def send(delivery: object) -> bool:
            return True

        scope = Scope(tx, space.id, START, {}, send)
        for n, goals in enumerate(("operations, policy", "research", "equity and policy", "")):
            for name in (f"m{i}" for i in range(n, 60, 4)):
                mentee = everyone[name]
                request = await repo.add_request(space.id, mentee.id, goals, n % 2 == 1, START)
                found = await find(scope, mentee, request)
                wanted = query(
                    mentee, goals, START, outside=request.outside, request_id=request.id, limit=100
                )
                every = await repo.find_mentors(space.id, wanted)
                best = rank([explain(mentee, goals, by_id[c.member_id], c, START) for c in every])
                assert [(m.member.id, m.score) for m in found] == [
                    (m.member.id, m.score) for m in best
                ]
                quick = []
                if wanted.specialty:
                    first = await repo.find_mentors(space.id, replace(wanted, specialty_only=True))
                    quick = rank(
                        [explain(mentee, goals, by_id[c.member_id], c, START) for c in first]
                    )
                enough = len(quick) == 3 and quick[-1].score > ceiling_elsewhere(wanted)
                passes["first" if enough else "all"] += 1
    assert passes["first"] and passes["all"]  # both ways of answering were exercised


async def test_a_mentor_who_left_and_came_back_is_suggested_again_and_told(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + "okafor: /rounds mentor pause\nlee: /rounds profile set mentor=no\n"
        + "leave singh\njoin singh\n"
        + ASK
    )
    back = blocks(out, "[dm @singh]")[-1]
    assert back.startswith("Welcome back! Your offer to mentor is open again (up to 1 mentee)")
    assert "`/rounds mentor pause`" in back
    assert "Dr Singh" in blocks(out, "[private @carol]")[-1]


async def test_a_member_who_left_without_offering_to_mentor_is_not_made_a_mentor(
    transcript: Transcript,
) -> None:
    out = await transcript(
        COMMUNITY
        + "okafor: /rounds mentor pause\nsingh: /rounds profile set mentor=no\n"
        + "lee: /rounds profile set mentor=no\nleave singh\njoin singh\n"
        + ASK
    )
    assert not any(b.startswith("Welcome back!") for b in blocks(out, "[dm @singh]"))
    assert blocks(out, "[private @carol]")[-1].startswith("No mentor with room fits yet")
