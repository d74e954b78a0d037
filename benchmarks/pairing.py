"""Pairing 10,000 opted-in members for a networking round (target: under 5 seconds).

Pure algorithm time, with a realistic community: five institutions per hundred members,
interests from a pool of forty, time zones across the world, two earlier rounds of history
and a few hundred exclusions. Run: `python -m benchmarks.pairing`.
"""

from __future__ import annotations

import random
import time

from bot.features.network._pairing import Candidate, pair_members

MEMBERS = 10_000
INTERESTS = [f"topic {i}" for i in range(40)]
OFFSETS = [-8, -6, -5, -3, 0, 1, 2, 3, 5.5, 8, 9, 10]


def community(rng: random.Random) -> tuple[list[Candidate], set[frozenset[int]], set]:
    candidates = [
        Candidate(
            i,
            f"institution {rng.randrange(MEMBERS // 20)}",
            frozenset(rng.sample(INTERESTS, 3)),
            float(rng.choice(OFFSETS)),
        )
        for i in range(MEMBERS)
    ]
    history: set[frozenset[int]] = set()
    for _ in range(2):
        order = list(range(MEMBERS))
        rng.shuffle(order)
        history |= {frozenset(order[i : i + 2]) for i in range(0, MEMBERS - 1, 2)}
    exclusions = {(rng.randrange(MEMBERS), rng.randrange(MEMBERS)) for _ in range(300)}
    return candidates, history, exclusions


def main() -> None:
    candidates, history, exclusions = community(random.Random(11))
    started = time.perf_counter()
    pairing = pair_members(candidates, history, exclusions, seed=3)
    elapsed = time.perf_counter() - started
    repeats = sum(frozenset(g[:2]) in history for g in pairing.groups)
    print(
        f"pairing: {MEMBERS:,} members in {elapsed:.2f} s: {len(pairing.groups):,} groups, "
        f"{len(pairing.unmatched)} unmatched, {repeats} repeats"
    )


if __name__ == "__main__":
    main()
