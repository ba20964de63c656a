from __future__ import annotations

from datetime import date

import pytest

from domain.model import DatedValue, Direction, Metric
from domain.trajectory import (
    MetricStatus,
    is_off_trajectory,
    is_worse,
    judge,
    trajectory_value,
)

AS_OF = date(2026, 12, 31)


def metric(direction: Direction, baseline: DatedValue, target: DatedValue, metric_id: str = "m1") -> Metric:
    return Metric(
        id=metric_id,
        name="A metric",
        unit="people",
        direction=direction,
        owner="owner@council.example",
        baseline=baseline,
        target=target,
    )


# A waiting list: 400 at the end of January 2026, to be 200 by the end of December.
WAITING = metric(Direction.DOWN, DatedValue(400, date(2026, 1, 31)), DatedValue(200, date(2026, 12, 31)))
# A percentage reviewed on time: 60 to 90 over the same year.
REVIEWED = metric(Direction.UP, DatedValue(60, date(2026, 1, 31)), DatedValue(90, date(2026, 12, 31)))
# Ten days from 100 to 0, for easy sums.
SHORT = metric(Direction.DOWN, DatedValue(100, date(2026, 1, 1)), DatedValue(0, date(2026, 1, 11)))


def line(m: Metric, on: date) -> float:
    """The expected trajectory, worked out independently of the module."""
    span = (m.target.date - m.baseline.date).days
    done = (on - m.baseline.date).days
    return m.baseline.value + (m.target.value - m.baseline.value) * done / span


# --- trajectory_value -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("on", "expected"),
    [
        (date(2025, 12, 1), 100),  # before the baseline: the baseline
        (date(2026, 1, 1), 100),
        (date(2026, 1, 6), 50),
        (date(2026, 1, 10), 10),
        (date(2026, 1, 11), 0),
        (date(2026, 6, 1), 0),  # after the target: the target
    ],
)
def test_trajectory_value_down(on: date, expected: float) -> None:
    assert trajectory_value(SHORT, on) == pytest.approx(expected)


def test_trajectory_value_up() -> None:
    assert trajectory_value(REVIEWED, date(2025, 6, 30)) == 60
    assert trajectory_value(REVIEWED, date(2026, 7, 31)) == pytest.approx(line(REVIEWED, date(2026, 7, 31)))
    assert 60 < trajectory_value(REVIEWED, date(2026, 7, 31)) < 90
    assert trajectory_value(REVIEWED, date(2027, 3, 31)) == 90


def test_trajectory_value_when_target_date_is_not_after_baseline() -> None:
    same_day = metric(Direction.DOWN, DatedValue(10, date(2026, 1, 1)), DatedValue(5, date(2026, 1, 1)))
    assert trajectory_value(same_day, date(2025, 12, 31)) == 10
    assert trajectory_value(same_day, date(2026, 1, 1)) == 5


def test_is_worse_respects_direction_and_ignores_float_noise() -> None:
    assert is_worse(Direction.DOWN, 11, 10)
    assert not is_worse(Direction.DOWN, 9, 10)
    assert is_worse(Direction.UP, 9, 10)
    assert not is_worse(Direction.UP, 11, 10)
    assert not is_worse(Direction.DOWN, 0.1 + 0.2, 0.3)


# --- judge: status ----------------------------------------------------------------------------


def test_no_readings_is_no_data() -> None:
    j = judge(WAITING, [], AS_OF)
    assert j.status is MetricStatus.NO_DATA
    assert j.latest_value is None and j.latest_period is None
    assert j.change is None and j.to_go is None and j.trajectory_value is None
    assert j.projected_target_date is None
    assert not j.worse_than_baseline and not j.worse_than_trajectory


def test_readings_after_as_of_are_ignored() -> None:
    j = judge(WAITING, [(date(2026, 3, 31), 350)], as_of=date(2026, 3, 30))
    assert j.status is MetricStatus.NO_DATA


def test_single_reading_better_than_the_line_is_on_track() -> None:
    j = judge(WAITING, [(date(2026, 3, 31), 350)], AS_OF)
    assert j.status is MetricStatus.ON_TRACK
    assert j.latest_value == 350 and j.latest_period == date(2026, 3, 31)
    assert j.trajectory_value == pytest.approx(line(WAITING, date(2026, 3, 31)))
    assert j.versus_baseline == -50
    assert j.to_go == 150
    assert j.previous_value is None and j.change is None and j.change_share is None
    assert j.monthly_change is None
    assert j.projected_target_date is None  # one reading gives no rate


def test_down_metric_behind_the_line_is_off_track() -> None:
    # The line is near 365 at the end of March; 390 is better than the baseline but behind.
    j = judge(WAITING, [(date(2026, 3, 31), 390)], AS_OF)
    assert j.status is MetricStatus.OFF_TRACK
    assert j.worse_than_trajectory and not j.worse_than_baseline


def test_down_metric_worse_than_baseline_is_off_track() -> None:
    j = judge(WAITING, [(date(2026, 3, 31), 410)], AS_OF)
    assert j.status is MetricStatus.OFF_TRACK
    assert j.worse_than_baseline and j.worse_than_trajectory
    assert j.versus_baseline == 10
    assert j.to_go == 210


