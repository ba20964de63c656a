"""Queries and writes for the monthly check-in: actions with their context, cycles, progress updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain.checkin import Actor
from domain.model import Role
from storage import audit
from storage.models import (
    ActionDelegate,
    ConversationRef,
    Cycle,
    ImprovementAction,
    Person,
    ProcessedActivity,
    ProgressUpdate,
    QualityStatement,
    Theme,
)

UPDATE_FIELDS = ("rag", "narrative", "evidence_links", "blockers", "revised_due")


@dataclass(frozen=True)
class ActionContext:
    action: ImprovementAction
    theme_name: str
    statement: QualityStatement | None
    owner: Person
    delegate_emails: frozenset[str]


def actor_of(person: Person) -> Actor:
    return Actor(email=person.email, name=person.name, roles=frozenset(Role(r) for r in person.roles))


async def person_for_sender(session: AsyncSession, *, aad_object_id: str | None, user_id: str | None) -> Person | None:
    """Who is acting: by Entra object id, else by the personal chat their Teams id is linked to."""
    if aad_object_id:
        person = await session.scalar(select(Person).where(Person.aad_object_id == aad_object_id))
        if person is not None:
            return person
    if user_id:
        return await session.scalar(
            select(Person).join(ConversationRef, ConversationRef.person_id == Person.id)
            .where(ConversationRef.user_id == user_id).limit(1)
        )
    return None


async def action_context(session: AsyncSession, ref: str) -> ActionContext | None:
    row = (await session.execute(
        select(ImprovementAction, Theme.name, Person)
        .join(Theme, Theme.id == ImprovementAction.theme_id)
        .join(Person, Person.id == ImprovementAction.owner_id)
        .where(ImprovementAction.ref == ref)
    )).first()
    if row is None:
        return None
    action, theme_name, owner = row
    statement = (
        await session.get(QualityStatement, action.quality_statement_id) if action.quality_statement_id else None
    )
    delegates = (await session.scalars(
        select(Person.email).join(ActionDelegate, ActionDelegate.person_id == Person.id)
        .where(ActionDelegate.action_id == action.id)
    )).all()
    return ActionContext(action, theme_name, statement, owner, frozenset(delegates))


async def actions_for(session: AsyncSession, person: Person, *, open_only: bool = True) -> list[ActionContext]:
    """The actions a person owns or is a delegate for, in plan order."""
    delegated = select(ActionDelegate.action_id).where(ActionDelegate.person_id == person.id)
    query = select(ImprovementAction.ref).where(
        or_(ImprovementAction.owner_id == person.id, ImprovementAction.id.in_(delegated))
    ).order_by(ImprovementAction.position)
    if open_only:
        query = query.where(ImprovementAction.status != "complete")
    contexts = []
    for ref in (await session.scalars(query)).all():
        context = await action_context(session, ref)
        if context is not None:
            contexts.append(context)
    return contexts


async def latest_update(session: AsyncSession, action_id: int) -> tuple[ProgressUpdate, str] | None:
    """The newest update with its author's name."""
    update = await session.scalar(
        select(ProgressUpdate).where(ProgressUpdate.action_id == action_id)
        .order_by(ProgressUpdate.submitted_at.desc(), ProgressUpdate.id.desc()).limit(1)
    )
    return (update, update.author_name) if update else None


async def cycle(session: AsyncSession, cycle_id: int) -> Cycle | None:
    return await session.get(Cycle, cycle_id)


async def open_progress_cycle(session: AsyncSession) -> Cycle | None:
    return await session.scalar(
        select(Cycle).where(Cycle.kind == "progress", Cycle.closed_at.is_(None))
        .order_by(Cycle.month.desc()).limit(1)
    )


async def claim_once(session: AsyncSession, key: str, *, now: datetime) -> bool:
    """Record ``key`` as handled; False when it already was (a redelivery or a double click).

    Runs in a savepoint so a duplicate leaves the caller's transaction usable.
    """
    try:
        async with session.begin_nested():
            session.add(ProcessedActivity(activity_id=key, received_at=now))
    except IntegrityError:
        return False
    return True


@dataclass(frozen=True)
class NewUpdate:
    rag: str
    narrative: str
    evidence_links: list[str]
    blockers: str
    revised_due: date | None


async def store_update(
    session: AsyncSession, context: ActionContext, update: NewUpdate, *, author: Person,
    cycle_id: int | None, teams_user_id: str | None, activity_id: str | None, status: str, now: datetime,
) -> ProgressUpdate:
    """A new progress update; the action's RAG and status follow it; both are audited."""
    row = ProgressUpdate(
        action_id=context.action.id, cycle_id=cycle_id, author_id=author.id, author_name=author.name,
        teams_user_id=teams_user_id, submitted_at=now, rag=update.rag, narrative=update.narrative,
        evidence_links=update.evidence_links, blockers=update.blockers, revised_due=update.revised_due,
        source="teams", activity_id=activity_id,
    )
    session.add(row)
    action = context.action
    before = audit.snapshot(action, ("rag", "status"))
    action.rag, action.status, action.updated_at = update.rag, status, now
    audit.record(session, at=now, actor=author.email, entity="progress_update", entity_id=action.ref,
                 change="submit", before=None, after=audit.snapshot(row, UPDATE_FIELDS) | {"cycle_id": cycle_id})
    audit.record(session, at=now, actor=author.email, entity="action", entity_id=action.ref,
                 change="update", before=before, after=audit.snapshot(action, ("rag", "status")))
    await session.flush()
    return row
