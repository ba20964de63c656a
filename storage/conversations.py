"""Stored conversation references, and linking personal chats to people in the plan."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.conversations import ConversationAddress, ConversationKind, MemberIdentity
from storage import audit, late_joiners
from storage.models import ConversationRef, Person

log = logging.getLogger(__name__)

ADDRESS_FIELDS = (
    "kind",
    "service_url",
    "channel_id",
    "tenant_id",
    "bot_id",
    "bot_name",
    "user_id",
    "aad_object_id",
    "team_id",
    "teams_channel_id",
)


@dataclass(frozen=True)
class RememberedAddress:
    id: int  # the stored conversation reference's
    linked: bool  # a channel or group chat, or a personal chat linked to its person in the plan


async def remember_address(
    session: AsyncSession, address: ConversationAddress, member: MemberIdentity | None, *, now: datetime
) -> RememberedAddress:
    """Keep the address an activity came from, and link a personal chat to the person in the plan if what
    the activity says of its sender (the AAD object id) finds them."""
    row = await save_address(session, address, now=now)
    if address.kind is not ConversationKind.PERSONAL:
        return RememberedAddress(row.id, True)
    if row.person_id is not None:
        person = await session.get(Person, row.person_id)
        if person is not None and _another_identity(person, member):
            await _unlink(session, row, person, member, now=now)
        elif person is not None:
            await _reachable_again(session, person, now=now)
            return RememberedAddress(row.id, True)
    linked = member is not None and await link_person(session, row, member, now=now) is not None
    return RememberedAddress(row.id, linked)


def _another_identity(person: Person, member: MemberIdentity | None) -> bool:
    """The chat's sender has an AAD object id, and not the one of the person the chat was linked to."""
    theirs = member.aad_object_id if member else None
    return bool(theirs and person.aad_object_id and theirs.lower() != person.aad_object_id.lower())


async def _unlink(
    session: AsyncSession, row: ConversationRef, person: Person, member: MemberIdentity | None, *, now: datetime
) -> None:
    """The chat is no longer that person's: it is linked again by the new identity, or not at all."""
    log.warning(
        "personal chat %s was linked to %s, but its sender now has another AAD object id (%s): linking it again",
        row.conversation_id,
        person.email,
        member.aad_object_id if member else None,
    )
    row.person_id = None
    _record(
        session,
        now,
        "conversation",
        row.conversation_id,
        "unlink",
        before={"person": person.email},
        after={"aad_object_id": member.aad_object_id if member else None},
    )
    await session.flush()


async def _reachable_again(session: AsyncSession, person: Person, *, now: datetime) -> None:
    """Teams showed the person can be reached: clear the mark everywhere at once (the digest, the
    escalation and `cqcbot outbox` read it) and send what they missed that still matters."""
    if person.unreachable_since is None:
        return
    before = audit.snapshot(person, ("unreachable_since", "unreachable_reason"))
    person.unreachable_since = None
    person.unreachable_reason = None
    _record(
        session,
        now,
        "person",
        person.email,
        "reachable",
        before=before,
        after=audit.snapshot(person, ("unreachable_since", "unreachable_reason")),
    )
    log.info("%s can be reached in Teams again", person.email)
    await late_joiners.send_what_they_missed(session, person, now=now)


async def link_conversation(
    session: AsyncSession, conversation_ref_id: int, member: MemberIdentity, *, now: datetime
) -> bool:
    """Link a stored personal chat to the person in the plan (e.g. by the roster's email); False if none is."""
    row = await session.get(ConversationRef, conversation_ref_id)
    return row is not None and await link_person(session, row, member, now=now) is not None


