"""Running the planner: one transaction per job, messages rendered and put in the outbox."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select

from bot.services.checkin import CheckinService
from bot.services.figures import FiguresService
from dialogs import notices
from domain.calendar import WorkingCalendar
from domain.outbox import MessageKind, Recipient, idempotency_key, message_payload
from domain.planner import Planner
from domain.planning import (
    Audience,
    Digest,
    Escalation,
    FiguresRequest,
    Message,
    OffTrajectoryAlert,
    Prompt,
    Reminder,
    RunReport,
    TargetReviewReminder,
)
from storage import outbox
from storage.engine import Session, Sessions
from storage.models import ConversationRef, Person
from storage.planning_store import SqlPlanningStore, already_queued

log = logging.getLogger(__name__)

Renderer = Callable[[Message, int | None, Session], Awaitable[dict[str, Any]]]


class OutboxPlanningStore(SqlPlanningStore):
    """The SQL store plus sending: render the message, resolve its recipient, enqueue it once."""

    def __init__(self, session: Session, render: Renderer) -> None:
        super().__init__(session)
        self._render = render

    async def send(self, message: Message, now: datetime) -> bool:
        recipient = await self._recipient(message)
        if recipient is None:
            log.warning(
                "no way to reach %s for %s %s", message.email or "the group channel", message.kind, message.scope
            )
            return False
        key = idempotency_key(MessageKind(message.kind), scope=message.scope, recipient=recipient, step=message.step)
        if await already_queued(self.session, key):
            return False  # rendering is the costly part: skip it for what was already sent
        payload = await self._render(message, recipient.person_id, self.session)
        return await outbox.enqueue(
            self.session, key=key, recipient=recipient, kind=MessageKind(message.kind), payload=payload, now=now
        )

    async def _recipient(self, message: Message) -> Recipient | None:
        if message.audience is Audience.PERSON:
            person_id = await self.session.scalar(select(Person.id).where(Person.email == message.email))
            return Recipient.person(person_id) if person_id else None
        plan = await self.plan()
        query = select(ConversationRef.id).where(ConversationRef.kind == "channel", ConversationRef.installed.is_(True))
        if plan.group_channel:
            query = query.where(ConversationRef.teams_channel_id == plan.group_channel)
        ref_id = await self.session.scalar(query.order_by(ConversationRef.updated_at.desc()).limit(1))
        return Recipient.conversation(ref_id) if ref_id else None


class MessageRenderer:
    """Turns the planner's messages into what Teams is sent."""

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
            card = await self._checkin.prompt_card(session, content.action_ref, cycle_id=content.round_id)
            if card is None:
                raise LookupError(f"action {content.action_ref} is not in the plan")
            return message_payload(card=card)
        if isinstance(content, Digest) and self._digest is not None:
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
            planner = Planner(OutboxPlanningStore(session, self._renderer), self._calendar)
            return await job(planner, now)
