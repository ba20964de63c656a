"""Running the planner: one transaction per job, messages rendered and put in the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.services.base import LocalService
from bot.services.checkin import CheckinService, Sender
from bot.services.figures import FiguresService
from bot.services.readiness import self_assessment_payload
from dialogs import notices
from dialogs.commands import Command
from domain.calendar import WorkingCalendar
from domain.model import Role
from domain.outbox import message_payload
from domain.planner import Planner
from domain.planning import (
    DigestDue,
    Escalation,
    FiguresRequest,
    Message,
    OffTrajectoryAlert,
    Prompt,
    Reminder,
    RunReport,
    SelfAssessmentRequest,
    TargetReviewReminder,
)
from storage import people
from storage.engine import Session, Sessions
from storage.planning_store import Renderer, SqlPlanningStore


class MessageRenderer:
    """Turns the planner's messages into what Teams is sent (storage.planning_store.Renderer)."""

    def __init__(
        self,
        checkin: CheckinService,
        figures: FiguresService,
        digest: Callable[[str, Session], Awaitable[dict[str, Any]]] | None = None,
    ) -> None:
        self._checkin = checkin
        self._figures = figures
        self._digest = digest

    async def __call__(self, message: Message, person_id: int | None, session: Session) -> dict[str, Any]:
        content = message.content
        if isinstance(content, FiguresRequest) and content.overdue_step == 0 and person_id is not None:
            card = await self._figures.card_in_session(session, person_id, period=content.month)
            if card is not None:
                return message_payload(card=card, text=notices.figures_request_text(content))
        if isinstance(content, Prompt):
            card = await self._checkin.prompt_card(session, content.action_ref, round_id=content.round_id)
            if card is None:
                raise LookupError(f"action {content.action_ref} is not in the plan")
            return message_payload(card=card)
        if isinstance(content, SelfAssessmentRequest):
            return await self_assessment_payload(content, session)
        if isinstance(content, DigestDue) and self._digest is not None:
            return message_payload(card=await self._digest(content.month, session))
        texts: dict[type, Callable[[Any], str]] = {
            Reminder: notices.reminder_text,
            Escalation: notices.escalation_text,
            FiguresRequest: notices.figures_request_text,
            TargetReviewReminder: notices.target_review_text,
            OffTrajectoryAlert: notices.off_trajectory_text,
        }
        render = texts.get(type(content))
        if render is None:
            raise TypeError(f"no renderer for {type(content).__name__}")
        return message_payload(text=render(content))


Job = Callable[[Planner, datetime], Awaitable[RunReport]]


class PlanningRunner:
    """Runs one planner job in its own transaction; the scheduler and the CLI both call this."""

    def __init__(self, sessions: Sessions, renderer: Renderer, timezone: str) -> None:
        self._sessions = sessions
        self._renderer = renderer
        self._calendar = WorkingCalendar(timezone)

    async def run(self, job: Job, now: datetime) -> RunReport:
        async with self._sessions.begin() as session:
            planner = Planner(SqlPlanningStore(session, self._renderer), self._calendar)
            return await job(planner, now)


class ResendService(LocalService):
    """The chair's "resend to NAME": the open round's prompts once more, through the planner."""

    def __init__(
        self, sessions: Sessions, clock: Callable[[], datetime], timezone: str, runner: PlanningRunner
    ) -> None:
        super().__init__(sessions, clock, timezone)
        self._runner = runner

    async def resend(self, sender: Sender, command: Command) -> str:
        if command.problem or not command.who:
            return command.problem or "Please say who to, e.g. resend to Rachel Ahmed."
        async with self._sessions() as session:
            chair = await people.person_for_sender(session, aad_object_id=sender.aad_object_id, user_id=sender.user_id)
            found = await people.person_named(session, command.who)
        if chair is None or not {Role.CHAIR, Role.ADMIN} & chair.roles:
            return "Only the chair or an admin can resend prompts."
        if len(found) != 1:
            many = "more than one person" if found else "nobody"
            return f"I found {many} called {command.who} in the plan. Please give their email address."
        [person] = found

        async def job(planner: Planner, now: datetime) -> RunReport:
            return await planner.resend_prompts(now, person.email)

        report = await self._runner.run(job, self._clock())
        if report.enqueued:
            count = len(report.enqueued)
            return (
                f"Done — {person.name} will get {'their prompt' if count == 1 else f'{count} prompts'} again shortly."
            )
        if report.already:
            return f"I have already resent {person.name}'s prompts for this round, so nothing more was sent."
        reason = report.skipped[0] if report.skipped else "nothing is due"
        return f"Nothing was resent to {person.name}: {reason}."
