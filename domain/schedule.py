"""When each of the month's steps is due, on local working days.

Every moment is computed from the plan's schedule settings and the working calendar, so the
scheduler, `cqcbot tick --as-of` and `cqcbot schedule` agree on one timetable.
"""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from domain import months
from domain.calendar import WorkingCalendar
from domain.model import Metric, ScheduleSettings


@dataclass(frozen=True)
class MonthTimetable:
    month: str  # YYYY-MM: the progress round's month
    round_opens: datetime
    deadline: date  # answers due by the end of this local day
    nudge_at: datetime | None  # None when the setting turns the nudge off
    overdue_at: tuple[datetime, ...]  # reminder 1, 2, 3 …
    escalation_at: datetime | None
    figures_month: str  # the month the figures are for: the previous one
    figures_request_at: datetime
    figures_deadline: date
    figures_overdue_at: tuple[datetime, ...]
    digest_at: datetime


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def add_months(year: int, month: int, count: int) -> tuple[int, int]:
    """(year, month) ``count`` months later (earlier when negative): the timetable's arithmetic.
    For "YYYY-MM" keys, domain/months.py has previous_month and next_month."""
    shifted = year * 12 + month - 1 + count
    return shifted // 12, shifted % 12 + 1


def month_timetable(year: int, month: int, settings: ScheduleSettings, calendar: WorkingCalendar) -> MonthTimetable:
    at = settings.cycle_open_time

    def moment(d: date) -> datetime:
        return calendar.local_datetime(d, at)

    def reminders(deadline: date) -> tuple[datetime, ...]:
        every = settings.overdue_reminder_every_working_days
        return tuple(
            moment(calendar.add_working_days(deadline, every * step))
            for step in range(1, settings.overdue_reminders_max + 1)
        )

    deadline = calendar.nth_working_day(year, month, settings.progress_deadline_working_day)
    overdue = reminders(deadline)
    nudge_days = settings.nudge_working_days_before_deadline
    figures_deadline = calendar.nth_working_day(year, month, settings.figures_deadline_working_day)
    escalation = None
    if overdue:
        escalation = moment(calendar.add_working_days(calendar.local_date(overdue[-1]), 1))
    return MonthTimetable(
        month=month_key(year, month),
        round_opens=moment(calendar.nth_working_day(year, month, settings.cycle_open_working_day)),
        deadline=deadline,
        nudge_at=moment(calendar.add_working_days(deadline, -nudge_days)) if nudge_days else None,
        overdue_at=overdue,
        escalation_at=escalation,
        figures_month=months.previous_month(month_key(year, month)),
        figures_request_at=moment(calendar.nth_working_day(year, month, settings.figures_request_working_day)),
        figures_deadline=figures_deadline,
        figures_overdue_at=reminders(figures_deadline),
        digest_at=moment(calendar.add_working_days(deadline, settings.digest_working_days_after_deadline)),
    )


def next_round(
    settings: ScheduleSettings, calendar: WorkingCalendar, now: datetime, opened: Set[str] = frozenset()
) -> MonthTimetable:
    """The timetable of the next round to open after ``now``: this month's until it has opened (``opened``:
    the months whose progress round is open or done; a missed opening is caught up), else next month's.
    An update sent between rounds counts for it, and can be changed until its deadline."""
    year, month = calendar.month_of(now)
    table = month_timetable(year, month, settings, calendar)
    if now < table.round_opens or table.month not in opened:
        return table
    return month_timetable(*add_months(year, month, 1), settings, calendar)


def next_check(settings: ScheduleSettings, calendar: WorkingCalendar, now: datetime) -> datetime:
    """When the scheduler next runs its jobs to effect: the daily check at the round's opening time, on
    the next working day (it also fires on bank holidays, when the planner sends nothing)."""
    day = calendar.local_date(now)
    while True:
        day = calendar.next_working_day(day)
        moment = calendar.local_datetime(day, settings.cycle_open_time)
        if moment > now:
            return moment
        day += timedelta(days=1)


