"""The metrics: asking for last month's figures, the target-date reviews, the off-trajectory alerts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from domain.months import period_end
from domain.outbox import MessageKind
from domain.planner.context import FIGURES, PlannerContext
from domain.planning import Audience, FiguresRequest, Message, OffTrajectoryAlert, RunReport, TargetReviewReminder
from domain.schedule import add_months, latest_step_due, month_key, target_reviews
from domain.trajectory import is_off_trajectory, trajectory_value


async def request_figures(context: PlannerContext, now: datetime) -> RunReport:
    """Ask metric owners for last month's figures on the set working day; chase the missing ones."""
    report = RunReport()
    if await context.quiet(report, now):
        return report
    plan, table = await context.timetable(now)
    if now < table.figures_request_at or not plan.metrics:
        return report
    round_, _ = await context.store.open_round(FIGURES, table.figures_month, table.figures_deadline, now)
    submitted = await context.store.figures_submitted(table.figures_month)
    people = await context.store.people()
    today = context.calendar.local_date(now)
    step = latest_step_due(table.figures_overdue_at, now)
    owners: dict[str, list[str]] = defaultdict(list)
    for metric in plan.metrics:
        owners[metric.owner].append(metric.id)
    for email, metric_ids in owners.items():
        person = people.get(email)
        if person is None or person.away_on(today):
            report.skipped.append(f"figures request to {email}: away")
            continue
        request = FiguresRequest(table.figures_month, table.figures_deadline, 0)
        await context.enqueue(
            report,
            Message(
                MessageKind.FIGURES_REQUEST,
                f"figures-{round_.month}",
                "request",
                Audience.PERSON,
                request,
                email=email,
            ),
            now,
        )
        if step and any(m not in submitted for m in metric_ids):
            chase = FiguresRequest(table.figures_month, table.figures_deadline, step)
            await context.enqueue(
                report,
                Message(
                    MessageKind.REMINDER,
                    f"figures-{round_.month}",
                    f"overdue-{step}",
                    Audience.PERSON,
                    chase,
                    email=email,
                ),
                now,
            )
    return report


async def review_targets(context: PlannerContext, now: datetime) -> RunReport:
    """Remind the chair and each metric's owner 30 and 7 days before its target date."""
    report = RunReport()
    if await context.quiet(report, now):
        return report
    plan = await context.store.plan()
    today = context.calendar.local_date(now)
    for metric in plan.metrics:
        due = [r for r in target_reviews(metric, plan.schedule, context.calendar) if r.at <= now]
        if not due or today >= metric.target.date:
            continue
        review = due[-1]
        content = TargetReviewReminder(
            metric.id, metric.name, metric.target.value, metric.target.date, review.days_before
        )
        for email in sorted({metric.owner, *await context.chairs()}):
            await context.enqueue(
                report,
                Message(
                    MessageKind.NOTICE,
                    f"target-{metric.id}-{metric.target.date}",
                    f"{review.days_before}-days",
                    Audience.PERSON,
                    content,
                    email=email,
                ),
                now,
            )
    return report


async def alert_off_trajectory(context: PlannerContext, now: datetime) -> RunReport:
    """A submitted figure worse than the line from baseline to target, or than the baseline."""
    report = RunReport()
    if await context.quiet(report, now):
        return report
    plan = await context.store.plan()
    year, month = context.calendar.month_of(now)
    for period in (
        month_key(*add_months(year, month, -2)),
        month_key(*add_months(year, month, -1)),
    ):
        readings = await context.store.readings(period)
        figure_date = period_end(period)
        for metric in plan.metrics:
            value = readings.get(metric.id)
            if value is None or not is_off_trajectory(metric, figure_date, value):
                continue
            line = trajectory_value(metric, figure_date)
            alert = OffTrajectoryAlert(
                metric.id,
                metric.name,
                metric.unit,
                period,
                value,
                line,
                metric.baseline.value,
                _worse(metric.direction.value, value, metric.baseline.value),
            )
            scope = f"trajectory-{metric.id}-{period}"
            await context.enqueue(report, Message(MessageKind.NOTICE, scope, "channel", Audience.CHANNEL, alert), now)
            for chair in await context.chairs():
                await context.enqueue(
                    report, Message(MessageKind.NOTICE, scope, "chair", Audience.PERSON, alert, email=chair), now
                )
    return report


def _worse(direction: str, value: float, than: float) -> bool:
    return value > than if direction == "down" else value < than
