"""What the figures card sends back: whole numbers of zero or more, blanks allowed, and which
figures must be confirmed (big changes, corrections) before they are stored.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from dialogs import figures as f
from tests.cards import element, texts
from tests.figures.card_data import BOX, DATA, DOWN, NOVEMBER, UP, UP_BOX, VIEW, recorded

# --- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "value", "says"),
    [
        ("120", 120, None),
        (" 0 ", 0, None),
        ("1,234", 1234, None),
        ("12.0", 12, None),
        ("", None, None),
        ("   ", None, None),
        ("-3", None, "can't be negative"),
        ("12.5", None, "whole number: 12.5 has a fraction"),
        ("twelve", None, "“twelve” is not a number"),
        ("1e3", None, "is not a number"),
        ("12,34", None, "is not a number"),
        ("nan", None, "is not a number"),
        ("2000000000", None, "far larger"),
    ],
)
def test_each_figure_is_a_whole_number_of_zero_or_more(typed: str, value: int | None, says: str | None) -> None:
    parsed, problem = f.parse_figure(typed)
    assert parsed == value
    assert (problem is None) if says is None else (problem is not None and says in problem)


def test_blank_boxes_are_allowed_and_the_rest_kept() -> None:
    form = f.parse_figures({**DATA, BOX: "150"}, [DOWN.id, UP.id])  # Teams leaves out blank inputs
    assert (form.values, form.errors, form.typed) == ({DOWN.id: 150}, {}, {DOWN.id: "150"})
    form = f.parse_figures({**DATA, BOX: "", UP_BOX: " "}, [DOWN.id, UP.id])
    assert form.values == {} and "at least one figure" in form.errors["card"]


def test_errors_keep_what_was_typed() -> None:
    form = f.parse_figures({**DATA, BOX: "-3", UP_BOX: "12.5"}, [DOWN.id, UP.id])
    assert set(form.errors) == {DOWN.id, UP.id} and form.values == {}
    card = f.build_figures_card(VIEW, form=form)
    assert element(card, BOX)["value"] == -3 and element(card, UP_BOX)["value"] == 12.5
    body = element(card, f"metric__{DOWN.id}")["items"]
    position = next(i for i, e in enumerate(body) if e.get("id") == BOX)
    assert body[position + 1]["id"] == f"error__{DOWN.id}"
    assert body[position + 1]["text"].startswith("⚠ ") and "color" not in body[position + 1]
    text = f.build_figures_card(VIEW, form=f.parse_figures({**DATA, BOX: "lots"}, [DOWN.id]))
    assert "value" not in element(text, BOX)  # a number box cannot hold text: the error quotes it
    assert "“lots” is not a number" in texts(text)


@pytest.mark.parametrize("value", [7, True, None, ["1"]])
def test_numbers_sent_as_numbers_are_read_and_other_types_refused(value: Any) -> None:
    form = f.parse_figures({**DATA, BOX: value}, [DOWN.id])
    if value == 7 and value is not True:
        assert form.values == {DOWN.id: 7}
    elif value is None:
        assert "at least one figure" in form.errors["card"]
    else:
        assert "missing details" in form.errors["card"]


@pytest.mark.parametrize(
    ("raw", "ok"),
    [("2025-12", True), ("2026-01", False), ("2025-13", False), ("2025-1", False), (202512, False)],
)
def test_period_must_be_a_month_that_is_over(raw: object, ok: bool) -> None:
    assert (f.parse_period(raw, latest="2025-12") == raw) is ok


def test_metric_ids_must_be_distinct_strings() -> None:
    assert f.parse_metric_ids(["a", "b"]) == ("a", "b")
    for bad in ([], ["a", "a"], ["a", ""], "a", [1], ["x"] * 41):
        assert f.parse_metric_ids(bad) is None


# --- confirmation -------------------------------------------------------------------------------


@pytest.mark.parametrize(("value", "flagged"), [(80, False), (240, False), (79, True), (241, True), (160, False)])
def test_a_change_of_more_than_the_share_needs_confirming(value: int, flagged: bool) -> None:
    checks = f.checks_needed(VIEW, {DOWN.id: value}, 0.5)  # against November's 160
    assert (DOWN.id in checks) is flagged
    if flagged:
        direction = "lower" if value < 160 else "higher"
        assert f"% {direction} than November 2025 (160 people → {value} people)" in checks[DOWN.id]


def test_the_first_figure_is_checked_against_the_baseline_and_zero_against_anything() -> None:
    assert "51% higher than the baseline (200 people → 302 people)" in f.checks_needed(VIEW, {UP.id: 302}, 0.5)[UP.id]
    zero = replace(VIEW, rows=(replace(VIEW.rows[0], previous=replace(NOVEMBER, value=0)),))
    assert "up from 0 in November 2025" in f.checks_needed(zero, {DOWN.id: 1}, 0.5)[DOWN.id]
    assert f.checks_needed(zero, {DOWN.id: 0}, 0.5) == {}


def test_a_correction_needs_confirming_but_the_same_figure_again_does_not() -> None:
    view = recorded(VIEW, 150)
    check = f.checks_needed(view, {DOWN.id: 140}, 0.5)[DOWN.id]
    assert "150 people is already recorded for December 2025 (by Rachel Ahmed" in check
    assert "replaces it with 140 people" in check
    assert f.checks_needed(view, {DOWN.id: 150}, 0.5) == {}
    assert f.checks_needed(view, {DOWN.id: 150}, 0.0) == {}


def test_confirmation_holds_only_for_the_figures_shown() -> None:
    checks = f.checks_needed(VIEW, {DOWN.id: 20}, 0.5)
    first = f.parse_figures({**DATA, BOX: "20"}, [DOWN.id])
    assert f.needs_confirmation(first, checks)
    card = f.build_figures_card(VIEW, form=first, checks=checks)
    assert element(card, "confirm_figures")["value"] == "false"
    assert element(card, f"check__{DOWN.id}")["text"].startswith("⚠ ")
    assert element(card, BOX)["value"] == 20
    data = element(card, "submit")["data"]
    assert data["checked"] == {DOWN.id: 20}

    ticked = f.parse_figures({**data, BOX: "20", "confirm_figures": "true"}, [DOWN.id])
    assert not f.needs_confirmation(ticked, checks)
    changed = f.parse_figures({**data, BOX: "21", "confirm_figures": "true"}, [DOWN.id])
    assert f.needs_confirmation(changed, f.checks_needed(VIEW, changed.values, 0.5))
    unticked = f.parse_figures({**data, BOX: "20", "confirm_figures": "false"}, [DOWN.id])
    assert f.needs_confirmation(unticked, checks)
