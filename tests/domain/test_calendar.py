from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.calendar import WorkingCalendar

CAL = WorkingCalendar()


@pytest.mark.parametrize(
    "holiday",
    [
        date(2026, 1, 1),  # New Year's Day
        date(2026, 4, 3),  # Good Friday
        date(2026, 4, 6),  # Easter Monday
        date(2026, 5, 4),  # early May
        date(2026, 5, 25),  # spring
        date(2026, 8, 31),  # summer
        date(2026, 12, 25),  # Christmas Day (Friday)
        date(2026, 12, 28),  # Boxing Day is a Saturday: substitute Monday
        date(2027, 12, 27),  # Christmas Day is a Saturday: substitute Monday
        date(2027, 12, 28),  # Boxing Day is a Sunday: substitute Tuesday
        date(2027, 1, 1),
    ],
)
def test_bank_holidays_are_not_working_days(holiday: date) -> None:
    assert not CAL.is_working_day(holiday)
    assert CAL.holiday_name(holiday)


@pytest.mark.parametrize(
    "day",
    [date(2026, 4, 2), date(2026, 4, 7), date(2026, 12, 24), date(2026, 12, 29), date(2027, 1, 4)],
)
def test_ordinary_weekdays_are_working_days(day: date) -> None:
    assert CAL.is_working_day(day)
    assert CAL.holiday_name(day) is None


def test_weekends_are_not_working_days() -> None:
    assert not CAL.is_working_day(date(2026, 3, 28))  # Saturday
    assert not CAL.is_working_day(date(2026, 3, 29))  # Sunday


def test_a_datetime_is_refused_where_a_local_date_is_needed() -> None:
    with pytest.raises(TypeError):
        CAL.is_working_day(datetime(2026, 3, 2, 9, tzinfo=UTC))


def test_next_working_day() -> None:
    assert CAL.next_working_day(date(2026, 12, 24)) == date(2026, 12, 24)
    assert CAL.next_working_day(date(2026, 12, 24), include_today=False) == date(2026, 12, 29)
    assert CAL.next_working_day(date(2026, 12, 25)) == date(2026, 12, 29)
    assert CAL.next_working_day(date(2026, 4, 3)) == date(2026, 4, 7)


def test_nth_working_day_skips_new_year_and_the_weekend() -> None:
    # 1 Jan 2027 is a Friday and a bank holiday.
    assert CAL.nth_working_day(2027, 1, 1) == date(2027, 1, 4)
    assert CAL.nth_working_day(2027, 1, 2) == date(2027, 1, 5)
    assert CAL.nth_working_day(2027, 1, 10) == date(2027, 1, 15)


def test_nth_working_day_of_april_2026_skips_easter() -> None:
    # 1 Wed, 2 Thu, (3 Good Friday, 6 Easter Monday), 7 Tue...
    assert CAL.nth_working_day(2026, 4, 3) == date(2026, 4, 7)
    assert CAL.working_days_of_month(2026, 4)[-1] == date(2026, 4, 30)
    assert len(CAL.working_days_of_month(2026, 4)) == 20


def test_nth_working_day_out_of_range() -> None:
    with pytest.raises(ValueError):
        CAL.nth_working_day(2026, 4, 0)
    with pytest.raises(ValueError):
        CAL.nth_working_day(2026, 4, 21)


def test_add_working_days_across_christmas() -> None:
    assert CAL.add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 29)
    assert CAL.add_working_days(date(2027, 12, 24), 1) == date(2027, 12, 29)
    assert CAL.add_working_days(date(2026, 12, 29), -1) == date(2026, 12, 24)


def test_add_working_days_across_easter() -> None:
    assert CAL.add_working_days(date(2026, 4, 2), 1) == date(2026, 4, 7)
    assert CAL.add_working_days(date(2026, 4, 2), 3) == date(2026, 4, 9)
    assert CAL.add_working_days(date(2026, 4, 9), -3) == date(2026, 4, 2)


