"""The scheduler's work: given the time, decide what is due and send it once.

Each job reads the state from storage and sends through idempotency keys, so running it twice,
late, or on two instances does no harm. After downtime only the latest due step of a series is
sent (one catch-up, never a replay of the backlog).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from domain.calendar import WorkingCalendar
from domain.model import Plan
from domain.outbox import MessageKind
from domain.planner.context import FIGURES, PROGRESS, PlannerContext
from domain.planning import (
    Audience,
    DigestDue,
    Escalation,
    FiguresRequest,
    Message,
    OffTrajectoryAlert,
    Outstanding,
    PersonAvailability,
    PlanningStore,
    Prompt,
    Reminder,
    RunReport,
    SelfAssessmentRequest,
    TargetReviewReminder,
)
from domain.schedule import (
    MonthTimetable,
    add_months,
    latest_step_due,
    month_key,
    month_timetable,
    self_assessment_at,
    target_reviews,
)
from domain.trajectory import is_off_trajectory, trajectory_value


class Planner:
    def __init__(self, store: PlanningStore, calendar: WorkingCalendar) -> None:
        self._context = PlannerContext(store, calendar)

    # ---- the progress round ----------------------------------------------------------------------

    async def open_round(self, now: datetime, *, month: str | None = None, force: bool = False) -> RunReport:
        """Open the month's round, ask about every open action, and prompt each owner not away."""
        report = RunReport()
        if not force and await self._context.quiet(report, now):
            return report
        plan, table = await self._context.timetable(now, month)
        if not force and now < table.round_opens:
            return report
        round_, _ = await self._context.store.open_round(PROGRESS, table.month, table.deadline, now)
        if round_.closed:
            report.skipped.append(f"the {table.month} round is closed")
            return report
        await self._context.store.close_rounds_before(PROGRESS, table.month, now)
        # An update sent after last month's deadline, before this round opened, answers this round.
        await self._context.store.count_updates_since(round_, self._previous_deadline_end(plan, table.month))
        refs_by_owner: dict[str, list[str]] = defaultdict(list)
        for action in plan.actions:
            if action.status.asked_about:
                refs_by_owner[action.owner].append(action.ref)
        await self._context.store.request_actions(round_, refs_by_owner, now)
        # Prompts go to whoever was asked (also people back from leave since the round opened).
        await self._context.prompt_outstanding(report, round_, now)
        return report

    def _previous_deadline_end(self, plan: Plan, month: str) -> datetime:
        """The end of the local day of the previous month's deadline (by the timetable, whether or not
        that round was opened)."""
        year, number = add_months(int(month[:4]), int(month[5:]), -1)
        deadline = month_timetable(year, number, plan.schedule, self._context.calendar).deadline
        return self._context.calendar.local_datetime(date.fromordinal(deadline.toordinal() + 1), "00:00")

    async def resend_prompts(self, now: datetime, email: str) -> RunReport:
        """The chair's resend, on purpose: the open round's prompts for the person's unanswered actions,
        once per round and person (keys of their own, apart from the first prompts)."""
        report = RunReport()
        _, table = await self._context.timetable(now)
        round_ = await self._context.store.find_round(PROGRESS, table.month)
        if round_ is None or round_.closed:
            report.skipped.append(f"no open progress round for {table.month}")
            return report
        email = next((known for known in await self._context.store.people() if known.lower() == email.lower()), email)
        if email not in await self._context.store.people():
            report.skipped.append(f"{email} is not in the plan")
            return report
        missing = (await self._context.outstanding(round_)).get(email, ())
        if not missing:
            report.skipped.append(f"{email} has nothing unanswered in the {table.month} round")
            return report
        # The chair believes they can be reached now: Teams is asked again (and says if not).
        await self._context.store.clear_unreachable(email, now)
        for ref in missing:
            prompt = Prompt(round_.id, ref)
            await self._context.enqueue(
                report,
                Message(
                    MessageKind.PROMPT, f"progress-{round_.month}-resend", ref, Audience.PERSON, prompt, email=email
                ),
                now,
            )
        return report

    async def remind(self, now: datetime) -> RunReport:
        """The nudge before the deadline, then the overdue reminders, then the escalation."""
        report = RunReport()
        if await self._context.quiet(report, now):
            return report
        today = self._context.calendar.local_date(now)
        for table in await self._context.recent_tables(now):
            round_ = await self._context.store.find_round(PROGRESS, table.month)
            if round_ is None or round_.closed:
                continue
            await self._context.prompt_outstanding(report, round_, now)  # people back from leave
            step = latest_step_due(table.overdue_at, now)
            nudge_due = table.nudge_at is not None and table.nudge_at <= now and today <= table.deadline
            if step is None and not nudge_due:
                continue
            outstanding = await self._context.outstanding(round_)
            people = await self._context.store.people()
            for email, refs in outstanding.items():
                person = people.get(email)
                if person is None or person.away_on(today):
                    continue
                name = f"overdue-{step}" if step else "nudge"
                await self._context.enqueue(
                    report,
                    Message(
                        MessageKind.REMINDER,
                        f"progress-{table.month}",
                        name,
                        Audience.PERSON,
                        Reminder(table.month, table.deadline, refs, step or 0),
                        email=email,
                    ),
                    now,
                )
            if table.escalation_at is not None and table.escalation_at <= now:
                await self._escalate(report, table, outstanding, people, now)
        return report

    async def _escalate(
        self,
        report: RunReport,
        table: MonthTimetable,
        outstanding: dict[str, tuple[str, ...]],
        people: dict[str, PersonAvailability],
        now: datetime,
    ) -> None:
        if not outstanding:
            return
        today = self._context.calendar.local_date(now)
        groups: dict[str, list[Outstanding]] = {"outstanding": [], "away": [], "unreachable": []}
        for email, refs in sorted(outstanding.items()):
            person = people.get(email)
            entry = Outstanding(person.name if person else email, email, refs)
            group = (
                "away"
                if person and person.away_on(today)
                else "unreachable"
                if person and person.unreachable
                else "outstanding"
            )
            groups[group].append(entry)
        escalation = Escalation(
            table.month,
            table.deadline,
            tuple(groups["outstanding"]),
            tuple(groups["away"]),
            tuple(groups["unreachable"]),
        )
        for chair in await self._context.chairs():
            await self._context.enqueue(
                report,
                Message(
                    MessageKind.ESCALATION,
                    f"progress-{table.month}",
                    "after-reminders",
                    Audience.PERSON,
                    escalation,
                    email=chair,
                ),
                now,
            )

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
