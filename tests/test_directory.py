"""The member directory matches the way people write: any case, with or without accents, in any
script, ranked, within one space, and never fooled by search syntax in what a member types."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import storage.directory
from bot.domain import DirectoryHit, DirectoryQuery, Profile, SpaceKey
from storage.directory import BUDGET, PROBE
from storage.store import SqlStore
from tests.conftest import START, Transcript

SETUP = """
clock 2026-03-02 09:00 UTC
join amara
amara: /rounds profile set name="Amara Eze" role=physician specialty="Évaluation des technologies" region="Île-de-France" interests="Santé publique"
join li
li: /rounds profile set name="李明" role=resident specialty=cardiology region=北京 interests="🩺 bedside teaching, AI in medicine"
join ben
ben: /rounds profile set name="Ben Osei" role=resident specialty=paediatrics region="West Africa" interests="simulation"
"""


def names(out: str) -> list[str]:
    """The members listed in the last directory answer."""
    answer = out.split("[private @ben]\n")[-1]
    return [line.split("**")[1] for line in answer.splitlines() if line.startswith("  - ")]


@pytest.mark.parametrize(
    "search",
    [
        'region="Île-de-France"',
        "region=ile-de-france",
        "region=ÎLE-DE-FRANCE",
        "specialty=Évaluation",
        "specialty=evaluation",
        'interest="sante publique"',
        "ÉVALUATION",
    ],
)
async def test_find_ignores_case_and_accents(transcript: Transcript, search: str) -> None:
    out = await transcript(SETUP + f"ben: /rounds find {search}")
    assert names(out) == ["Amara Eze"]


@pytest.mark.parametrize(
    "search", ["李明", "🩺 bedside", "region=北京", "北京", "ai", "AI medicine"]
)
async def test_find_matches_any_script_and_short_words(transcript: Transcript, search: str) -> None:
    out = await transcript(SETUP + f"ben: /rounds find {search}")
    assert names(out) == ["李明"]


@pytest.mark.parametrize("search", ["李", "🩺"])
async def test_find_a_single_character(transcript: Transcript, search: str) -> None:
    out = await transcript(SETUP + f"ben: /rounds find {search}")
    assert names(out) == ["李明"]


async def directory(
    store: SqlStore, profiles: dict[str, Profile], space: str = "console"
) -> dict[str, int]:
    """Members with these profiles in one space; returns their member ids by user id."""
    ids = {}
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(SpaceKey("console", space))
        for user_id, profile in profiles.items():
            member = await tx.members.add(found.id, user_id, user_id, START)
            await tx.members.save_profile(found.id, member.id, profile)
            ids[user_id] = member.id
    return ids


async def find(store: SqlStore, space: str = "console", **query: object) -> list[DirectoryHit]:
    async with store.transaction() as tx:
        found = await tx.spaces.get_or_create(SpaceKey("console", space))
        return await tx.directory.find(found.id, DirectoryQuery(**query))  # type: ignore[arg-type]


def users(hits: list[DirectoryHit]) -> list[str]:
    return [hit.member.user_id for hit in hits]


PEOPLE = {
    "amara": Profile(name="Amara", specialty="Évaluation", region="Île-de-France"),
    "li": Profile(name="李明", region="北京", interests=("🩺 teaching",)),
    "ben": Profile(name="Ben", specialty="paediatric surgery", interests=("AI", "simulation")),
}


async def test_the_repository_finds_a_single_character_of_an_unspaced_script(
    store: SqlStore,
) -> None:
    await directory(store, PEOPLE)
    assert users(await find(store, words=("李",))) == ["li"]
    assert users(await find(store, words=("明",))) == ["li"]
    assert users(await find(store, words=("🩺",))) == ["li"]


async def test_a_short_word_matches_a_whole_word_not_part_of_one(store: SqlStore) -> None:
    await directory(
        store, {**PEOPLE, "craig": Profile(name="Craig", institution="Maidstone Hospital")}
    )
    assert users(await find(store, words=("ai",))) == ["ben"]  # his interest "AI"
    assert users(await find(store, words=("AI", "craig"))) == ["ben", "craig"]
    assert await find(store, words=("e",)) == []  # single letters would match nearly everyone


async def test_a_profile_change_removes_old_matches(store: SqlStore) -> None:
    ids = await directory(store, PEOPLE)
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SpaceKey("console", "console"))
        profile = Profile(name="Amara", specialty="oncology")
        await tx.members.save_profile(space.id, ids["amara"], profile)
    assert await find(store, words=("evaluation",)) == []
    assert await find(store, region="ile-de-france") == []
    assert await find(store, specialty="Évaluation") == []
    assert users(await find(store, specialty="oncology")) == ["amara"]


async def test_a_new_display_name_is_searchable_and_the_old_one_is_not(store: SqlStore) -> None:
    ids = await directory(store, PEOPLE)
    async with store.transaction() as tx:
        space = await tx.spaces.get_or_create(SpaceKey("console", "console"))
        await tx.members.rename(space.id, ids["ben"], "Benedict")
    assert users(await find(store, words=("benedict",))) == ["ben"]
    assert users(await find(store, words=("ben",))) == ["ben"]  # his profile name is still Ben


async def test_ranking_exact_fields_then_words_then_id(store: SqlStore) -> None:
    await directory(
        store,
        {
            "partial": Profile(name="P", specialty="paediatric surgery", interests=("sim",)),
            "exact_one_word": Profile(name="E1", specialty="surgery", interests=("sim",)),
            "exact_two_words": Profile(name="E2", specialty="surgery", interests=("sim", "ai")),
            "partial_two_words": Profile(name="P2", specialty="neurosurgery", goals=("sim ai",)),
            "exact_no_word": Profile(name="E0", specialty="surgery"),
        },
    )
    hits = await find(store, specialty="surgery", words=("sim", "ai"))
    assert users(hits) == ["exact_two_words", "exact_one_word", "partial_two_words", "partial"]
    assert [(hit.exact, hit.words) for hit in hits] == [
        (("specialty",), 2),
        (("specialty",), 1),
        ((), 2),
        ((), 1),
    ]


async def test_ranking_holds_when_many_members_match(store: SqlStore) -> None:
    many = {f"m{i:03d}": Profile(name=f"M{i}", interests=("global health",)) for i in range(PROBE)}
    both = {"late": Profile(name="Late", interests=("global health", "zebra care"))}
    ids = await directory(store, {**many, **both})
    hits = await find(store, words=("health", "zebra"))
    assert users(hits)[:2] == ["late", "m000"]
    assert len(hits) == 10
    assert [hit.member.id for hit in hits[1:]] == sorted(ids[u] for u in list(many)[:9])
    health = await find(store, words=("health",), interest="global health")
    assert [hit.exact for hit in health] == [("interest",)] * 10


@pytest.mark.parametrize("budget", [BUDGET, 10_000], ids=["scored at once", "tier by tier"])
async def test_ranking_holds_for_many_words_that_few_members_share(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, budget: int
) -> None:
    monkeypatch.setattr(storage.directory, "BUDGET", budget)
    common = ("alpha", "bravo", "charlie", "delta")
    many = {f"m{i:03d}": Profile(name=f"M{i}", interests=common) for i in range(PROBE)}
    rare = {
        "six": Profile(name="Six", interests=(*common, "echo", "foxtrot")),
        "five": Profile(name="Five", interests=(*common, "golf")),
    }
    ids = await directory(store, {**many, **rare})
    words = (*common, "echo", "foxtrot", "golf", "hotel")
    hits = await find(store, words=words)
    assert users(hits)[:2] == ["six", "five"]
    assert [hit.words for hit in hits] == [6, 5] + [4] * 8
    assert [hit.member.id for hit in hits[2:]] == sorted(ids[u] for u in list(many)[:8])


QUERIES = [
    {"words": ("surgery", "sim")},
    {"words": ("care", "ai", "uk", "北京", "teaching", "sim", "zebra", "lagos")},
    {"specialty": "surgery", "words": ("sim", "ai")},
    {"specialty": "surgery", "region": "uk", "interest": "sim", "words": ("care", "北京")},
    {"specialty": "surgery", "region": "北京"},
    {"interest": "teaching", "stage": "senior", "mentor": True, "words": ("uk", "lagos")},
]


def community(size: int) -> dict[str, Profile]:
    """Varied profiles, so that scores spread over every tier."""
    specialties = ("surgery", "paediatric surgery", "neurosurgery", "care", "oncology")
    regions = ("UK", "Lagos", "北京", "uk north", "Accra")
    interests = ("sim", "AI", "teaching", "critical care", "simulation lab", "zebra")
    return {
        f"p{i:03d}": Profile(
            name=f"P{i}",
            stage=("senior", "trainee")[i % 2],
            specialty=specialties[i % 5],
            region=regions[i * 7 % 5],
            interests=tuple(interests[j] for j in range(6) if (i >> j) % 3 == 0),
            open_to_mentor=i % 3 == 0,
        )
        for i in range(size)
    }


@pytest.mark.parametrize("query", QUERIES, ids=[str(sorted(q)) for q in QUERIES])
async def test_every_way_of_ranking_agrees_with_scoring_everyone(
    store: SqlStore, monkeypatch: pytest.MonkeyPatch, query: dict[str, object]
) -> None:
    from storage.directory_plan import Plan, holds
    from storage.models import MemberRow

    await directory(store, community(PROBE + 60))
    plan = Plan.of(DirectoryQuery(**query))  # type: ignore[arg-type]
    async with store.sessions() as session:
        rows = (await session.execute(select(MemberRow))).scalars()
        expected = sorted(
            (-len(plan.score(row)[0]), -plan.score(row)[1], row.id)
            for row in rows
            if holds(plan.candidates(), row)
            and (not query.get("stage") or row.stage == query["stage"])
            and (query.get("mentor") is None or row.open_to_mentor == query["mentor"])
        )[:10]
    for budget in (0, BUDGET, 10_000):
        monkeypatch.setattr(storage.directory, "BUDGET", budget)
        hits = await find(store, **query)
        assert [(-len(h.exact), -h.words, h.member.id) for h in hits] == expected, budget


async def test_find_returns_at_most_the_limit_in_id_order(store: SqlStore) -> None:
    ids = await directory(
        store, {f"m{i:02d}": Profile(name=f"M{i}", specialty="cardiology") for i in range(15)}
    )
    hits = await find(store, words=("cardio",))
    assert [hit.member.id for hit in hits] == sorted(ids.values())[:10]


async def test_two_spaces_never_see_each_others_members(store: SqlStore) -> None:
    await directory(store, PEOPLE, space="one")
    await directory(store, {"zoe": Profile(name="Zoë", specialty="Évaluation")}, space="two")
    assert users(await find(store, space="one", specialty="evaluation")) == ["amara"]
    assert users(await find(store, space="two", specialty="evaluation")) == ["zoe"]
    assert users(await find(store, space="two", words=("李",))) == []
    assert users(await find(store, space="two", mentor=None, stage=None, words=("zoe",))) == ["zoe"]


HOSTILE = [
    "%",
    "_",
    "%%%",
    "___",
    "'",
    "''",
    '"',
    '""',
    '"*"',
    "*",
    "a*",
    "NEAR",
    "NEAR(a b)",
    "OR",
    "AND",
    "NOT",
    "(",
    ")",
    "()",
    "{search_text}",
    "search_text:",
    "search_text : x",
    "^a",
    "-",
    ":",
    "\\",
    "'; drop table members; --",
    "\x00",
    "x" * 5000,
]


@pytest.mark.parametrize("word", HOSTILE)
async def test_hostile_words_neither_fail_nor_match_everyone(store: SqlStore, word: str) -> None:
    await directory(store, PEOPLE)
    assert await find(store, words=(word,)) == []
    assert await find(store, specialty=word) == []
    assert await find(store, region=word, interest=word) == []
    assert users(await find(store, words=(word, "ben"))) == ["ben"]


async def test_search_syntax_in_a_profile_is_found_literally(store: SqlStore) -> None:
    await directory(
        store,
        {
            "odd": Profile(name='Quote " Star * NEAR(x) 100% a_b'),
            "plain": Profile(name="Plain near star"),
        },
    )
    assert users(await find(store, words=('" star',))) == ["odd"]
    assert users(await find(store, words=("100%",))) == ["odd"]
    assert users(await find(store, words=("a_b",))) == ["odd"]
    assert users(await find(store, words=("near(x)",))) == ["odd"]
    assert await find(store, words=('"', "*")) == []  # lone punctuation is no search term
