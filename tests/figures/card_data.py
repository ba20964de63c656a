"""A figures view for the card tests: a down metric with last month's figure, and an up metric."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dialogs import figures as f
from domain.model import DatedValue, Direction, Metric

DOWN = Metric(
    "care-plan-reviews-waiting",
    "Care plan reviews waiting list",
    "people",
    Direction.DOWN,
    "rachel.ahmed@halton.example",
    DatedValue(180, date(2025, 9, 30)),
    DatedValue(120, date(2026, 3, 31)),
)
UP = Metric(
    "direct-payments",
    "People receiving direct payments",
    "people",
    Direction.UP,
    "rachel.ahmed@halton.example",
    DatedValue(200, date(2025, 9, 30)),
    DatedValue(300, date(2026, 3, 31)),
)
NOVEMBER = f.Figure("2025-11", 160, "Rachel Ahmed", "3 December 2025, 10:00")
VIEW = f.FiguresView(
    "2025-12",
    date(2025, 12, 31),
    (f.MeasureFigures(DOWN, NOVEMBER, None), f.MeasureFigures(UP, None, None)),
    deadline=date(2026, 1, 15),
)
BOX = "value__care-plan-reviews-waiting"
UP_BOX = "value__direct-payments"
DATA = {"period": "2025-12", "metrics": [DOWN.id, UP.id], "card_version": "figures-1"}


def recorded(view: f.FiguresView, value: float) -> f.FiguresView:
    done = f.Figure("2025-12", value, "Rachel Ahmed", "5 January 2026, 09:30")
    return replace(view, rows=(replace(view.rows[0], recorded=done), view.rows[1]))
