"""The weekly chart: each programme's `Trend` counted per week in SQL, drawn as a PNG with
matplotlib's non-interactive Agg canvas (no pyplot, no display; imported only when drawn)."""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.ports import Tx
from bot.router import Router

WEEK = timedelta(weeks=1)


@dataclass(frozen=True)
class Series:
    label: str
    counts: list[int]


@dataclass(frozen=True)
class Weekly:
    """Counts per week for the chart: `bounds` are the weeks' edges, oldest first."""

    bounds: list[datetime]
    series: list[Series]

    @property
    def quiet(self) -> bool:
        return not any(any(s.counts) for s in self.series)


def weeks_to(end: datetime, weeks: int) -> list[datetime]:
    return [end - WEEK * (weeks - i) for i in range(weeks + 1)]


async def count(tx: Tx, router: Router, space_id: int, bounds: list[datetime]) -> Weekly:
    trends = sorted(router.trends, key=lambda t: t.order)
    series = [Series(t.label, await t.count(tx, space_id, bounds)) for t in trends]
    return Weekly(bounds, series)


def draw(weekly: Weekly, title: str, zone: ZoneInfo) -> bytes:
    """A PNG line chart, one line per series, one point per week (labelled by its start)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    figure = Figure(figsize=(8, 4), dpi=100)
    FigureCanvasAgg(figure)  # attaches the Agg canvas: rendering never touches a display
    axes = figure.add_subplot()
    starts = weekly.bounds[:-1]
    positions = list(range(len(starts)))
    for series in weekly.series:
        axes.plot(positions, series.counts, marker="o", label=series.label)
    axes.set_xticks(positions, [f"{s.astimezone(zone):%d %b}" for s in starts])
    axes.tick_params(axis="x", labelsize=8)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.set_ylim(bottom=0)
    axes.set_title(title)
    axes.set_xlabel("week starting")
    axes.grid(alpha=0.3)
    if weekly.series:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


async def chart(weekly: Weekly, title: str, zone: ZoneInfo) -> bytes:
    """Draw off the event loop: members' commands keep flowing while it renders."""
    return await asyncio.to_thread(draw, weekly, title, zone)
