"""Judging a metric's latest reading against its baseline, target and the line between them.

The trajectory is the straight line from the baseline (value, date) to the target (value, date);
a reading is off track when it is worse than that line at its own date, or worse than where it
started. "Worse" follows the metric's direction.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.model import Direction, Metric

Reading = tuple[date, float]

DAYS_PER_MONTH = 365.2425 / 12
_RATE_INTERVALS = 3  # the projection looks at the last three gaps between readings


class MetricStatus(StrEnum):
    ON_TRACK = "on_track"
    OFF_TRACK = "off_track"
    TARGET_MET = "target_met"
    NO_DATA = "no_data"

    @property
    def label(self) -> str:
        return {
            MetricStatus.ON_TRACK: "On track",
            MetricStatus.OFF_TRACK: "Off track",
            MetricStatus.TARGET_MET: "Target met",
            MetricStatus.NO_DATA: "No data",
        }[self]


@dataclass(frozen=True)
class MetricJudgement:
    """Where a metric stands. Differences are plain ``a - b`` unless said otherwise."""

    metric_id: str
    as_of: date
    status: MetricStatus
    latest_value: float | None = None
    latest_period: date | None = None
    previous_value: float | None = None
    previous_period: date | None = None
    change: float | None = None  # latest - previous
    change_share: float | None = None  # change / |previous|: 0.5 is half as much again
    versus_baseline: float | None = None  # latest - baseline
    to_go: float | None = None  # distance still to the target: positive = not there yet
    trajectory_value: float | None = None  # where the line says we should be at latest_period
    worse_than_baseline: bool = False
    worse_than_trajectory: bool = False
    monthly_change: float | None = None  # average over the last up to three intervals
    projected_target_date: date | None = None


def trajectory_value(metric: Metric, on: date) -> float:
    """The straight line from baseline to target, flat before the baseline and after the target."""
    start, end = metric.baseline, metric.target
    if on >= end.date:
        return end.value
    span = (end.date - start.date).days
    if on <= start.date or span <= 0:
        return start.value
    return start.value + (end.value - start.value) * (on - start.date).days / span


def is_worse(direction: Direction, value: float, than: float) -> bool:
    """Whether ``value`` is worse than ``than``; equal (to float noise) is not worse."""
    if math.isclose(value, than, rel_tol=1e-9, abs_tol=1e-9):
        return False
    return value > than if direction is Direction.DOWN else value < than


def is_off_trajectory(metric: Metric, period: date, value: float) -> bool:
    """True when this reading would be judged off track: the test alerts use."""
    return _status(metric, period, value) is MetricStatus.OFF_TRACK


def judge(metric: Metric, readings: Iterable[Reading], as_of: date) -> MetricJudgement:
    """Judge the latest reading dated on or before ``as_of``.

    Readings after ``as_of`` are ignored so a replay sees only its own past; when two readings
    share a period the later one in ``readings`` wins, as a correction.
    """
    series = _clean(readings, as_of)
    if not series:
        return MetricJudgement(metric.id, as_of, MetricStatus.NO_DATA)
    period, value = series[-1]
    previous = series[-2] if len(series) > 1 else None
    change: float | None = None
    change_share: float | None = None
    if previous is not None:
        change = value - previous[1]
        change_share = change / abs(previous[1]) if previous[1] != 0 else None
    line = trajectory_value(metric, period)
    status = _status(metric, period, value)
    monthly = _monthly_change(series)
    return MetricJudgement(
        metric_id=metric.id,
        as_of=as_of,
        status=status,
        latest_value=value,
        latest_period=period,
        previous_value=previous[1] if previous else None,
        previous_period=previous[0] if previous else None,
        change=change,
        change_share=change_share,
        versus_baseline=value - metric.baseline.value,
        to_go=_to_go(metric, value),
        trajectory_value=line,
        worse_than_baseline=is_worse(metric.direction, value, metric.baseline.value),
        worse_than_trajectory=is_worse(metric.direction, value, line),
        monthly_change=monthly,
        projected_target_date=_projection(metric, period, value, monthly, status),
    )


def _status(metric: Metric, period: date, value: float) -> MetricStatus:
    direction = metric.direction
    if not is_worse(direction, value, metric.target.value):
        return MetricStatus.TARGET_MET
    if is_worse(direction, value, trajectory_value(metric, period)) or is_worse(
        direction, value, metric.baseline.value
    ):
        return MetricStatus.OFF_TRACK
    return MetricStatus.ON_TRACK


def _to_go(metric: Metric, value: float) -> float:
    gap = metric.target.value - value
    return -gap if metric.direction is Direction.DOWN else gap


def _clean(readings: Iterable[Reading], as_of: date) -> list[Reading]:
    by_period: dict[date, float] = {}
    for period, value in readings:
        if not math.isfinite(value):
            raise ValueError(f"reading for {period} is not a number: {value!r}")
        if period <= as_of:
            by_period[period] = float(value)
    return sorted(by_period.items())


def _monthly_change(series: list[Reading]) -> float | None:
    """Average change per month across the last up to three intervals between readings."""
    window = series[-(_RATE_INTERVALS + 1) :]
    if len(window) < 2:
        return None
    (first, first_value), (last, last_value) = window[0], window[-1]
    return (last_value - first_value) / _months_between(first, last)


def _months_between(a: date, b: date) -> float:
    # Month-end periods (the usual case) are whole months apart, whatever the months' lengths.
    if _is_month_end(a) and _is_month_end(b):
        return float((b.year - a.year) * 12 + b.month - a.month)
    return (b - a).days / DAYS_PER_MONTH


def _is_month_end(d: date) -> bool:
    return (d + timedelta(days=1)).day == 1


def _projection(metric: Metric, period: date, value: float, monthly: float | None, status: MetricStatus) -> date | None:
    """When the target would be reached at the recent rate; None if not heading towards it."""
    if status is MetricStatus.TARGET_MET:
        return period
    if monthly is None:
        return None
    improving = -monthly if metric.direction is Direction.DOWN else monthly
    if improving <= 1e-12:
        return None
    days = math.ceil(_to_go(metric, value) / improving * DAYS_PER_MONTH)
    if days > (date.max - period).days:
        return None  # so slow it will never happen in any useful sense
    return period + timedelta(days=days)
