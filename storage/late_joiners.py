"""What someone missed while the bot could not reach them, sent once when they can be reached.

The planner queued their messages as usual and the delivery worker settled them `unreachable`.
When Teams tells us they installed the app, opened the chat or joined a team the bot is in, the
ones still relevant go back to `pending` under their own idempotency keys (so each is still sent at
most once): the open round's prompts for actions not yet answered, and the figures request of a
round still short of their figures. Nudges, reminders and escalations are stale by then and stay
as they were.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.outbox import DeliveryStatus, MessageKind
from storage import audit
from storage.models import ImprovementAction, Metric, MetricReading, OutboxMessage, Person, ProgressUpdate, RoundRow

log = logging.getLogger(__name__)

PROGRESS_SCOPE, FIGURES_SCOPE = "progress-", "figures-"


async def send_what_they_missed(session: AsyncSession, person: Person, *, now: datetime) -> list[str]:
    """Put back in the queue what is still relevant of the person's unreachable messages; their keys."""
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.person_id == person.id,
                OutboxMessage.status == DeliveryStatus.UNREACHABLE.value,
                OutboxMessage.kind.in_([MessageKind.PROMPT.value, MessageKind.FIGURES_REQUEST.value]),
                OutboxMessage.update_of_id.is_(None),
            )
            .order_by(OutboxMessage.id)
        )
    ).all()
    revived = []
    for row in rows:
        _, scope, _, step = row.idempotency_key.split("/", 3)
        if await _still_relevant(session, row.kind, scope, step, person.id):
            row.status = DeliveryStatus.PENDING.value
            row.attempts = 0
            row.next_attempt_at = now
            row.last_error = None
            row.last_status_code = None
            row.updated_at = now
            revived.append(row.idempotency_key)
    if revived:
        audit.record(
            session,
            at=now,
            actor="delivery",
            entity="person",
            entity_id=person.email,
            change="reachable",
            before=None,
            after={"requeued": revived},
        )
        log.info("%s can be reached again: %d missed message(s) queued", person.email, len(revived))
    return revived


async def _still_relevant(session: AsyncSession, kind: str, scope: str, step: str, person_id: int) -> bool:
    if kind == MessageKind.PROMPT.value and scope.startswith(PROGRESS_SCOPE):
        round_ = await _open_round("progress", scope.removeprefix(PROGRESS_SCOPE), session)
        return round_ is not None and not await _answered(session, round_, step)
    if kind == MessageKind.FIGURES_REQUEST.value and scope.startswith(FIGURES_SCOPE):
        month = scope.removeprefix(FIGURES_SCOPE)
        if await _open_round("figures", month, session) is None:
            return False
        theirs = set((await session.scalars(select(Metric.id).where(Metric.owner_id == person_id))).all())
        given = set(
            (
                await session.scalars(
                    select(MetricReading.metric_id).where(
                        MetricReading.period == month, MetricReading.metric_id.in_(theirs)
                    )
                )
            ).all()
        )
        return bool(theirs - given)
    return False


async def _open_round(kind: str, month: str, session: AsyncSession) -> RoundRow | None:
    return await session.scalar(
        select(RoundRow).where(RoundRow.kind == kind, RoundRow.month == month, RoundRow.closed_at.is_(None))
    )


async def _answered(session: AsyncSession, round_: RoundRow, ref: str) -> bool:
    """As the planner counts it: an update on the round's card, or from Teams since it opened."""
    found = await session.scalar(
        select(ProgressUpdate.id)
        .join(ImprovementAction, ImprovementAction.id == ProgressUpdate.action_id)
        .where(
            ImprovementAction.ref == ref,
            (ProgressUpdate.round_id == round_.id)
            | ((ProgressUpdate.source == "teams") & (ProgressUpdate.submitted_at >= round_.opened_at)),
        )
        .limit(1)
    )
    return found is not None
