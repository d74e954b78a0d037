"""Pairing for networking rounds: a pure function, so it is tested on generated communities.

Exclusions are absolute. A repeat pairing happens only when no fresh partner can be found.
Among fresh partners the score prefers different institutions, shared interests or goals, and
overlapping waking hours. An odd member joins one pair as a group of three.

Small communities (up to `EXACT_LIMIT` members) are solved exactly by search; larger ones
greedily (hardest members first, sampling candidates) and then repaired by swaps, which keeps
10,000 members well under a few seconds.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

REPEAT_PENALTY = 100.0
SAMPLES = 40
EXACT_LIMIT = 10


@dataclass(frozen=True)
class Candidate:
    id: int
    institution: str | None = None
    interests: frozenset[str] = frozenset()
    utc_offset: float = 0.0  # hours, at the round's start


@dataclass
class Pairing:
    groups: list[tuple[int, ...]] = field(default_factory=list)
    unmatched: list[int] = field(default_factory=list)


class Rules:
    def __init__(
        self,
        candidates: Iterable[Candidate],
        history: set[frozenset[int]],
        exclusions: set[tuple[int, int]],
    ) -> None:
        self.by_id = {c.id: c for c in candidates}
        self.history = history
        self.blocked = {frozenset(pair) for pair in exclusions if pair[0] != pair[1]}

    def allowed(self, a: int, b: int) -> bool:
        return a != b and frozenset((a, b)) not in self.blocked

    def fresh(self, a: int, b: int) -> bool:
        return frozenset((a, b)) not in self.history

    def score(self, a: int, b: int) -> float:
        """Higher is better; assumes the pair is allowed."""
        x, y = self.by_id[a], self.by_id[b]
        value = 0.0 if self.fresh(a, b) else -REPEAT_PENALTY
        if x.institution and y.institution:
            value += 3.0 if x.institution != y.institution else 0.0
        else:
            value += 1.0
        value += 2.0 * min(3, len(x.interests & y.interests))
        value += waking_overlap(x.utc_offset, y.utc_offset) / 4.0
        return value


def hours_apart(a: float, b: float) -> float:
    diff = abs(a - b) % 24
    return min(diff, 24 - diff)


def waking_overlap(a: float, b: float, waking_hours: float = 14.0) -> float:
    """Hours both are awake, taking 08:00–22:00 local as waking time."""
    return max(0.0, waking_hours - hours_apart(a, b))


def pair_members(
    candidates: list[Candidate],
    history: set[frozenset[int]],
    exclusions: set[tuple[int, int]],
    *,
    seed: int = 0,
) -> Pairing:
    rules = Rules(candidates, history, exclusions)
    ids = sorted(rules.by_id)
    rng = random.Random(seed)
    if len(ids) <= EXACT_LIMIT:
        return _exact(ids, rules)
    pairing = _greedy(ids, rules, rng)
    _repair_repeats(pairing, rules)
    _place_leftovers(pairing, rules)
    return pairing


# -- exact search for small communities ----------------------------------------------------------
def _exact(ids: list[int], rules: Rules) -> Pairing:
    """Best pairing by search: fewest unmatched, then fewest repeats, then highest score."""
    best: tuple[tuple[float, float, float], list[tuple[int, ...]]] | None = None

    def value(groups: list[tuple[int, ...]], unmatched: int) -> tuple[float, float, float]:
        repeats = sum(
            not rules.fresh(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1 :]
        )
        score = sum(rules.score(a, b) for g in groups for i, a in enumerate(g) for b in g[i + 1 :])
        return (-unmatched, -repeats, score)

    def search(
        rest: list[int], groups: list[tuple[int, ...]], unmatched: int, triple: bool
    ) -> None:
        nonlocal best
        if best is not None and -unmatched < best[0][0]:
            return  # already leaves out more members than the best pairing found
        if not rest:
            candidate = value(groups, unmatched)
            if best is None or candidate > best[0]:
                best = (candidate, list(groups))
            return
        first, others = rest[0], rest[1:]
        for i, second in enumerate(others):
            if not rules.allowed(first, second):
                continue
            remaining = others[:i] + others[i + 1 :]
            search(remaining, [*groups, (first, second)], unmatched, triple)
            if not triple and len(rest) % 2 == 1:
                for j, third in enumerate(remaining):
                    if rules.allowed(first, third) and rules.allowed(second, third):
                        search(
                            remaining[:j] + remaining[j + 1 :],
                            [*groups, (first, second, third)],
                            unmatched,
                            True,
                        )
        search(others, groups, unmatched + 1, triple)

    search(ids, [], 0, False)
    assert best is not None
    groups = best[1]
    matched = {m for g in groups for m in g}
    return Pairing(groups, [m for m in ids if m not in matched])


# -- greedy with repair for large communities ---------------------------------------------------
def _greedy(ids: list[int], rules: Rules, rng: random.Random) -> Pairing:
    degree: dict[int, int] = defaultdict(int)
    for pair in rules.history | rules.blocked:
        for member in pair:
            degree[member] += 1
    order = ids[:]
    rng.shuffle(order)
    order.sort(key=lambda m: -degree[m])  # the most constrained choose first

    pool = order[:]
    position = {m: i for i, m in enumerate(pool)}

    def take(member: int) -> None:
        i = position.pop(member)
        last = pool.pop()
        if last != member:
            pool[i] = last
            position[last] = i

    by_interest: dict[str, list[int]] = defaultdict(list)
    for member in ids:
        for interest in rules.by_id[member].interests:
            by_interest[interest].append(member)

    pairing = Pairing()
    for member in order:
        if member not in position:
            continue
        take(member)
        partner = _best_partner(member, pool, position, by_interest, rules, rng)
        if partner is None:
            pairing.unmatched.append(member)
            continue
        take(partner)
        pairing.groups.append((member, partner))
    return pairing


def _best_partner(
    member: int,
    pool: list[int],
    position: dict[int, int],
    by_interest: dict[str, list[int]],
    rules: Rules,
    rng: random.Random,
) -> int | None:
    if not pool:
        return None
    seen: set[int] = set()
    for interest in rules.by_id[member].interests:
        for other in by_interest[interest][:20]:
            if other in position:
                seen.add(other)
    for _ in range(min(SAMPLES, len(pool))):
        seen.add(pool[rng.randrange(len(pool))])
    options = [o for o in seen if rules.allowed(member, o)]
    fresh = [o for o in options if rules.fresh(member, o)]
    if not fresh:  # look everywhere before accepting a repeat
        fresh = [o for o in pool if rules.allowed(member, o) and rules.fresh(member, o)]
        if fresh:
            options = fresh
        elif not options:
            options = [o for o in pool if rules.allowed(member, o)]
    candidates = fresh or options
    if not candidates:
        return None
    return max(candidates, key=lambda o: (rules.score(member, o), -o))


def _repair_repeats(pairing: Pairing, rules: Rules) -> None:
    """Swap partners between a repeat pair and another pair when both new pairs are fresh."""
    groups = pairing.groups
    for i, group in enumerate(groups):
        if len(group) != 2 or rules.fresh(*group):
            continue
        a, b = group
        for j, other in enumerate(groups):
            if j == i or len(other) != 2:
                continue
            c, d = other
            for x, y in (((a, c), (b, d)), ((a, d), (b, c))):
                if all(rules.allowed(*p) and rules.fresh(*p) for p in (x, y)):
                    groups[i], groups[j] = x, y
                    break
            else:
                continue
            break


def _place_leftovers(pairing: Pairing, rules: Rules) -> None:
    """Pair leftovers with each other, through a swap, or make one group of three."""
    leftovers = pairing.unmatched
    pairing.unmatched = []
    while len(leftovers) >= 2:
        u = leftovers.pop()
        partner = next((v for v in leftovers if rules.allowed(u, v)), None)
        if partner is not None:
            leftovers.remove(partner)
            pairing.groups.append((u, partner))
            continue
        v = leftovers.pop()
        if not _swap_in(pairing, rules, u, v):
            pairing.unmatched.append(v)
            leftovers.append(u)
            break
    for u in leftovers:
        if not _join_a_pair(pairing, rules, u):
            pairing.unmatched.append(u)


def _swap_in(pairing: Pairing, rules: Rules, u: int, v: int) -> bool:
    for i, group in enumerate(pairing.groups):
        if len(group) != 2:
            continue
        c, d = group
        for x, y in (((u, c), (v, d)), ((u, d), (v, c))):
            if rules.allowed(*x) and rules.allowed(*y):
                pairing.groups[i] = x
                pairing.groups.append(y)
                return True
    return False


def _join_a_pair(pairing: Pairing, rules: Rules, u: int) -> bool:
    if any(len(g) == 3 for g in pairing.groups):
        best_groups = [i for i, g in enumerate(pairing.groups) if len(g) == 2]
    else:
        best_groups = list(range(len(pairing.groups)))
    options = [
        i
        for i in best_groups
        if len(pairing.groups[i]) == 2 and all(rules.allowed(u, m) for m in pairing.groups[i])
    ]
    if not options:
        return False
    i = max(
        options,
        key=lambda k: (
            all(rules.fresh(u, m) for m in pairing.groups[k]),
            sum(rules.score(u, m) for m in pairing.groups[k]),
        ),
    )
    pairing.groups[i] = (*pairing.groups[i], u)
    return True