async def save_address(
    session: AsyncSession, address: ConversationAddress, *, now: datetime, installed: bool = True
) -> ConversationRef:
    """Insert or refresh a conversation reference (Teams may move a tenant to a new service URL)."""
    row = await session.scalar(
        select(ConversationRef).where(ConversationRef.conversation_id == address.conversation_id)
    )
    before = audit.snapshot(row, ("installed", *ADDRESS_FIELDS)) if row else None
    if row is None:
        row = ConversationRef(conversation_id=address.conversation_id, updated_at=now)
        session.add(row)
    for field in ADDRESS_FIELDS:
        value = getattr(address, field)
        if value is not None or field in {"kind", "service_url", "channel_id"}:
            setattr(row, field, value.value if isinstance(value, ConversationKind) else value)
    row.installed = installed
    after = audit.snapshot(row, ("installed", *ADDRESS_FIELDS))
    if before != after:
        row.updated_at = now
        _record(
            session,
            now,
            "conversation",
            address.conversation_id,
            "create" if before is None else "update",
            before=before,
            after=after,
        )
    await session.flush()
    return row


async def link_person(
    session: AsyncSession, row: ConversationRef, member: MemberIdentity, *, now: datetime
) -> Person | None:
    """Link a personal chat to the person in the plan by AAD object id, then email, then UPN."""
    person = _best_match(await _people_matching(session, member), member)
    if person is None:
        return None
    # A fresh install or message means the person can be reached again.
    await _reachable_again(session, person, now=now)
    before = audit.snapshot(person, ("aad_object_id",))
    if member.aad_object_id and person.aad_object_id != member.aad_object_id:
        if person.aad_object_id:
            log.warning("%s has a new AAD object id in Teams: %s", person.email, member.aad_object_id)
        person.aad_object_id = member.aad_object_id
    if row.person_id != person.id:
        row.person_id = person.id
        row.aad_object_id = member.aad_object_id or row.aad_object_id
        _record(
            session,
            now,
            "conversation",
            row.conversation_id,
            "link",
            before=None,
            after={"person": person.email},
        )
    after = audit.snapshot(person, ("aad_object_id",))
    if before != after:
        _record(
            session,
            now,
            "person",
            person.email,
            "update",
            before=before,
            after=after,
        )
    await session.flush()
    return person


def _record(
    session: AsyncSession,
    now: datetime,
    entity: str,
    entity_id: str,
    change: str,
    *,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """An audit entry for what Teams told the bot (an install, a link, someone reachable again)."""
    audit.record(
        session, at=now, actor="teams", entity=entity, entity_id=entity_id, change=change, before=before, after=after
    )


async def _people_matching(session: AsyncSession, member: MemberIdentity) -> Sequence[Person]:
    """People of the plan who may be this member: by AAD object id, email or UPN (any case)."""
    candidates = []
    if member.aad_object_id:
        candidates.append(Person.aad_object_id == member.aad_object_id)
    for lowered in {address.lower() for address in (member.email, member.upn) if address}:
        candidates += [func.lower(Person.email) == lowered, func.lower(Person.upn) == lowered]
    if not candidates:
        return []
    return (await session.scalars(select(Person).where(or_(*candidates)))).all()


def _best_match(people: Sequence[Person], member: MemberIdentity) -> Person | None:
    by_aad = [p for p in people if member.aad_object_id and p.aad_object_id == member.aad_object_id]
    if by_aad:
        return by_aad[0]
    for address in (member.email, member.upn):
        if not address:
            continue
        for person in people:
            if person.email.lower() == address.lower() or (person.upn or "").lower() == address.lower():
                return person
    return None


async def mark_uninstalled(session: AsyncSession, conversation_id: str, *, now: datetime) -> None:
    row = await session.scalar(select(ConversationRef).where(ConversationRef.conversation_id == conversation_id))
    if row is not None and row.installed:
        row.installed = False
        row.updated_at = now
        _record(
            session,
            now,
            "conversation",
            conversation_id,
            "uninstall",
            before={"installed": True},
            after={"installed": False},
        )


async def seen_in_roster(session: AsyncSession, member: MemberIdentity, *, now: datetime) -> bool:
    """Someone joined a team the bot is in: if they are in the plan and were unreachable, the
    delivery worker can now open a chat with them from that roster. True when they were found."""
    person = _best_match(await _people_matching(session, member), member)
    if person is None:
        return False
    await _reachable_again(session, person, now=now)
    await session.flush()
    return True
