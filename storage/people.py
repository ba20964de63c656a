"""The plan's people as the chat services see them: who is acting, and the changes people make about
themselves in chat (away, back, delegating an action)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.checkin import Actor
from domain.model import Role
from storage import audit
from storage.models import ActionDelegate, ConversationRef, Person


@dataclass(frozen=True)
class StoredPerson:
    """A person of the plan, with the row id the other tables refer to them by."""

    id: int
    email: str
    name: str
    roles: frozenset[Role]
    away_until: date | None

    @property
    def actor(self) -> Actor:
        return Actor(email=self.email, name=self.name, roles=self.roles)


def stored_person(row: Person) -> StoredPerson:
    return StoredPerson(row.id, row.email, row.name, frozenset(Role(r) for r in row.roles), row.away_until)


_PERSON_BY_AAD = select(Person).where(Person.aad_object_id == bindparam("aad_object_id"))
_PERSON_BY_CHAT = (
    select(Person)
    .join(ConversationRef, ConversationRef.person_id == Person.id)
    .where(ConversationRef.user_id == bindparam("user_id"))
    .limit(1)
)


async def person_for_sender(
    session: AsyncSession, *, aad_object_id: str | None, user_id: str | None
) -> StoredPerson | None:
    """Who is acting: by Entra object id, else by the personal chat their Teams id is linked to."""
    if aad_object_id:
        row = await session.scalar(_PERSON_BY_AAD, {"aad_object_id": aad_object_id})
        if row is not None:
            return stored_person(row)
    if user_id:
        row = await session.scalar(_PERSON_BY_CHAT, {"user_id": user_id})
        # A sender with another AAD object id than the linked person's is not that person.
        if row is None or (aad_object_id and row.aad_object_id and row.aad_object_id.lower() != aad_object_id.lower()):
            return None
        return stored_person(row)
    return None


async def person_named(session: AsyncSession, who: str) -> list[StoredPerson]:
    """People of the plan by email, or else by name (case-insensitive): the chair's "resend to NAME"."""
    lowered = who.strip().lower()
    rows = (await session.scalars(select(Person).where(func.lower(Person.email) == lowered))).all()
    if not rows:
        rows = (await session.scalars(select(Person).where(func.lower(Person.name) == lowered))).all()
    return [stored_person(row) for row in rows]


async def person_by_id(session: AsyncSession, person_id: int) -> StoredPerson | None:
    row = await session.get(Person, person_id)
    return stored_person(row) if row else None


async def person_by_email(session: AsyncSession, email: str) -> StoredPerson | None:
    """Whatever the case the email is written in."""
    row = await session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))
    return stored_person(row) if row else None


async def set_away(session: AsyncSession, person: StoredPerson, until: date | None, *, now: datetime) -> None:
    if until != person.away_until:
        await session.execute(update(Person).where(Person.id == person.id).values(away_until=until))
    audit.record(
        session,
        at=now,
        actor=person.email,
        entity="person",
        entity_id=person.email,
        change="away" if until else "back",
        before={"away_until": audit.jsonable(person.away_until)},
        after={"away_until": audit.jsonable(until)},
    )


async def add_delegate(
    session: AsyncSession, action_id: int, action_ref: str, delegate: StoredPerson, *, actor: str, now: datetime
) -> bool:
    """False when the person already was a delegate."""
    exists = await session.get(ActionDelegate, (action_id, delegate.id))
    if exists is not None:
        return False
    session.add(ActionDelegate(action_id=action_id, person_id=delegate.id))
    audit.record(
        session,
        at=now,
        actor=actor,
        entity="action",
        entity_id=action_ref,
        change="delegate",
        before=None,
        after={"delegate": delegate.email},
    )
    return True
