"""The pairing algorithm on generated communities: exclusions are absolute, nobody is paired
twice in a round, and a repeat pairing happens only when no fresh pairing exists."""

from __future__ import annotations

import itertools
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.features.network._pairing import EXACT_LIMIT, Candidate, Pairing, pair_members


@st.composite
def communities(draw: st.DrawFn, low: int = 2, high: int = EXACT_LIMIT) -> tuple:
    n = draw(st.integers(low, high))
    ids = list(range(1, n + 1))
    pairs = list(itertools.combinations(ids, 2))
    history = {frozenset(p) for p in draw(st.lists(st.sampled_from(pairs), max_size=len(pairs)))}
    exclusions = set(draw(st.lists(st.sampled_from(pairs), max_size=max(1, n // 2))))
    institutions = draw(st.lists(st.sampled_from(["a", "b", None]), min_size=n, max_size=n))
    candidates = [
        Candidate(i, institutions[i - 1], frozenset({f"t{i % 3}"}), float(i % 5)) for i in ids
    ]
    return candidates, history, exclusions


def blocked(exclusions: set[tuple[int, int]]) -> set[frozenset[int]]:
    return {frozenset(p) for p in exclusions}


def check_shape(pairing: Pairing, candidates: list[Candidate], exclusions: set) -> None:
    members = [m for g in pairing.groups for m in g]
    assert len(members) == len(set(members)), "someone is in two groups"
    assert set(members) | set(pairing.unmatched) == {c.id for c in candidates}
    assert all(len(g) in (2, 3) for g in pairing.groups)
    assert sum(len(g) == 3 for g in pairing.groups) <= 1
    forbidden = blocked(exclusions)
    for group in pairing.groups:
        for a, b in itertools.combinations(group, 2):
            assert frozenset((a, b)) not in forbidden, "an exclusion was broken"


def repeats(groups: list[tuple[int, ...]], history: set[frozenset[int]]) -> int:
    return sum(frozenset(p) in history for g in groups for p in itertools.combinations(g, 2))


def fewest_repeats_possible(
    ids: list[int], history: set[frozenset[int]], forbidden: set[frozenset[int]]
) -> tuple[int, int]:
    """Brute force: (fewest unmatched, then fewest repeats) over all valid pairings."""
    best = (len(ids), 10**9)

    def search(rest: list[int], unmatched: int, reps: int, triple: bool) -> None:
        nonlocal best
        if not rest:
            best = min(best, (unmatched, reps))
            return
        first, others = rest[0], rest[1:]
        for i, second in enumerate(others):
            if frozenset((first, second)) in forbidden:
                continue
            remaining = others[:i] + others[i + 1 :]
            rep = frozenset((first, second)) in history
            search(remaining, unmatched, reps + rep, triple)
            if not triple:
                for j, third in enumerate(remaining):
                    trio = [(first, third), (second, third)]
                    if any(frozenset(p) in forbidden for p in trio):
                        continue
                    extra = sum(frozenset(p) in history for p in trio)
                    search(remaining[:j] + remaining[j + 1 :], unmatched, reps + rep + extra, True)
        search(others, unmatched + 1, reps, triple)

    search(ids, 0, 0, False)
    return best


@settings(max_examples=150, deadline=None)
@given(communities(low=2, high=8))
def test_small_communities_get_the_fewest_repeats_possible(community: tuple) -> None:
    candidates, history, exclusions = community
    pairing = pair_members(candidates, history, exclusions)
    check_shape(pairing, candidates, exclusions)
    ids = sorted(c.id for c in candidates)
    unmatched, reps = fewest_repeats_possible(ids, history, blocked(exclusions))
    assert len(pairing.unmatched) == unmatched
    assert repeats(pairing.groups, history) == reps


@settings(max_examples=40, deadline=None)
@given(st.integers(30, 300), st.integers(0, 10_000))
def test_large_communities_never_repeat_while_fresh_partners_abound(n: int, seed: int) -> None:
    rng = random.Random(seed)
    ids = list(range(1, n + 1))
    candidates = [
        Candidate(
            i,
            rng.choice("abcde"),
            frozenset(rng.sample(["qi", "sim", "ed", "gh"], 2)),
            float(rng.choice([-6, 0, 1, 5.5, 10])),
        )
        for i in ids
    ]
    shuffled = ids[:]
    rng.shuffle(shuffled)
    history = {frozenset(shuffled[i : i + 2]) for i in range(0, n - 1, 2)}  # last round
    exclusions = {(rng.choice(ids), rng.choice(ids)) for _ in range(n // 5)}
    pairing = pair_members(candidates, history, exclusions, seed=seed)
    check_shape(pairing, candidates, exclusions)
    assert repeats(pairing.groups, history) == 0
    assert len(pairing.unmatched) == 0


@settings(max_examples=60, deadline=None)
@given(communities(low=EXACT_LIMIT + 1, high=40))
def test_exclusions_are_absolute_in_large_communities(community: tuple) -> None:
    candidates, history, exclusions = community
    check_shape(pair_members(candidates, history, exclusions), candidates, exclusions)


def test_different_institutions_and_shared_interests_are_preferred() -> None:
    candidates = [
        Candidate(1, "luth", frozenset({"qi"})),
        Candidate(2, "luth", frozenset({"sim"})),
        Candidate(3, "korle bu", frozenset({"qi"})),
        Candidate(4, "korle bu", frozenset({"sim"})),
    ]
    pairing = pair_members(candidates, set(), set())
    assert sorted(map(sorted, pairing.groups)) == [[1, 3], [2, 4]]


def test_an_odd_member_makes_one_group_of_three() -> None:
    pairing = pair_members([Candidate(i) for i in range(1, 6)], set(), set())
    assert sorted(len(g) for g in pairing.groups) == [2, 3]
    assert pairing.unmatched == []


def test_a_member_excluded_by_everyone_is_left_unmatched() -> None:
    exclusions = {(1, 2), (3, 1)}
    pairing = pair_members([Candidate(i) for i in (1, 2, 3)], set(), exclusions)
    assert pairing.groups == [(2, 3)]
    assert pairing.unmatched == [1]
