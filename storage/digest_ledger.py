"""What the ledgers say about a month's round: who was asked (the round's requests), who could
not be reached (the delivery ledger), and who the digest goes to.

Kept apart from the digest's loading so the ledgers' owners can see what the digest reads from
their tables; each function is one query, whatever the plan's size.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.months import MonthWindow
from domain.outbox import PROBLEM_STATUSES, DeliveryStatus, MessageKind, Recipient
from storage import recipients
from storage.models import Organisation, OutboxMessage, Person, ProgressRequest, RoundRow


async def load_requests(session: AsyncSession, round_: RoundRow | None) -> set[int] | None:
    """The actions whose owners were asked in this round, as the round's opening recorded them.

    None when the round recorded no requests (opened before the ledger existed): the caller then
    counts every action that was open when the month began.
    """
    if round_ is None:
        return None
    asked = set(
        (await session.scalars(select(ProgressRequest.action_id).where(ProgressRequest.round_id == round_.id))).all()
    )
    return asked or None


async def load_unreachable(
    session: AsyncSession, people: Sequence[Person], window: MonthWindow
) -> dict[int, tuple[date | None, str | None]]:
    """Who the bot cannot reach this month: person id → (since, reason).

    Two sources, one query: people the delivery worker marked unreachable (Teams refused them),
    and people whose prompt or reminder this month failed, bounced or may not have arrived
    (the outbox ledger), so the chair sees them before the meeting rather than in the logs.
    """
    found: dict[int, tuple[date | None, str | None]] = {
        p.id: (p.unreachable_since.date(), p.unreachable_reason) for p in people if p.unreachable_since is not None
    }
    marked = set(found)
    failed = (
        await session.execute(
            select(OutboxMessage.person_id, OutboxMessage.status, OutboxMessage.updated_at)
            .where(
                OutboxMessage.person_id.is_not(None),
                OutboxMessage.kind.in_([MessageKind.PROMPT.value, MessageKind.REMINDER.value]),
                OutboxMessage.status.in_([s.value for s in PROBLEM_STATUSES]),
                OutboxMessage.created_at >= window.start,
                OutboxMessage.created_at <= window.cutoff,
            )
            .order_by(OutboxMessage.updated_at)
        )
    ).all()
    for person_id, status, updated_at in failed:
        assert person_id is not None  # the query keeps messages to a person only
        if status == DeliveryStatus.UNREACHABLE.value and person_id not in marked:
            continue  # they could be reached since: what they missed was sent again (storage.late_joiners)
        reason = "a message may not have arrived" if status == "unknown" else f"a message {status}"
        found.setdefault(person_id, (updated_at.date(), reason))
    return found


async def digest_recipients(session: AsyncSession) -> list[tuple[str, Recipient]]:
    """Who gets the digest: ("channel", the group channel) if the bot is in it, and ("chair",
    each chair).

    The group channel comes from the planner's own look-up (storage.recipients), so scheduled and
    manual posts agree.
    """
    organisation = await session.get(Organisation, 1)
    channel = await recipients.group_channel(
        session, (organisation.settings or {}).get("group_channel") if organisation else None
    )
    chairs = (
        await session.execute(select(Person.id, Person.roles).where(Person.active.is_(True)).order_by(Person.id))
    ).all()
    found = [("channel", channel)] if channel else []
    return found + [("chair", Recipient.person(pid)) for pid, roles in chairs if "chair" in roles]
