"""The month's timetable on English working days, at the right local time across GMT/BST."""

from __future__ import annotations

from datetime import UTC, date, datetime

from domain.calendar import WorkingCalendar
from domain.model import DatedValue, Direction, Metric, ScheduleSettings
from domain.schedule import (
    add_months,
    latest_step_due,
    month_timetable,
    next_check,
    next_round,
    pending_catch_ups,
    target_reviews,
)

CAL = WorkingCalendar("Europe/London")
DEFAULTS = ScheduleSettings()


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_january_skips_new_years_day() -> None:
    t = month_timetable(2027, 1, DEFAULTS, CAL)
    assert t.round_opens == utc(2027, 1, 4, 9)  # Fri 1 Jan is a bank holiday; GMT
    assert t.deadline == date(2027, 1, 15)  # 10th working day
    assert t.nudge_at == utc(2027, 1, 12, 9)
    assert t.overdue_at == (utc(2027, 1, 19, 9), utc(2027, 1, 21, 9), utc(2027, 1, 25, 9))
    assert t.escalation_at == utc(2027, 1, 26, 9)
    assert t.figures_month == "2026-12"
    assert t.figures_request_at == utc(2027, 1, 6, 9)
    assert t.digest_at == utc(2027, 1, 19, 9)


def test_april_2026_skips_easter_and_runs_on_summer_time() -> None:
    t = month_timetable(2026, 4, DEFAULTS, CAL)
    assert t.round_opens == utc(2026, 4, 1, 8)  # 09:00 BST
    # Good Friday 3 Apr and Easter Monday 6 Apr are not working days.
    assert t.figures_request_at == utc(2026, 4, 7, 8)
    assert t.deadline == date(2026, 4, 16)


def test_clock_change_weeks_keep_nine_o_clock_local() -> None:
    march = month_timetable(2026, 3, DEFAULTS, CAL)
    assert march.round_opens == utc(2026, 3, 2, 9)  # GMT
    assert march.overdue_at[-1] == utc(2026, 3, 23, 9)
    october = month_timetable(2026, 10, DEFAULTS, CAL)
    assert october.round_opens == utc(2026, 10, 1, 8)  # BST
    november = month_timetable(2026, 11, DEFAULTS, CAL)
    assert november.round_opens == utc(2026, 11, 2, 9)  # GMT again after 25 Oct


def test_december_steps_skip_christmas_and_the_substitute_boxing_day() -> None:
    settings = ScheduleSettings(progress_deadline_working_day=16)
    t = month_timetable(2026, 12, settings, CAL)
    assert t.deadline == date(2026, 12, 22)
    # 25 Dec (Fri) and 28 Dec (Mon, Boxing Day substitute) are skipped.
    assert t.overdue_at[0] == utc(2026, 12, 24, 9)
    assert t.overdue_at[1] == utc(2026, 12, 30, 9)


def test_settings_change_the_timetable() -> None:
    settings = ScheduleSettings(cycle_open_time="10:30", nudge_working_days_before_deadline=0, overdue_reminders_max=1)
    t = month_timetable(2026, 6, settings, CAL)
    assert t.round_opens == utc(2026, 6, 1, 9, 30)
    assert t.nudge_at is None
    assert len(t.overdue_at) == 1


def test_only_the_latest_due_step_counts_after_downtime() -> None:
    steps = (utc(2027, 1, 19, 9), utc(2027, 1, 21, 9), utc(2027, 1, 25, 9))
    assert latest_step_due(steps, utc(2027, 1, 19, 8, 59)) is None
    assert latest_step_due(steps, utc(2027, 1, 19, 9)) == 1
    assert latest_step_due(steps, utc(2027, 2, 1)) == 3


def test_target_reviews_fall_on_working_days() -> None:
    metric = Metric(
        "dols",
        "DoLS",
        "applications",
        Direction.DOWN,
        "m@x.example",
        DatedValue(412, date(2025, 9, 30)),
        DatedValue(250, date(2026, 3, 31)),
    )
    reviews = target_reviews(metric, DEFAULTS, CAL)
    assert [(r.days_before, r.at) for r in reviews] == [
        (30, utc(2026, 3, 2, 9)),  # 1 Mar is a Sunday
        (7, utc(2026, 3, 24, 9)),
    ]


def test_months_are_added_across_year_ends_both_ways() -> None:
    assert add_months(2026, 1, -1) == (2025, 12)
    assert add_months(2025, 12, 1) == (2026, 1)
    assert add_months(2026, 3, -2) == (2026, 1)
    assert add_months(2026, 3, -15) == (2024, 12)
    assert add_months(2026, 11, 14) == (2028, 1)
    assert add_months(2026, 6, 0) == (2026, 6)


def test_a_missed_round_opening_is_caught_up_at_the_next_working_morning() -> None:
    evening = CAL.local_datetime(date(2026, 12, 1), "18:38")  # Tue 1 Dec, the round not opened
    [progress] = pending_catch_ups(ScheduleSettings(), CAL, evening, set())  # figures: due on the 3rd
    assert (progress.step, progress.month) == ("progress", "2026-12")
    assert progress.missed_at == CAL.local_datetime(date(2026, 12, 1), "09:00")
    assert progress.runs_at == CAL.local_datetime(date(2026, 12, 2), "09:00")
    later = CAL.local_datetime(date(2026, 12, 7), "08:00")
    assert [(c.step, c.month) for c in pending_catch_ups(ScheduleSettings(), CAL, later, set())] == [
        ("progress", "2026-12"),
        ("figures", "2026-11"),
    ]
    opened = {("progress", "2026-12"), ("figures", "2026-11")}
    assert pending_catch_ups(ScheduleSettings(), CAL, evening, opened) == []


def test_the_next_check_skips_weekends_and_bank_holidays() -> None:
    christmas_eve = CAL.local_datetime(date(2026, 12, 24), "19:00")
    assert next_check(ScheduleSettings(), CAL, christmas_eve) == CAL.local_datetime(date(2026, 12, 29), "09:00")
    before_nine = CAL.local_datetime(date(2026, 12, 2), "08:00")
    assert next_check(ScheduleSettings(), CAL, before_nine) == CAL.local_datetime(date(2026, 12, 2), "09:00")


def test_the_next_round_is_this_months_until_it_has_opened() -> None:
    evening = CAL.local_datetime(date(2026, 12, 1), "18:38")
    assert next_round(ScheduleSettings(), CAL, evening).month == "2026-12"  # missed: caught up tomorrow
    assert next_round(ScheduleSettings(), CAL, evening, {"2026-12"}).month == "2027-01"
    before = CAL.local_datetime(date(2026, 12, 1), "08:00")
    assert next_round(ScheduleSettings(), CAL, before, {"2026-11"}).month == "2026-12"