def test_reading_before_the_baseline_date_is_judged_against_the_baseline() -> None:
    assert judge(WAITING, [(date(2025, 12, 31), 399)], AS_OF).status is MetricStatus.ON_TRACK
    assert judge(WAITING, [(date(2025, 12, 31), 401)], AS_OF).status is MetricStatus.OFF_TRACK


@pytest.mark.parametrize("value", [200, 180])
def test_down_metric_at_or_below_target_is_met(value: float) -> None:
    j = judge(WAITING, [(date(2026, 6, 30), 300), (date(2026, 7, 31), value)], AS_OF)
    assert j.status is MetricStatus.TARGET_MET
    assert j.to_go == value - 200  # zero or negative: nothing left to go
    assert j.projected_target_date == date(2026, 7, 31)


def test_after_the_target_date_the_line_is_the_target() -> None:
    j = judge(WAITING, [(date(2027, 2, 28), 210)], as_of=date(2027, 3, 5))
    assert j.trajectory_value == 200
    assert j.status is MetricStatus.OFF_TRACK


def test_up_metric_statuses() -> None:
    period = date(2026, 3, 31)  # the line is a little over 65
    assert judge(REVIEWED, [(period, 70)], AS_OF).status is MetricStatus.ON_TRACK
    behind = judge(REVIEWED, [(period, 64)], AS_OF)
    assert behind.status is MetricStatus.OFF_TRACK and not behind.worse_than_baseline
    below = judge(REVIEWED, [(period, 55)], AS_OF)
    assert below.worse_than_baseline and below.status is MetricStatus.OFF_TRACK
    assert below.to_go == 35
    assert judge(REVIEWED, [(period, 90)], AS_OF).status is MetricStatus.TARGET_MET
    assert judge(REVIEWED, [(period, 95)], AS_OF).to_go == -5


# --- judge: change and projection ------------------------------------------------------------


def test_change_since_last_month_from_unsorted_readings() -> None:
    j = judge(WAITING, [(date(2026, 3, 31), 342), (date(2026, 2, 28), 380)], AS_OF)
    assert j.previous_value == 380 and j.previous_period == date(2026, 2, 28)
    assert j.change == -38
    assert j.change_share == pytest.approx(-0.1)


def test_change_share_is_none_after_a_zero() -> None:
    j = judge(REVIEWED, [(date(2026, 2, 28), 0), (date(2026, 3, 31), 10)], AS_OF)
    assert j.change == 10 and j.change_share is None


def test_a_repeated_period_is_a_correction() -> None:
    j = judge(WAITING, [(date(2026, 3, 31), 999), (date(2026, 3, 31), 350)], AS_OF)
    assert j.latest_value == 350 and j.previous_value is None


MONTHLY_DOWN = [
    (date(2025, 12, 31), 1000),  # outside the three-interval window
    (date(2026, 1, 31), 400),
    (date(2026, 2, 28), 380),
    (date(2026, 3, 31), 360),
    (date(2026, 4, 30), 340),
]


def test_projection_at_the_recent_rate_uses_the_last_three_intervals() -> None:
    j = judge(WAITING, MONTHLY_DOWN, AS_OF)
    assert j.monthly_change == pytest.approx(-20)
    # 140 to go at 20 a month: seven months after the end of April.
    assert j.projected_target_date == date(2026, 11, 30)


def test_projection_for_an_up_metric() -> None:
    readings = [(date(2026, 1, 31), 60), (date(2026, 3, 31), 70)]
    j = judge(REVIEWED, readings, AS_OF)
    assert j.monthly_change == pytest.approx(5)
    assert j.projected_target_date == date(2026, 7, 31)  # 20 to go at 5 a month


def test_projection_is_none_when_moving_away() -> None:
    readings = [(date(2026, 1, 31), 400), (date(2026, 2, 28), 410), (date(2026, 3, 31), 420)]
    j = judge(WAITING, readings, AS_OF)
    assert j.monthly_change == pytest.approx(10)
    assert j.projected_target_date is None


def test_projection_is_none_when_flat() -> None:
    j = judge(WAITING, [(date(2026, 2, 28), 380), (date(2026, 3, 31), 380)], AS_OF)
    assert j.monthly_change == 0
    assert j.projected_target_date is None


def test_monthly_change_on_dates_that_are_not_month_ends() -> None:
    j = judge(WAITING, [(date(2026, 3, 15), 380), (date(2026, 4, 14), 370)], AS_OF)
    assert j.monthly_change == pytest.approx(-10 * (365.2425 / 12) / 30)


def test_a_non_number_is_refused() -> None:
    with pytest.raises(ValueError):
        judge(WAITING, [(date(2026, 3, 31), float("nan"))], AS_OF)


# --- is_off_trajectory ------------------------------------------------------------------------


def test_is_off_trajectory_matches_judge() -> None:
    period = date(2026, 3, 31)
    assert is_off_trajectory(WAITING, period, 390)
    assert is_off_trajectory(WAITING, period, 410)
    assert not is_off_trajectory(WAITING, period, 350)
    assert not is_off_trajectory(WAITING, period, 150)  # already past the target
    assert is_off_trajectory(REVIEWED, period, 64)
    assert not is_off_trajectory(REVIEWED, period, 70)


def test_status_labels() -> None:
    assert MetricStatus.OFF_TRACK.label == "Off track"
    assert {s.label for s in MetricStatus} == {"On track", "Off track", "Target met", "No data"}
