"""What the chair needs to see about delivery: who cannot be reached, what failed or may not have
arrived, and what is still waiting — so nothing sits "queued" with no visible failure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.outbox import DeliveryStatus
from storage.models import ConversationRef, OutboxMessage, Person
from storage.outbox import status_counts

S = DeliveryStatus


@dataclass(frozen=True)
class UnreachablePerson:
    name: str
    email: str
    since: datetime
    reason: str


@dataclass(frozen=True)
class ProblemMessage:
    key: str
    kind: str
    status: DeliveryStatus
    recipient: str  # "Name <email>" or the conversation
    attempts: int
    last_status_code: int | None
    last_error: str | None
    updated_at: datetime
    next_attempt_at: datetime | None  # pending retries only


@dataclass(frozen=True)
class OutboxReport:
    counts: dict[DeliveryStatus, int]
    due_now: int
    unreachable_people: list[UnreachablePerson]
    problems: list[ProblemMessage]  # failed, unreachable and unknown messages, newest first
    retrying: list[ProblemMessage]  # pending after at least one failed attempt

    @property
    def pending(self) -> int:
        return self.counts[S.PENDING] + self.counts[S.CLAIMED] + self.counts[S.SENDING]


async def outbox_report(session: AsyncSession, *, now: datetime, limit: int = 200) -> OutboxReport:
    counts = await status_counts(session)
    due_now = await session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == S.PENDING.value, OutboxMessage.next_attempt_at <= now)
    )
    people = (
        await session.scalars(
            select(Person).where(Person.unreachable_since.is_not(None)).order_by(Person.unreachable_since)
        )
    ).all()
    unreachable = [
        UnreachablePerson(p.name, p.email, p.unreachable_since, p.unreachable_reason or "")
        for p in people
        if p.unreachable_since is not None
    ]
    # An unreachable message stops being a problem once its person can be reached again: what still
    # mattered of it went back to the queue then (storage.late_joiners).
    still_unreachable = (OutboxMessage.status == S.UNREACHABLE.value) & (
        OutboxMessage.person_id.is_(None) | Person.unreachable_since.is_not(None)
    )
    problems = await _messages(
        session,
        OutboxMessage.status.in_([S.FAILED.value, S.UNKNOWN.value]) | still_unreachable,
        limit,
    )
    retrying = await _messages(session, (OutboxMessage.status == S.PENDING.value) & (OutboxMessage.attempts > 0), limit)
    return OutboxReport(counts, due_now or 0, unreachable, problems, retrying)


async def _messages(session: AsyncSession, condition: ColumnElement[bool], limit: int) -> list[ProblemMessage]:
    rows = await session.execute(
        select(
            OutboxMessage,
            Person.name,
            Person.email,
            ConversationRef.conversation_id,
            ConversationRef.kind,
        )
        .outerjoin(Person, Person.id == OutboxMessage.person_id)
        .outerjoin(ConversationRef, ConversationRef.id == OutboxMessage.conversation_ref_id)
        .where(condition)
        .order_by(OutboxMessage.updated_at.desc(), OutboxMessage.id.desc())
        .limit(limit)
    )
    found = []
    for message, name, email, conversation_id, kind in rows:
        recipient = f"{name} <{email}>" if name else f"{kind or 'conversation'} {conversation_id}"
        found.append(
            ProblemMessage(
                key=message.idempotency_key,
                kind=message.kind,
                status=S(message.status),
                recipient=recipient,
                attempts=message.attempts,
                last_status_code=message.last_status_code,
                last_error=message.last_error,
                updated_at=message.updated_at,
                next_attempt_at=message.next_attempt_at if message.status == S.PENDING.value else None,
            )
        )
    return found
