"""A measure's trend as SVG geometry: figures, baseline, target and the straight trajectory between
them, each point carrying its value for hover. The page draws it; the table beside it is the text
alternative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dialogs.formatting import number
from domain.model import Metric
from domain.months import month_label, month_of, period_end
from domain.trajectory import Reading, trajectory_value

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 36


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str  # "March 2026: 298 applications"


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    actuals: tuple[Point, ...]
    trajectory: tuple[Point, Point]
    baseline_y: float
    target: Point
    y_ticks: tuple[Tick, ...]
    x_ticks: tuple[Tick, ...]

    @property
    def actual_path(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.actuals)


def build_chart(metric: Metric, readings: tuple[Reading, ...]) -> Chart:
    start = min([metric.baseline.date, *(day for day, _ in readings)])
    end = max([metric.target.date, *(day for day, _ in readings)])
    span = max((end - start).days, 1)
    values = [metric.baseline.value, metric.target.value, *(value for _, value in readings)]
    low, high = min(values), max(values)
    pad = (high - low) * 0.1 or 1.0
    low, high = max(low - pad, 0.0) if low >= 0 else low - pad, high + pad

    def x(day: date) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * (day - start).days / span

    def y(value: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (high - value) / (high - low)

    def point(day: date, value: float, what: str) -> Point:
        return Point(x(day), y(value), f"{what}{month_label(month_of(day))}: {number(value)} {metric.unit}")

    steps = 4
    y_ticks = tuple(
        Tick(y(low + (high - low) * i / steps), number(low + (high - low) * i / steps)) for i in range(steps + 1)
    )
    months = sorted({month_of(start), month_of(end), *(month_of(day) for day, _ in readings)})
    every = max(1, len(months) // 6)
    x_ticks = tuple(
        # At each month's end, where its figure is plotted.
        Tick(x(period_end(m)), month_label(m)[:3] + " " + m[2:4])
        for m in months[::every]
    )
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        actuals=tuple(point(day, value, "") for day, value in readings),
        trajectory=(
            point(metric.baseline.date, trajectory_value(metric, metric.baseline.date), "Baseline, "),
            point(metric.target.date, metric.target.value, "Target, "),
        ),
        baseline_y=y(metric.baseline.value),
        target=point(metric.target.date, metric.target.value, "Target, "),
        y_ticks=y_ticks,
        x_ticks=x_ticks,
    )
