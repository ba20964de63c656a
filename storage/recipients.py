"""Who a scheduled or posted message is addressed to: a person of the plan, or the working group's
channel. Resolved when the message is enqueued (outbox_recipients.py finds the way at delivery)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.outbox import Recipient
from storage.models import ConversationRef, Person


async def person(session: AsyncSession, email: str) -> Recipient | None:
    person_id = await session.scalar(select(Person.id).where(Person.email == email))
    return Recipient.person(person_id) if person_id else None


async def group_channel(session: AsyncSession, teams_channel_id: str | None) -> Recipient | None:
    """The group channel the bot is installed in: the plan's ``group_channel`` when it names one,
    else the one whose conversation was updated last. The planner and the digest's manual post
    both find it here, so the two always agree."""
    query = select(ConversationRef.id).where(ConversationRef.kind == "channel", ConversationRef.installed.is_(True))
    if teams_channel_id:
        query = query.where(ConversationRef.teams_channel_id == teams_channel_id)
    ref_id = await session.scalar(query.order_by(ConversationRef.updated_at.desc()).limit(1))
    return Recipient.conversation(ref_id) if ref_id else None
