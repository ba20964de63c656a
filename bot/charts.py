"""Trend charts for the waiting-list and DoLS measures, as PNG bytes (matplotlib, Agg backend).

Here in bot/ rather than storage/ or dialogs/: a chart is an output of the bot's edge, like an
HTTP response — it reads no database and holds no plan rules, and keeping matplotlib out of
domain/ and dialogs/ keeps those layers pure and quick to import. The bot serves the PNGs by URL
(Teams and the Agents Playground show them as Image elements) and embeds them in the report.

Built with the object API (Figure + FigureCanvasAgg), not pyplot, so there is no global figure
state and charts can be drawn from worker threads.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import DateFormatter
from matplotlib.figure import Figure

from domain.model import Direction, Metric
from domain.trajectory import Reading

# The council's palette is not known; these are colour-blind-safe (Okabe–Ito) and print in grey.
_ACTUAL, _PLAN, _TARGET, _BASELINE = "#0072B2", "#E69F00", "#009E73", "#7F7F7F"
WIDTH_IN, HEIGHT_IN, DPI = 6.4, 2.6, 100  # 640×260: wide and short, so it reads on a phone


def render_metric_chart(
    metric: Metric, readings: Sequence[Reading], *, as_of: date | None = None
) -> bytes:
    """A PNG: the monthly figures against the baseline, the target and the straight trajectory."""
    return _render(metric, tuple(sorted(readings)), as_of)


def clear_cache() -> None:
    _render.cache_clear()


@functools.lru_cache(maxsize=64)
def _render(metric: Metric, readings: tuple[Reading, ...], as_of: date | None) -> bytes:
    # Cached by content: the same month's chart is asked for by every phone that opens the digest.
    if as_of is not None:
        readings = tuple(r for r in readings if r[0] <= as_of)
    # Fixed margins rather than a layout engine: half the drawing time, the same picture.
    figure = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI)
    figure.subplots_adjust(left=0.075, right=0.975, top=0.88, bottom=0.12)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    baseline, target = metric.baseline, metric.target
    axes.plot(
        [baseline.date, target.date],
        [baseline.value, target.value],
        color=_PLAN,
        linestyle="--",
        linewidth=1.5,
        label="Trajectory",
    )
    axes.axhline(
        baseline.value,
        color=_BASELINE,
        linewidth=0.8,
        linestyle=":",
        label=f"Baseline {baseline.value:g}",
    )
    axes.axhline(target.value, color=_TARGET, linewidth=1.2, label=f"Target {target.value:g}")
    axes.plot([target.date], [target.value], marker="D", color=_TARGET, markersize=5)
    if readings:
        days, values = zip(*readings, strict=True)
        axes.plot(
            days, values, color=_ACTUAL, marker="o", markersize=3.5, linewidth=2, label="Actual"
        )
        axes.annotate(
            f"{values[-1]:g}",
            (days[-1], values[-1]),
            textcoords="offset points",
            xytext=(4, 4),
            fontsize=8,
            color=_ACTUAL,
        )
    else:
        axes.text(
            0.5, 0.5, "No figures yet", transform=axes.transAxes, ha="center", color=_BASELINE
        )
    better = "lower is better" if metric.direction is Direction.DOWN else "higher is better"
    axes.set_title(f"{metric.name} ({metric.unit}; {better})", fontsize=9, loc="left")
    # Figures are dated at their month's end: tick the month ends, so October's figure sits on
    # "Oct 25" rather than just before "Nov 25".
    dates = [baseline.date, target.date, *(d for d, _ in readings)]
    axes.set_xticks(_month_ends(min(dates), max(dates)))
    axes.xaxis.set_major_formatter(DateFormatter("%b %y"))
    axes.tick_params(labelsize=7)
    axes.grid(axis="y", linewidth=0.3, alpha=0.6)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    # Where the lines are not: a falling measure leaves the top right empty, a rising one
    # the bottom right.
    corner = "upper right" if metric.direction is Direction.DOWN else "lower right"
    axes.legend(fontsize=7, frameon=False, loc=corner, ncols=2)
    buffer = io.BytesIO()
    # No "Software" stamp, so the same figures give the same bytes (stable examples and caching).
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _month_ends(first: date, last: date, most: int = 9) -> list[date]:
    ends = []
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        following = date(year + month // 12, month % 12 + 1, 1)
        ends.append(following - timedelta(days=1))
        year, month = following.year, following.month
    step = -(-len(ends) // most)  # ceiling: at most ``most`` ticks, the last month always shown
    return ends[::-1][::step][::-1]
