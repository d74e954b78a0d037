"""The weekly chart as SVG, drawn with matplotlib's SVG canvas on the server (imported only when
a chart is first drawn; no display, no pyplot), off the event loop, and kept for charts with
the same numbers, so a page reload draws nothing."""

from __future__ import annotations

import asyncio
import io
from collections import OrderedDict
from zoneinfo import ZoneInfo

from bot.dashboard import Chart

KEEP = 64
_drawn: OrderedDict[tuple[object, ...], bytes] = OrderedDict()


def draw(chart: Chart, zone: ZoneInfo) -> bytes:
    import matplotlib
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "rounds"}):
        figure = Figure(figsize=(9, 4), dpi=100)
        FigureCanvasSVG(figure)
        axes = figure.add_subplot()
        positions = list(range(len(chart.starts)))
        markers = "os^Dv<>p"
        for index, (label, counts) in enumerate(chart.series):
            axes.plot(positions, counts, marker=markers[index % len(markers)], label=label)
        axes.set_xticks(positions, [f"{s.astimezone(zone):%d %b}" for s in chart.starts])
        axes.tick_params(axis="x", labelsize=8)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_ylim(bottom=0)
        axes.set_xlabel("week starting")
        axes.grid(alpha=0.3)
        if chart.series:
            axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small")
        figure.tight_layout()
        out = io.BytesIO()
        figure.savefig(out, format="svg", metadata={"Date": None})
    return out.getvalue()


async def svg(chart: Chart, zone: ZoneInfo) -> bytes:
    key = (chart, str(zone))
    found = _drawn.get(key)
    if found is None:
        found = await asyncio.to_thread(draw, chart, zone)
        _drawn[key] = found
        while len(_drawn) > KEEP:
            _drawn.popitem(last=False)
    else:
        _drawn.move_to_end(key)
    return found
