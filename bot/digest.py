"""What programmes contribute to the managers' weekly digest and chart, through the router:
a section of lines (each naming the command that acts on it) and weekly counts for the chart.
The insight feature assembles them; a new programme adds itself by declaring its own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.ports import Tx


@dataclass(frozen=True)
class DigestContext:
    """What a digest section reads: one transaction, the space, and the week it covers."""

    tx: Tx
    space_id: int
    now: datetime
    since: datetime
    """The start of the week the digest covers (it ends at `now`)."""
    settings: Mapping[str, str]


@dataclass(frozen=True)
class DigestSection:
    title: str
    lines: tuple[str, ...]
    """Bullet lines, each naming the command that acts on it."""


SectionMaker = Callable[[DigestContext], Awaitable["DigestSection | None"]]
"""A programme's section; None when it has nothing to say (the section is left out)."""

WeeklyCount = Callable[[Tx, int, Sequence[datetime]], Awaitable[list[int]]]
"""Counts per week for one space: `bounds` are the weeks' edges, oldest first (one more than
there are weeks); week i is [bounds[i], bounds[i+1]). Counted in SQL, never row by row."""


@dataclass(frozen=True)
class Trend:
    """One series of the weekly chart (new members, check-ins, RSVPs, questions, answers)."""

    label: str
    count: WeeklyCount
    order: int = 50
    """Position in the chart's legend (members 0, check-ins 10, RSVPs 20, Q&A 30-40)."""
