"""The scheduler's work: given the time, decide what is due and send it once.

Each job reads the state from storage and sends through idempotency keys, so running it twice,
late, or on two instances does no harm. After downtime only the latest due step of a series is
sent (one catch-up, never a replay of the backlog).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from domain.calendar import WorkingCalendar
from domain.outbox import MessageKind
from domain.planner import figures, progress_round, reminders
from domain.planner.context import PROGRESS, PlannerContext
from domain.planning import (
    Audience,
    DigestDue,
    Message,
    PlanningStore,
    RunReport,
    SelfAssessmentRequest,
)
from domain.schedule import (
    month_key,
    self_assessment_at,
)


class Planner:
    def __init__(self, store: PlanningStore, calendar: WorkingCalendar) -> None:
        self._context = PlannerContext(store, calendar)

    async def open_round(self, now: datetime, *, month: str | None = None, force: bool = False) -> RunReport:
        return await progress_round.open_round(self._context, now, month=month, force=force)

    async def resend_prompts(self, now: datetime, email: str) -> RunReport:
        return await progress_round.resend_prompts(self._context, now, email)

    async def remind(self, now: datetime) -> RunReport:
        return await reminders.remind(self._context, now)

    async def request_figures(self, now: datetime) -> RunReport:
        return await figures.request_figures(self._context, now)

    async def review_targets(self, now: datetime) -> RunReport:
        return await figures.review_targets(self._context, now)

    async def alert_off_trajectory(self, now: datetime) -> RunReport:
        return await figures.alert_off_trajectory(self._context, now)

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
