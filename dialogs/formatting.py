"""Figures and dates as people read them, the same on cards, in messages and in the board report.

Names are spelt out rather than left to strftime, whose month and day names follow the process's
locale. A month's name ("January 2026") is the domain's (domain/months.py), since the board
appendix's summary says it too; it is re-exported here so dialogs/ has one place to import from.
"""

from __future__ import annotations

from datetime import date

from domain.months import MONTH_NAMES
from domain.months import month_label as month_label

_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def number(value: float) -> str:
    """'1,234'; a value between whole numbers (a trajectory, a change) keeps one decimal place: '12.5'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def amount(value: float, unit: str = "") -> str:
    """'1,234 people': a figure and its unit."""
    return f"{number(value)} {unit}".strip()


def plain_number(value: float) -> str:
    """'1234', '12.25': no thousands separator, up to six significant digits — for spreadsheet cells,
    chart labels and terminal tables, where a separator would be read as text or take room."""
    return f"{value:g}"


def percent(share: float) -> str:
    """0.25 → '25%'."""
    return f"{share:.0%}"


def short_date(day: date) -> str:
    """'14 Apr 2026': where space is short (digest lines, the board report's tables)."""
    return f"{day.day} {MONTH_NAMES[day.month - 1][:3]} {day.year}"


def long_date(day: date) -> str:
    """'Wednesday 14 January 2026' — spelt out so nobody misreads 03/04 as 4 March."""
    return f"{_DAY_NAMES[day.weekday()]} {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"
