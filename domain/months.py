"""Months as the plan counts them: "YYYY-MM" keys, their first day, a figure's date, their name,
and a month's window on the council's wall calendar."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

# A month someone asks for (typed, in a URL, on the command line): 2000–2099, the years a plan runs
# in; year 9999 would have no next month to end it. Months the code derives from a plan's dates (a
# baseline may be older) only need to be well formed (YEAR_MONTH).
MONTH = re.compile(r"20\d{2}-(0[1-9]|1[0-2])")
MONTH_ROUTE = r"{month:20\d{2}-(?:0[1-9]|1[0-2])}"  # the same, as an aiohttp path part
YEAR_MONTH = re.compile(r"\d{4}-(0[1-9]|1[0-2])")
# Spelt out here rather than by strftime, whose names follow the process's locale.
MONTH_NAMES = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def check_month(month: str) -> str:
    if not YEAR_MONTH.fullmatch(month):
        raise ValueError(f"a month is YYYY-MM, e.g. 2026-03, not {month!r}")
    return month


def parse_month(text: str) -> str:
    """A month as people type it: 2027-01, January 2027 or Jan 2027 (any case) → "2027-01"."""
    words = text.strip()
    month = words if MONTH.fullmatch(words) else _named_month(words)
    if month is None or not MONTH.fullmatch(month):
        raise ValueError(f"a month is 2027-01 or January 2027, between 2000 and 2099, not {text!r}")
    return month


def _named_month(words: str) -> str | None:
    match = re.fullmatch(r"(?P<name>[A-Za-z]+)\s+(?P<year>\d{4})", words)
    if match:
        name = match["name"].lower()
        for number, full in enumerate(MONTH_NAMES, start=1):
            if len(name) >= 3 and full.lower().startswith(name):
                return f"{match['year']}-{number:02d}"
    return None


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


def month_label(month: str) -> str:
    """'2026-01' → 'January 2026'."""
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {int(year)}"


@dataclass(frozen=True)
class MonthWindow:
    """A month on the council's wall calendar, and the moment within it the digest describes."""

    month: str
    start: datetime  # the first instant of the month, UTC
    end: datetime  # the first instant of the next month, UTC
    as_of: datetime  # never at or after ``end``

    @property
    def cutoff(self) -> datetime:
        return self.as_of


def month_window(month: str, as_of: datetime, timezone: str) -> MonthWindow:
    zone = ZoneInfo(timezone)

    def first_instant(day: date) -> datetime:
        return datetime.combine(day, time(0), zone).astimezone(UTC)

    check_month(month)
    start, end = first_instant(month_start(month)), first_instant(month_start(next_month(month)))
    # The month's last instant at the latest: a report for a past month is as at its end.
    return MonthWindow(month, start, end, min(as_of, end - timedelta(microseconds=1)))
