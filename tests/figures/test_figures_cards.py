"""The figures card and receipt: what they show, and that Microsoft's parser accepts every card
built (tests/node/validate-card.js, as a 1.5 host and as an older client that falls back to
Action.Submit).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Any

import pytest

from dialogs import cards
from dialogs import figures as f
from domain.model import Metric
from tests.cards import element, ids, texts, walk
from tests.cards import validate_cards as validate
from tests.dialogs.test_progress_cards import teams_problems
from tests.figures.card_data import BOX, DATA, DOWN, NOVEMBER, UP, UP_BOX, VIEW, recorded

# --- what the card shows ----------------------------------------------------------------------


def test_card_shows_period_last_month_baseline_target_and_trajectory() -> None:
    card = f.build_figures_card(VIEW, card_id="abc")
    shown = texts(card)
    for expected in [
        "CQC improvement — figures for December 2025",
        "Please send them by **Thursday 15 January 2026**.",
        "Last month (November 2025)",
        "160 people",
        "180 people (Tuesday 30 September 2025)",
        "120 people by Tuesday 31 March 2026",
        "Trajectory for December 2025",
        # 92 of the 182 days from baseline to target: 180 - 60 × 92/182 and 200 + 100 × 92/182
        "at most 149.7 people (lower is better)",
        "at least 250.5 people (higher is better)",
        "No figure yet",
    ]:
        assert expected in shown, expected
    for box in (BOX, UP_BOX):
        assert element(card, box)["type"] == "Input.Number"
        assert element(card, box)["min"] == 0 and "value" not in element(card, box)
    assert not {"notice", "confirm"} & ids(card)


def test_an_older_previous_figure_is_labelled_with_its_month() -> None:
    older = replace(VIEW, rows=(replace(VIEW.rows[0], previous=replace(NOVEMBER, period="2025-09")),))
    assert "Last figure (September 2025)" in texts(f.build_figures_card(older))


def test_submit_is_execute_with_a_submit_fallback_carrying_the_verb() -> None:
    execute = element(f.build_figures_card(VIEW, card_id="abc"), "submit")
    assert execute["type"] == "Action.Execute" and execute["verb"] == "figures.submit"
    assert execute["data"] == {**DATA, "card_id": "abc"}
    assert execute["fallback"]["type"] == "Action.Submit"
    assert execute["fallback"]["data"] == {**DATA, "card_id": "abc", "verb": "figures.submit"}


def test_recorded_figure_is_shown_and_prefilled() -> None:
    card = f.build_figures_card(recorded(VIEW, 150))
    assert "150 people by Rachel Ahmed, 5 January 2026, 09:30" in texts(card)
    assert element(card, BOX)["value"] == 150


# --- receipt ----------------------------------------------------------------------------------


def test_receipt_shows_each_figure_its_status_and_what_is_missing() -> None:
    view = recorded(VIEW, 140)
    card = f.build_figures_receipt(
        view,
        author_name="Rachel Ahmed",
        when_text="5 January 2026, 09:30",
        notes={DOWN.id: "corrected from 150"},
    )
    shown = texts(card)
    for expected in [
        "Figures recorded — December 2025",
        "Rachel Ahmed",
        "5 January 2026, 09:30",
        "**140 people** (corrected from 150)",
        "On track (trajectory at most 149.7 people)",
        "Not given yet",
        "Figures left blank were not saved",
    ]:
        assert expected in shown, expected
    assert not any(n.get("type", "").startswith("Input.") for n in walk(card))
    edit = element(card, "edit")
    assert (edit["verb"], edit["data"]) == (
        "figures.edit",
        {"period": "2025-12", "metrics": [DOWN.id, UP.id]},
    )
    assert edit["fallback"]["data"]["verb"] == "figures.edit"


@pytest.mark.parametrize(
    ("metric", "value", "says"),
    [
        (DOWN, 155, "**Off track**: the trajectory says at most 149.7 people"),
        (DOWN, 190, "at most 149.7 people — worse than the baseline"),
        (DOWN, 120, "Target met (at most 120 people)"),
        (UP, 240, "**Off track**: the trajectory says at least 250.5 people"),
        (UP, 260, "On track (trajectory at least 250.5 people)"),
        (UP, 190, "worse than the baseline"),
    ],
)
def test_status_follows_the_metric_direction(metric: Metric, value: int, says: str) -> None:
    assert says in f.status_text(metric, date(2025, 12, 31), value)


# --- every card is valid for Teams --------------------------------------------------------------


# Twelve metrics with long names: far more than any owner has, still inside the 28 KB budget.
MANY = tuple(
    f.MeasureFigures(
        replace(DOWN, id=f"metric-{i}", name="A long metric name " * 5),
        NOVEMBER,
        replace(NOVEMBER, period="2025-12"),
    )
    for i in range(12)
)


def _prompts() -> list[dict[str, Any]]:
    form = f.parse_figures({**DATA, BOX: "20", UP_BOX: "-1"}, [DOWN.id, UP.id])
    return [
        f.build_figures_card(VIEW, card_id="abc"),
        f.build_figures_card(
            recorded(VIEW, 150),
            form=form,
            notice="This card is out of date.",
            checks=f.checks_needed(recorded(VIEW, 150), form.values, 0.5),
        ),
        f.build_figures_card(replace(VIEW, rows=MANY), notice="x" * 300),
    ]


def _receipts() -> list[dict[str, Any]]:
    return [
        f.build_figures_receipt(recorded(VIEW, 150), author_name="A", when_text="B"),
        f.build_figures_receipt(replace(VIEW, rows=MANY), author_name="A", when_text="B", notes={"metric-1": "x"}),
    ]


# Every figures template with its builders, shaped like BUILDERS in tests/dialogs so it can join it.
BUILDERS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "figures_prompt": _prompts,
    "figures_receipt": _receipts,
}


def test_every_figures_template_has_a_builder_under_test() -> None:
    assert {name for name in cards.template_names() if name.startswith("figures_")} == set(BUILDERS)


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_every_figures_card_is_valid_for_teams(name: str) -> None:
    built = BUILDERS[name]()
    assert validate(built) == [[] for _ in built]
    assert [teams_problems(card) for card in built] == [[] for _ in built]
