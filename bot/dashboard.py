"""What the managers' web dashboard shows, in neutral terms: pages made of figures, tables,
notes and the weekly chart. Programmes declare their own page through the router (as they do
digest sections); the web package renders them as HTML and CSV and never learns what they mean.

Nothing here may carry text a member wrote, except question titles (and never one the
patient-information guard flags): tables hold display names, numbers, dates and labels.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.ports import Tx
from bot.router import Router

Cell = str | int | float | datetime | None
"""A table cell: text, a number, a moment (shown in the community's time zone), or empty."""


@dataclass(frozen=True)
class Column:
    label: str
    numeric: bool = False
    choices: bool = False
    """Offer a filter by this column's values (who, what)."""


@dataclass(frozen=True)
class Table:
    """Rows a manager reads, sorts, filters and downloads as CSV (exactly what is shown)."""

    name: str
    """Its name in the page, in URLs and in the CSV's file name: lowercase, no spaces."""
    caption: str
    columns: tuple[Column, ...]
    rows: tuple[tuple[Cell, ...], ...]
    empty: str = "Nothing here yet."


@dataclass(frozen=True)
class Figures:
    """A few labelled numbers, read at a glance."""

    items: tuple[tuple[str, str], ...]
    title: str = ""


@dataclass(frozen=True)
class Note:
    """A sentence of explanation (plain text)."""

    text: str


@dataclass(frozen=True)
class Chart:
    """Counts per week, one series per programme trend; the renderer draws it."""

    title: str
    starts: tuple[datetime, ...]
    """Each week's first moment, oldest first."""
    series: tuple[tuple[str, tuple[int, ...]], ...]


Block = Figures | Table | Note | Chart


@dataclass(frozen=True)
class BoardContext:
    """What a page reads: one read transaction, the session's community, and the time."""

    tx: Tx
    space_id: int
    now: datetime
    settings: Mapping[str, str]
    router: Router


PageMaker = Callable[[BoardContext], Awaitable[Sequence[Block]]]
HealthLine = Callable[[BoardContext], Awaitable[str]]


@dataclass(frozen=True)
class BoardPage:
    """One page of the dashboard. `health`, when given, is the programme's line on the
    overview ("14 pairs on track, 2 silent")."""

    slug: str
    title: str
    build: PageMaker
    health: HealthLine | None = None
    order: int = 50


@dataclass(frozen=True)
class BoardFigure:
    """One number a programme adds to the overview's members figures ("With an
    introduction")."""

    label: str
    count: Callable[[BoardContext], Awaitable[int]]
    order: int = 50


@dataclass(frozen=True)
class Board:
    """Everything programmes declared for the dashboard, in the order pages are listed."""

    pages: tuple[BoardPage, ...] = field(default_factory=tuple)

    def page(self, slug: str) -> BoardPage | None:
        return next((p for p in self.pages if p.slug == slug), None)


def board_of(router: Router) -> Board:
    return Board(tuple(sorted(router.board_pages, key=lambda p: (p.order, p.slug))))
