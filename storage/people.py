"""Changes people make about themselves in chat: away, back, delegating an action."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage import audit
from storage.models import ActionDelegate, ImprovementAction, Person


async def set_away(session: AsyncSession, person: Person, until: date | None, *, now: datetime) -> None:
    before = audit.snapshot(person, ("away_until",))
    person.away_until = until
    audit.record(
        session,
        at=now,
        actor=person.email,
        entity="person",
        entity_id=person.email,
        change="away" if until else "back",
        before=before,
        after=audit.snapshot(person, ("away_until",)),
    )


async def person_by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


async def add_delegate(
    session: AsyncSession, action: ImprovementAction, delegate: Person, *, actor: str, now: datetime
) -> bool:
    """False when the person already was a delegate."""
    exists = await session.get(ActionDelegate, (action.id, delegate.id))
    if exists is not None:
        return False
    session.add(ActionDelegate(action_id=action.id, person_id=delegate.id))
    audit.record(
        session,
        at=now,
        actor=actor,
        entity="action",
        entity_id=action.ref,
        change="delegate",
        before=None,
        after={"delegate": delegate.email},
    )
    return True
