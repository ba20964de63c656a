"""Months as the plan counts them: "YYYY-MM" keys, their first day, and a figure's date."""

from __future__ import annotations

import re
from datetime import date, timedelta

MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")


def check_month(month: str) -> str:
    if not MONTH.fullmatch(month):
        raise ValueError(f"a month is YYYY-MM, e.g. 2026-03, not {month!r}")
    return month


def previous_month(month: str) -> str:
    year, number = (int(part) for part in check_month(month).split("-"))
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def next_month(month: str) -> str:
    year, number = (int(part) for part in check_month(month).split("-"))
    return f"{year + 1}-01" if number == 12 else f"{year}-{number + 1:02d}"


def month_start(month: str) -> date:
    year, number = (int(part) for part in check_month(month).split("-"))
    return date(year, number, 1)


def period_end(month: str) -> date:
    """A monthly figure's date: the last day of its month (how trajectories date readings)."""
    return month_start(next_month(month)) - timedelta(days=1)


def month_of(day: date) -> str:
    return f"{day.year}-{day.month:02d}"
