"""Working days in England and Wales, and wall-clock times in the council's time zone.

Every schedule rule ("the 10th working day", "3 working days before the deadline") is counted on
local dates: a job firing at 00:30 BST on the 1st is on the 1st here, though UTC says the 31st.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

_HHMM = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")
_ONE_DAY = timedelta(days=1)


class WorkingCalendar:
    """Weekdays that are not bank holidays, plus local-time helpers for one time zone.

    England and Wales share their bank holidays; the ``holidays`` package files them under the GB
    subdivision ``ENG`` (``WLS`` gives the same dates), substitute days included.
    """

    def __init__(self, timezone: str = "Europe/London", *, subdivision: str = "ENG") -> None:
        self._zone = ZoneInfo(timezone)
        # Years are filled in lazily as dates are looked up.
        self._holidays = holidays.country_holidays("GB", subdiv=subdivision)

    @property
    def zone(self) -> ZoneInfo:
        return self._zone

    # --- working days -------------------------------------------------------------------------

    def holiday_name(self, d: date) -> str | None:
        """The bank holiday's name, e.g. "Boxing Day (observed)", or None on other days."""
        return self._holidays.get(_plain_date(d))

    def is_working_day(self, d: date) -> bool:
        d = _plain_date(d)
        return d.weekday() < 5 and d not in self._holidays

    def next_working_day(self, d: date, include_today: bool = True) -> date:
        """The first working day on or after ``d``; strictly after it if include_today is False."""
        d = _plain_date(d) if include_today else _plain_date(d) + _ONE_DAY
        while not self.is_working_day(d):
            d += _ONE_DAY
        return d

    def working_days_of_month(self, year: int, month: int) -> list[date]:
        d = date(year, month, 1)
        days: list[date] = []
        while d.month == month:
            if self.is_working_day(d):
                days.append(d)
            d += _ONE_DAY
        return days

    def nth_working_day(self, year: int, month: int, n: int) -> date:
        """The n-th (1-based) working day of the month."""
        if n < 1:
            raise ValueError(f"n must be 1 or more, not {n}")
        days = self.working_days_of_month(year, month)
        if n > len(days):
            raise ValueError(f"{year}-{month:02d} has only {len(days)} working days, not {n}")
        return days[n - 1]

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (before it when n is negative); n == 0 returns ``d``.

        ``d`` itself need not be a working day: one working day after a Saturday is the Monday.
        """
        d = _plain_date(d)
        step = _ONE_DAY if n > 0 else -_ONE_DAY
        remaining = abs(n)
        while remaining:
            d += step
            if self.is_working_day(d):
                remaining -= 1
        return d

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b], negated when b is before a.

        So ``add_working_days(a, working_days_between(a, b)) == b`` whenever both are working days,
        and the deadline day itself counts as 0 days to go.
        """
        a, b = _plain_date(a), _plain_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count = 0
        d = a + _ONE_DAY
        while d <= b:
            if self.is_working_day(d):
                count += 1
            d += _ONE_DAY
        return count

    # --- local time ---------------------------------------------------------------------------

    def local_datetime(self, d: date, hhmm: str) -> datetime:
        """``d`` at wall-clock ``hhmm`` ("09:00") in this zone, as an aware datetime.

        Raises ValueError for a time skipped when the clocks go forward, or repeated when they go
        back, rather than silently picking one: a schedule should never sit in that hour.
        """
        match = _HHMM.fullmatch(hhmm.strip())
        if match is None:
            raise ValueError(f"time must be HH:MM on a 24-hour clock, not {hhmm!r}")
        wall = time(int(match[1]), int(match[2]))
        first = datetime.combine(_plain_date(d), wall, tzinfo=self._zone)
        second = first.replace(fold=1)
        if first.utcoffset() != second.utcoffset():
            # Either a gap or a repeat; a gap time does not survive a round trip through UTC.
            round_trip = first.astimezone(UTC).astimezone(self._zone)
            if round_trip.replace(tzinfo=None) != first.replace(tzinfo=None):
                raise ValueError(f"{hhmm} does not exist on {d} in {self._zone.key}")
            raise ValueError(f"{hhmm} happens twice on {d} in {self._zone.key}")
        return first

    def local_date(self, dt: datetime) -> date:
        """The date on the wall calendar here at instant ``dt``."""
        return self._to_local(dt).date()

    def month_of(self, dt: datetime) -> tuple[int, int]:
        """(year, month) on the wall calendar here at instant ``dt``."""
        local = self._to_local(dt)
        return local.year, local.month

    def _to_local(self, dt: datetime) -> datetime:
        if dt.tzinfo is None or dt.utcoffset() is None:
            raise ValueError(f"need a timezone-aware datetime, got naive {dt!r}")
        return dt.astimezone(self._zone)


def _plain_date(d: date) -> date:
    # A datetime is a date too, but taking its date part would silently ignore its time zone.
    if isinstance(d, datetime):
        raise TypeError("pass a date; convert instants with WorkingCalendar.local_date first")
    return d
