"""The rating CQC's thresholds project from statement scores: every band edge, and plans of any size."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.readiness import Band, StatementScore, band_of, percent_of, project

HALTON = [2, 3, 3, 2, 2, 3, 3, 2, 3]  # the press release's nine scores: 23 of 36


def scores(values: list[int]) -> list[StatementScore]:
    return [StatementScore(f"qs-{i}", f"Statement {i}", v) for i, v in enumerate(values)]


def test_halton_is_good_one_point_above_requires_improvement_nine_short_of_outstanding() -> None:
    projection = project(scores(HALTON))
    assert (projection.total, projection.maximum, projection.percent) == (23, 36, 64)
    assert projection.band is Band.GOOD
    assert projection.summary == "Good, 64 %: 1 point above Requires improvement, 9 points short of Outstanding"


@pytest.mark.parametrize(
    ("total", "percent", "band"),
    [
        (9, 25, Band.INADEQUATE),
        (13, 36, Band.INADEQUATE),
        (14, 39, Band.REQUIRES_IMPROVEMENT),  # 38.9 % is quoted 39 %: the band follows the figure
        (22, 61, Band.REQUIRES_IMPROVEMENT),
        (23, 64, Band.GOOD),
        (31, 86, Band.GOOD),
        (32, 89, Band.OUTSTANDING),
        (36, 100, Band.OUTSTANDING),
    ],
)
def test_nine_statements_straddling_each_threshold(total: int, percent: int, band: Band) -> None:
    assert percent_of(total, 36) == percent
    assert band_of(total, 36) is band


@pytest.mark.parametrize(
    ("total", "maximum", "band"),
    [
        (38, 100, Band.INADEQUATE),
        (39, 100, Band.REQUIRES_IMPROVEMENT),
        (62, 100, Band.REQUIRES_IMPROVEMENT),
        (63, 100, Band.GOOD),
        (87, 100, Band.GOOD),
        (88, 100, Band.OUTSTANDING),
        (5, 8, Band.GOOD),  # 62.5 % rounds half up to 63
        (7, 8, Band.OUTSTANDING),  # 87.5 % rounds to 88
        (3, 8, Band.INADEQUATE),  # 37.5 % rounds to 38
    ],
)
def test_exact_percentages_at_each_threshold(total: int, maximum: int, band: Band) -> None:
    assert band_of(total, maximum) is band


def test_31_of_36_is_good_and_one_point_short_with_one_move_per_set() -> None:
    projection = project(scores([4, 4, 4, 4, 3, 3, 3, 3, 3]))
    assert projection.total == 31
    assert projection.summary == "Good, 86 %: 9 points above Requires improvement, 1 point short of Outstanding"
    assert projection.move_sets_total == 5  # any one of the five 3s
    assert all(len(moves) == 1 and moves[0].to_score == 4 for moves in projection.move_sets)


def test_halton_smallest_sets_to_outstanding_raise_all_four_twos_and_one_three() -> None:
    projection = project(scores(HALTON))
    assert projection.points_to_next == 9
    assert projection.move_sets_total == 5  # which of the five 3s is the fifth move
    for moves in projection.move_sets:
        assert len(moves) == 5
        assert sum(m.to_score - m.from_score for m in moves) == 9
        assert sorted(m.from_score for m in moves) == [2, 2, 2, 2, 3]
        assert all(m.to_score == 4 for m in moves)


def test_outstanding_has_no_next_band_and_inadequate_none_below() -> None:
    top = project(scores([4] * 9))
    assert (top.points_to_next, top.move_sets) == (None, ())
    assert top.summary == "Outstanding, 100 %: 5 points above Good"
    bottom = project(scores([1] * 9))
    assert bottom.points_above_previous is None
    assert bottom.summary == "Inadequate, 25 %: 5 points short of Requires improvement"


def test_a_plan_scoring_fewer_statements_uses_its_own_maximum() -> None:
    projection = project(scores([3, 2, 3, 2]))  # 10 of 16 = 62.5 % → 63 %
    assert (projection.maximum, projection.percent, projection.band) == (16, 63, Band.GOOD)
    assert projection.points_to_next == 4  # 14 of 16 = 87.5 % → 88 %


def test_no_statements_or_a_score_outside_one_to_four_is_refused() -> None:
    with pytest.raises(ValueError, match="no quality statements"):
        project([])
    with pytest.raises(ValueError, match="score 5"):
        project(scores([5]))


@given(st.lists(st.integers(min_value=1, max_value=4), min_size=1, max_size=12))
def test_every_move_set_reaches_the_next_band_and_no_fewer_points_would(values: list[int]) -> None:
    projection = project(scores(values))
    if projection.points_to_next is None:
        assert projection.band is Band.OUTSTANDING
        return
    assert band_of(projection.total + projection.points_to_next - 1, projection.maximum) is projection.band
    for moves in projection.move_sets:
        raised = projection.total + sum(m.to_score - m.from_score for m in moves)
        assert band_of(raised, projection.maximum) is projection.band.next
