"""Figures and dates as people read them: one way, wherever they are shown."""

from __future__ import annotations

from datetime import date

import pytest

from dialogs.formatting import amount, long_date, month_label, number, percent, plain_number, short_date


@pytest.mark.parametrize(
    ("value", "shown"),
    [(0, "0"), (7.0, "7"), (1234, "1,234"), (1234567.0, "1,234,567"), (12.5, "12.5"), (-3.25, "-3.2"), (0.04, "0.0")],
)
def test_a_whole_figure_has_no_decimals_and_any_other_keeps_one(value: float, shown: str) -> None:
    assert number(value) == shown


def test_an_amount_carries_its_unit_when_it_has_one() -> None:
    assert amount(1234, "people") == "1,234 people"
    assert amount(12.5) == "12.5"


@pytest.mark.parametrize(("value", "shown"), [(1234.0, "1234"), (12.25, "12.25"), (-0.5, "-0.5"), (1e7, "1e+07")])
def test_a_plain_number_has_no_separator_for_spreadsheets_and_charts(value: float, shown: str) -> None:
    assert plain_number(value) == shown


def test_a_share_is_a_whole_percentage() -> None:
    assert (percent(0.0), percent(0.254), percent(1.0)) == ("0%", "25%", "100%")


def test_dates_and_months_are_spelt_out_whatever_the_locale() -> None:
    assert short_date(date(2026, 4, 14)) == "14 Apr 2026"
    assert short_date(date(2026, 9, 1)) == "1 Sep 2026"
    assert long_date(date(2026, 1, 14)) == "Wednesday 14 January 2026"
    assert month_label("2026-01") == "January 2026" and month_label("2025-12") == "December 2025"
