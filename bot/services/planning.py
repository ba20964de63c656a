"""Running the planner: one transaction per job, messages rendered and put in the outbox."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from bot.services.checkin import CheckinService
from bot.services.figures import FiguresService
from bot.services.readiness import self_assessment_payload
from dialogs import notices
from domain.calendar import WorkingCalendar
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
