"""Trend charts for the waiting-list and DoLS measures, as PNG bytes, cached by content.

Here in bot/ rather than storage/ or dialogs/: a chart is an output of the bot's edge, like an
HTTP response — it reads no database and holds no plan rules, and keeping matplotlib out of
domain/ and dialogs/ keeps those layers pure and quick to import. The bot serves the PNGs by URL
(Teams and the Agents Playground show them as Image elements) and embeds them in the report.

The drawing itself is bot/reports/chart_drawing.py, imported on the first chart: matplotlib takes a third
of a second to import, and every `cqcbot` command reaches this module through the digest.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING

from domain.model import Metric
from domain.month_report import MonthReport
from domain.trajectory import Reading

if TYPE_CHECKING:
    from bot.reports.chart_drawing import ChartCanvas


def render_metric_chart(metric: Metric, readings: Sequence[Reading], *, as_of: date | None = None) -> bytes:
    """A PNG: the monthly figures against the baseline, the target and the straight trajectory."""
    return _render(metric, tuple(sorted(readings)), as_of)


def clear_cache() -> None:
    _render.cache_clear()


@functools.lru_cache(maxsize=64)
def _render(metric: Metric, readings: tuple[Reading, ...], as_of: date | None) -> bytes:
    # Cached by content: the same month's chart is asked for by every phone that opens the digest.
    if as_of is not None:
        readings = tuple(r for r in readings if r[0] <= as_of)
    # One canvas, reused: charts asked for from worker threads are drawn one at a time on it.
    with _LOCK:
        return _canvas().draw(metric, readings)


_LOCK = threading.Lock()


@functools.cache
def _canvas() -> ChartCanvas:
    from bot.reports.chart_drawing import ChartCanvas

    return ChartCanvas()


def charts_for(report: MonthReport) -> dict[str, bytes]:
    """Every measure's trend chart as PNG bytes, by metric id."""
    return {
        series.metric.id: render_metric_chart(series.metric, series.readings, as_of=report.data.as_of)
        for series in report.data.metrics
    }
