"""The scheduler's work: given the time, decide what is due and send it once.

Each job reads the state from storage and sends through idempotency keys, so running it twice,
late, or on two instances does no harm. After downtime only the latest due step of a series is
sent (one catch-up, never a replay of the backlog).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from domain.calendar import WorkingCalendar
from domain.outbox import MessageKind
from domain.planner import progress_round, reminders
from domain.planner.context import FIGURES, PROGRESS, PlannerContext
from domain.planning import (
    Audience,
    DigestDue,
    FiguresRequest,
    Message,
    OffTrajectoryAlert,
    PlanningStore,
    RunReport,
    SelfAssessmentRequest,
    TargetReviewReminder,
)
from domain.schedule import (
    add_months,
    latest_step_due,
    month_key,
    self_assessment_at,
    target_reviews,
)
from domain.trajectory import is_off_trajectory, trajectory_value


class Planner:
    def __init__(self, store: PlanningStore, calendar: WorkingCalendar) -> None:
        self._context = PlannerContext(store, calendar)

    async def open_round(self, now: datetime, *, month: str | None = None, force: bool = False) -> RunReport:
        return await progress_round.open_round(self._context, now, month=month, force=force)

    async def resend_prompts(self, now: datetime, email: str) -> RunReport:
        return await progress_round.resend_prompts(self._context, now, email)

    async def remind(self, now: datetime) -> RunReport:
        return await reminders.remind(self._context, now)

    # ---- figures -------------------------------------------------------------------------------

    async def request_figures(self, now: datetime) -> RunReport:
        """Ask metric owners for last month's figures on the set working day; chase the missing ones."""
        report = RunReport()
        if await self._context.quiet(report, now):
            return report
        plan, table = await self._context.timetable(now)
        if now < table.figures_request_at or not plan.metrics:
            return report
        round_, _ = await self._context.store.open_round(FIGURES, table.figures_month, table.figures_deadline, now)
        submitted = await self._context.store.figures_submitted(table.figures_month)
        people = await self._context.store.people()
        today = self._context.calendar.local_date(now)
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
            await self._context.enqueue(
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
                await self._context.enqueue(
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

    async def review_targets(self, now: datetime) -> RunReport:
        """Remind the chair and each metric's owner 30 and 7 days before its target date."""
        report = RunReport()
        if await self._context.quiet(report, now):
            return report
        plan = await self._context.store.plan()
        today = self._context.calendar.local_date(now)
        for metric in plan.metrics:
            due = [r for r in target_reviews(metric, plan.schedule, self._context.calendar) if r.at <= now]
            if not due or today >= metric.target.date:
                continue
            review = due[-1]
            content = TargetReviewReminder(
                metric.id, metric.name, metric.target.value, metric.target.date, review.days_before
            )
            for email in sorted({metric.owner, *await self._context.chairs()}):
                await self._context.enqueue(
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

    async def alert_off_trajectory(self, now: datetime) -> RunReport:
        """A submitted figure worse than the line from baseline to target, or than the baseline."""
        report = RunReport()
        if await self._context.quiet(report, now):
            return report
        plan = await self._context.store.plan()
        year, month = self._context.calendar.month_of(now)
        for period in (
            month_key(*add_months(year, month, -2)),
            month_key(*add_months(year, month, -1)),
        ):
            readings = await self._context.store.readings(period)
            period_end = _month_end(period)
            for metric in plan.metrics:
                value = readings.get(metric.id)
                if value is None or not is_off_trajectory(metric, period_end, value):
                    continue
                line = trajectory_value(metric, period_end)
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
                await self._context.enqueue(
                    report, Message(MessageKind.NOTICE, scope, "channel", Audience.CHANNEL, alert), now
                )
                for chair in await self._context.chairs():
                    await self._context.enqueue(
                        report, Message(MessageKind.NOTICE, scope, "chair", Audience.PERSON, alert, email=chair), now
                    )
        return report

    async def post_digest(self, now: datetime) -> RunReport:
        report = RunReport()
        if await self._context.quiet(report, now):
            return report
        for table in await self._context.recent_tables(now):
            if table.digest_at <= now and await self._context.store.find_round(PROGRESS, table.month):
                digest = DigestDue(table.month)
                await self._context.enqueue(
                    report,
                    Message(MessageKind.DIGEST, f"digest-{table.month}", "channel", Audience.CHANNEL, digest),
                    now,
                )
                for chair in await self._context.chairs():
                    await self._context.enqueue(
                        report,
                        Message(
                            MessageKind.DIGEST, f"digest-{table.month}", "chair", Audience.PERSON, digest, email=chair
                        ),
                        now,
                    )
        return report

    async def request_self_assessments(self, now: datetime) -> RunReport:
        """In the plan's self-assessment months, on the set working day, ask each quality statement's
        lead to self-assess the statements they lead (once a quarter: the key names the month)."""
        report = RunReport()
        if await self._context.quiet(report, now):
            return report
        plan = await self._context.store.plan()
        year, month = self._context.calendar.month_of(now)
        due = self_assessment_at(year, month, plan.schedule, self._context.calendar)
        if due is None or now < due:
            return report
        led: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for theme in plan.themes:
            for statement in theme.quality_statements:
                if statement.lead:
                    led[statement.lead].append((statement.id, statement.name))
        people = await self._context.store.people()
        today = self._context.calendar.local_date(now)
        scope = f"self-assessment-{month_key(year, month)}"
        for email, statements in led.items():
            person = people.get(email)
            if person is None or person.away_on(today):
                report.skipped.append(f"self-assessment request to {email}: away")
                continue
            content = SelfAssessmentRequest(
                month_key(year, month), tuple(s for s, _ in statements), tuple(n for _, n in statements)
            )
            message = Message(MessageKind.NOTICE, scope, "request", Audience.PERSON, content, email=email)
            await self._context.enqueue(report, message, now)
        return report

    async def tick(self, now: datetime) -> RunReport:
        """Everything the scheduler would have run by ``now`` and not yet done."""
        report = RunReport()
        for job in (
            self.open_round,
            self.remind,
            self.request_figures,
            self.review_targets,
            self.alert_off_trajectory,
            self.post_digest,
            self.request_self_assessments,
        ):
            report.merge(await job(now))
        return report


def _month_end(period: str) -> date:
    year, month = int(period[:4]), int(period[5:])
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(following.toordinal() - 1)


def _worse(direction: str, value: float, than: float) -> bool:
    return value > than if direction == "down" else value < than
