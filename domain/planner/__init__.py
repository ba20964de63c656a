"""The scheduler's work: given the time, decide what is due and send it once.

Each job reads the state from storage and sends through idempotency keys, so running it twice,
late, or on two instances does no harm. After downtime only the latest due step of a series is
sent (one catch-up, never a replay of the backlog).

`Planner` is the one entry point; each step lives in its own module, given the shared
`context.PlannerContext` (store, calendar, the working-hours check and the idempotent send):
`progress_round` (open, resend), `reminders` (nudge, overdue, escalation), `figures` (requests,
target reviews, off-trajectory alerts), `digest` and `self_assessment`.
"""

from __future__ import annotations

from datetime import datetime

from domain.calendar import WorkingCalendar
from domain.planner import digest, figures, progress_round, reminders, self_assessment
from domain.planner.context import PlannerContext
from domain.planning import PlanningStore, RunReport

__all__ = ["Planner"]


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
        return await digest.post_digest(self._context, now)

    async def request_self_assessments(self, now: datetime) -> RunReport:
        return await self_assessment.request_self_assessments(self._context, now)

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