def test_add_working_days_from_a_non_working_day() -> None:
    assert CAL.add_working_days(date(2026, 3, 28), 1) == date(2026, 3, 30)  # Sat -> Mon
    assert CAL.add_working_days(date(2026, 3, 28), -1) == date(2026, 3, 27)  # Sat -> Fri
    assert CAL.add_working_days(date(2026, 3, 28), 0) == date(2026, 3, 28)


def test_working_days_between() -> None:
    assert CAL.working_days_between(date(2026, 12, 24), date(2026, 12, 24)) == 0
    assert CAL.working_days_between(date(2026, 12, 24), date(2026, 12, 29)) == 1
    assert CAL.working_days_between(date(2026, 12, 29), date(2026, 12, 24)) == -1
    assert CAL.working_days_between(date(2026, 4, 1), date(2026, 4, 30)) == 19


def test_working_days_between_undoes_add_working_days() -> None:
    start = date(2026, 3, 2)
    for n in range(-40, 41):
        assert CAL.working_days_between(start, CAL.add_working_days(start, n)) == n


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [
        (date(2026, 3, 27), 9),  # GMT
        (date(2026, 3, 28), 9),
        (date(2026, 3, 29), 8),  # clocks went forward at 01:00 UTC
        (date(2026, 3, 30), 8),  # BST
        (date(2026, 10, 24), 8),
        (date(2026, 10, 25), 9),  # clocks went back at 01:00 UTC
        (date(2026, 10, 26), 9),  # GMT again
    ],
)
def test_local_datetime_at_nine_across_the_clock_changes(day: date, utc_hour: int) -> None:
    local = CAL.local_datetime(day, "09:00")
    assert local.tzinfo is not None
    assert (local.date(), local.hour, local.minute) == (day, 9, 0)
    assert local.astimezone(UTC) == datetime(day.year, day.month, day.day, utc_hour, tzinfo=UTC)


def test_local_datetime_rejects_a_time_skipped_by_the_clocks() -> None:
    with pytest.raises(ValueError, match="does not exist"):
        CAL.local_datetime(date(2026, 3, 29), "01:30")


def test_local_datetime_rejects_a_time_that_happens_twice() -> None:
    with pytest.raises(ValueError, match="twice"):
        CAL.local_datetime(date(2026, 10, 25), "01:30")


def test_local_datetime_either_side_of_the_gap() -> None:
    # Wall clock 00:59 then 02:00: one real minute apart.
    before = CAL.local_datetime(date(2026, 3, 29), "00:59")
    after = CAL.local_datetime(date(2026, 3, 29), "02:00")
    assert after.astimezone(UTC) - before.astimezone(UTC) == timedelta(minutes=1)


@pytest.mark.parametrize("bad", ["9", "24:00", "09:60", "9am", "", "09:00:00"])
def test_local_datetime_rejects_malformed_times(bad: str) -> None:
    with pytest.raises(ValueError):
        CAL.local_datetime(date(2026, 5, 1), bad)


def test_local_datetime_accepts_a_one_digit_hour() -> None:
    assert CAL.local_datetime(date(2026, 5, 1), "9:05").hour == 9


def test_month_of_uses_the_local_date() -> None:
    # 23:30 UTC on 31 May is 00:30 BST on 1 June.
    assert CAL.month_of(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == (2026, 6)
    assert CAL.local_date(datetime(2026, 5, 31, 23, 30, tzinfo=UTC)) == date(2026, 6, 1)
    # In winter London is on UTC.
    assert CAL.month_of(datetime(2026, 12, 31, 23, 30, tzinfo=UTC)) == (2026, 12)
    # Any aware zone works.
    eastern = timezone(timedelta(hours=-5))
    assert CAL.month_of(datetime(2026, 1, 31, 20, 0, tzinfo=eastern)) == (2026, 2)


def test_month_of_refuses_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="aware"):
        CAL.month_of(datetime(2026, 5, 31, 23, 30))


def test_another_zone() -> None:
    cal = WorkingCalendar("UTC")
    assert cal.local_datetime(date(2026, 7, 1), "09:00").utcoffset() == timedelta(0)
