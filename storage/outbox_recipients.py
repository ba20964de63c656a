"""Where a message can go: a person's personal chat, the teams the bot is in, a stored conversation;
and marking people or conversations unreachable when Teams says so."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from domain.conversations import ConversationAddress, ConversationKind, MemberIdentity
from storage import audit
from storage.conversations import link_person, mark_uninstalled, save_address
from storage.models import ConversationRef, OutboxMessage, Person
from storage.outbox import OutboxItem

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Contact:
    id: int
    name: str
    email: str
    upn: str | None
    aad_object_id: str | None
    active: bool
    unreachable_since: datetime | None
    unreachable_reason: str | None


@dataclass(frozen=True)
class Original:
    """The message an update replaces: where and whether it was sent."""

    status: str
    activity_id: str | None
    conversation_id: str | None
    conversation_ref_id: int | None


@dataclass
class Directory:
    """Everything a batch of claimed messages needs to find its way, read in the claim's
    transaction: one look-up per batch instead of one per message."""

    contacts: dict[int, Contact] = field(default_factory=dict)
    chats: dict[int, tuple[int, ConversationAddress]] = field(default_factory=dict)  # by person
    conversations: dict[int, tuple[ConversationAddress, bool]] = field(default_factory=dict)
    originals: dict[int, Original] = field(default_factory=dict)


async def directory(session: AsyncSession, items: Sequence[OutboxItem]) -> Directory:
    found = Directory()
    people = {i.person_id for i in items if i.person_id is not None}
    if people:
        for p in (await session.scalars(select(Person).where(Person.id.in_(people)))).all():
            found.contacts[p.id] = _contact(p)
        chats = await session.scalars(
            select(ConversationRef)
            .where(
                ConversationRef.person_id.in_(people),
                ConversationRef.kind == ConversationKind.PERSONAL.value,
                ConversationRef.installed.is_(True),
            )
            .order_by(ConversationRef.updated_at, ConversationRef.id)
        )
        for row in chats.all():  # ascending: the most recently seen chat of each person wins
            found.chats[row.person_id or 0] = (row.id, address_of(row))
    updates = {i.update_of_id for i in items if i.update_of_id is not None}
    if updates:
        for m in (await session.scalars(select(OutboxMessage).where(OutboxMessage.id.in_(updates)))).all():
            found.originals[m.id] = Original(m.status, m.activity_id, m.conversation_id, m.conversation_ref_id)
    refs = {i.conversation_ref_id for i in items if i.conversation_ref_id is not None}
    refs |= {o.conversation_ref_id for o in found.originals.values() if o.conversation_ref_id is not None}
    if refs:
        for row in (await session.scalars(select(ConversationRef).where(ConversationRef.id.in_(refs)))).all():
            found.conversations[row.id] = (address_of(row), row.installed)
    return found


def address_of(row: ConversationRef) -> ConversationAddress:
    return ConversationAddress(
        conversation_id=row.conversation_id,
        kind=ConversationKind(row.kind),
        service_url=row.service_url,
        channel_id=row.channel_id,
        tenant_id=row.tenant_id,
        bot_id=row.bot_id,
        bot_name=row.bot_name,
        user_id=row.user_id,
        aad_object_id=row.aad_object_id,
        team_id=row.team_id,
        teams_channel_id=row.teams_channel_id,
    )


def _contact(p: Person) -> Contact:
    return Contact(
        p.id,
        p.name,
        p.email,
        p.upn,
        p.aad_object_id,
        p.active,
        p.unreachable_since,
        p.unreachable_reason,
    )


async def personal_chat(session: AsyncSession, person_id: int) -> tuple[int, ConversationAddress] | None:
    """The person's most recently seen personal chat with the bot, if it is still installed."""
    row = await session.scalar(
        select(ConversationRef)
        .where(
            ConversationRef.person_id == person_id,
            ConversationRef.kind == ConversationKind.PERSONAL.value,
            ConversationRef.installed.is_(True),
        )
        .order_by(ConversationRef.updated_at.desc(), ConversationRef.id.desc())
        .limit(1)
    )
    return None if row is None else (row.id, address_of(row))


async def installed_teams(session: AsyncSession) -> list[ConversationAddress]:
    """One stored channel per team the bot is installed in: where its roster can be read."""
    rows = (
        await session.scalars(
            select(ConversationRef)
            .where(
                ConversationRef.kind == ConversationKind.CHANNEL.value,
                ConversationRef.installed.is_(True),
                ConversationRef.team_id.is_not(None),
            )
            .order_by(ConversationRef.id)
        )
    ).all()
    by_team: dict[str, ConversationAddress] = {}
    for row in rows:
        by_team.setdefault(row.team_id or "", address_of(row))
    return list(by_team.values())


async def save_personal_chat(
    sessions: async_sessionmaker[AsyncSession], address: ConversationAddress, member: MemberIdentity, *, now: datetime
) -> int:
    """store_personal_chat in its own transaction, once more if another instance stored the same chat
    (Teams gives one id) first."""
    try:
        async with sessions.begin() as session:
            return await store_personal_chat(session, address, member, now=now)
    except IntegrityError:
        async with sessions.begin() as session:
            return await store_personal_chat(session, address, member, now=now)


async def store_personal_chat(
    session: AsyncSession, address: ConversationAddress, member: MemberIdentity, *, now: datetime
) -> int:
    """Keep a personal chat the bot created from a roster, linked to the person it was made for."""
    row = await save_address(session, address, now=now)
    await link_person(session, row, member, now=now)
    return row.id


async def mark_person_unreachable(session: AsyncSession, person_id: int, reason: str, *, now: datetime) -> None:
    """Stop trying to reach someone until Teams tells us they installed the app or wrote to the bot
    (storage.conversations.link_person clears the mark then)."""
    person = await session.get(Person, person_id)
    if person is None or person.unreachable_since is not None:
        return
    before = audit.snapshot(person, ("unreachable_since", "unreachable_reason"))
    person.unreachable_since = now
    person.unreachable_reason = reason[:200]
    log.info("%s cannot be reached in Teams: %s", person.email, reason)
    audit.record(
        session,
        at=now,
        actor="delivery",
        entity="person",
        entity_id=person.email,
        change="unreachable",
        before=before,
        after=audit.snapshot(person, ("unreachable_since", "unreachable_reason")),
    )


async def mark_conversation_gone(session: AsyncSession, ref_id: int, *, now: datetime) -> None:
    """Teams no longer knows this conversation (404) or the bot was removed from it."""
    row = await session.get(ConversationRef, ref_id)
    if row is not None:
        await mark_uninstalled(session, row.conversation_id, now=now)