@dataclass(frozen=True)
class CatchUp:
    """A step whose time has passed without it being done: the next check will do it."""

    step: str  # "progress" (open the round) or "figures" (the figures request)
    month: str  # the round's month (for figures: the month the figures are for)
    missed_at: datetime
    runs_at: datetime


def pending_catch_ups(
    settings: ScheduleSettings,
    calendar: WorkingCalendar,
    now: datetime,
    opened: set[tuple[str, str]],
    *,
    has_metrics: bool = True,
) -> list[CatchUp]:
    """This month's round opening and figures request when they are due and not done (``opened``:
    the (kind, month) rounds already open), with when the next check will catch them up."""
    table = month_timetable(*calendar.month_of(now), settings, calendar)
    runs_at = next_check(settings, calendar, now)
    found = []
    if table.round_opens <= now and ("progress", table.month) not in opened:
        found.append(CatchUp("progress", table.month, table.round_opens, runs_at))
    if has_metrics and table.figures_request_at <= now and ("figures", table.figures_month) not in opened:
        found.append(CatchUp("figures", table.figures_month, table.figures_request_at, runs_at))
    return found


def latest_step_due(moments: tuple[datetime, ...], now: datetime) -> int | None:
    """The 1-based number of the latest step due by ``now``: after downtime only it is sent."""
    due = [n for n, moment in enumerate(moments, start=1) if moment <= now]
    return due[-1] if due else None


@dataclass(frozen=True)
class TargetReview:
    metric_id: str
    days_before: int
    at: datetime


def target_reviews(metric: Metric, settings: ScheduleSettings, calendar: WorkingCalendar) -> list[TargetReview]:
    """Reminders before a target date; a day off moves to the next working day."""
    reviews = []
    for days in settings.target_review_days_before:
        day = calendar.next_working_day(metric.target.date - timedelta(days=days))
        if day < metric.target.date:
            reviews.append(TargetReview(metric.id, days, calendar.local_datetime(day, settings.cycle_open_time)))
    return reviews


def self_assessment_at(year: int, month: int, settings: ScheduleSettings, calendar: WorkingCalendar) -> datetime | None:
    """When the month's self-assessment request goes to the leads; None outside the plan's months."""
    if month not in settings.self_assessment_months:
        return None
    day = calendar.nth_working_day(year, month, settings.self_assessment_working_day)
    return calendar.local_datetime(day, settings.cycle_open_time)


def upcoming(
    settings: ScheduleSettings, metrics: tuple[Metric, ...], calendar: WorkingCalendar, now: datetime
) -> list[tuple[str, datetime]]:
    """The next moment each kind of step is due, soonest first (`cqcbot schedule`)."""
    year, month = calendar.month_of(now)
    tables = [month_timetable(*m, settings, calendar) for m in ((year, month), add_months(year, month, 1))]
    moments: dict[str, list[datetime]] = {
        "open the progress round": [t.round_opens for t in tables],
        "nudge before the deadline": [t.nudge_at for t in tables if t.nudge_at],
        "overdue reminders": [m for t in tables for m in t.overdue_at],
        "escalation to the chair": [t.escalation_at for t in tables if t.escalation_at],
        "figures request": [t.figures_request_at for t in tables],
        "overdue figures reminders": [m for t in tables for m in t.figures_overdue_at],
        "digest to the group and the chair": [t.digest_at for t in tables],
        "target review reminders": [r.at for m in metrics for r in target_reviews(m, settings, calendar)],
        "self-assessment request to the leads": [
            at
            for step in range(13)
            if (at := self_assessment_at(*add_months(year, month, step), settings, calendar)) is not None
        ],
    }
    upcoming_steps = []
    for name, times in moments.items():
        future = sorted(t for t in times if t > now)
        if future:
            upcoming_steps.append((name, future[0]))
    return sorted(upcoming_steps, key=lambda item: item[1])
