"""Queries and writes for the monthly check-in: actions with their context, cycles, progress updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, insert, or_, select
from sqlalchemy import update as update_rows
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain.checkin import Actor
from domain.model import Role
from storage import audit
from storage.models import (
    ActionDelegate,
    ConversationRef,
    Cycle,
    ImprovementAction,
    Person,
    ProgressUpdate,
    QualityStatement,
    Theme,
)
from storage.models.base import table_of

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


_PERSON_BY_AAD = select(Person).where(Person.aad_object_id == bindparam("aad_object_id"))
_PERSON_BY_CHAT = (
    select(Person)
    .join(ConversationRef, ConversationRef.person_id == Person.id)
    .where(ConversationRef.user_id == bindparam("user_id"))
    .limit(1)
)


async def person_for_sender(session: AsyncSession, *, aad_object_id: str | None, user_id: str | None) -> Person | None:
    """Who is acting: by Entra object id, else by the personal chat their Teams id is linked to."""
    if aad_object_id:
        person = await session.scalar(_PERSON_BY_AAD, {"aad_object_id": aad_object_id})
        if person is not None:
            return person
    if user_id:
        return await session.scalar(_PERSON_BY_CHAT, {"user_id": user_id})
    return None


_Delegate = aliased(Person, name="delegate")
# Built once: only the ref changes between calls. One row per delegate (one row when there are
# none); the ORM hands back the same action, owner and statement objects on every row.
_ACTION_CONTEXT = (
    select(ImprovementAction, Theme.name, Person, QualityStatement, _Delegate.email)
    .join(Theme, Theme.id == ImprovementAction.theme_id)
    .join(Person, Person.id == ImprovementAction.owner_id)
    .outerjoin(QualityStatement, QualityStatement.id == ImprovementAction.quality_statement_id)
    .outerjoin(ActionDelegate, ActionDelegate.action_id == ImprovementAction.id)
    .outerjoin(_Delegate, _Delegate.id == ActionDelegate.person_id)
    .where(ImprovementAction.ref == bindparam("ref"))
)


async def action_context(session: AsyncSession, ref: str) -> ActionContext | None:
    """The action with its theme, quality statement, owner and delegates, in one query."""
    rows = (await session.execute(_ACTION_CONTEXT, {"ref": ref})).all()
    if not rows:
        return None
    action, theme_name, owner, statement, _ = rows[0]
    delegates = frozenset(email for *_, email in rows if email is not None)
    return ActionContext(action, theme_name, statement, owner, delegates)


async def actions_for(session: AsyncSession, person: Person, *, open_only: bool = True) -> list[ActionContext]:
    """The actions a person owns or is a delegate for, in plan order."""
    delegated = select(ActionDelegate.action_id).where(ActionDelegate.person_id == person.id)
    query = (
        select(ImprovementAction.ref)
        .where(or_(ImprovementAction.owner_id == person.id, ImprovementAction.id.in_(delegated)))
        .order_by(ImprovementAction.position)
    )
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
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action_id)
        .order_by(ProgressUpdate.submitted_at.desc(), ProgressUpdate.id.desc())
        .limit(1)
    )
    return (update, update.author_name) if update else None


async def cycle(session: AsyncSession, cycle_id: int) -> Cycle | None:
    return await session.get(Cycle, cycle_id)


async def open_progress_cycle(session: AsyncSession) -> Cycle | None:
    return await session.scalar(
        select(Cycle).where(Cycle.kind == "progress", Cycle.closed_at.is_(None)).order_by(Cycle.month.desc()).limit(1)
    )


@dataclass(frozen=True)
class NewUpdate:
    rag: str
    narrative: str
    evidence_links: list[str]
    blockers: str
    revised_due: date | None


async def store_update(
    session: AsyncSession,
    context: ActionContext,
    update: NewUpdate,
    *,
    author: Person,
    cycle_id: int | None,
    teams_user_id: str | None,
    activity_id: str | None,
    status: str,
    now: datetime,
) -> None:
    """A new progress update; the action's RAG and status follow it; both are audited.

    Three Core statements rather than the unit of work: nothing written here is read back, and the
    ORM's bookkeeping for new rows costs more than the writes themselves.
    """
    action = context.action
    row = {
        "action_id": action.id,
        "cycle_id": cycle_id,
        "author_id": author.id,
        "author_name": author.name,
        "teams_user_id": teams_user_id,
        "submitted_at": now,
        "rag": update.rag,
        "narrative": update.narrative,
        "evidence_links": update.evidence_links,
        "blockers": update.blockers,
        "revised_due": update.revised_due,
        "source": "teams",
        "activity_id": activity_id,
    }
    await session.execute(insert(table_of(ProgressUpdate)), [row])
    before = audit.snapshot(action, ("rag", "status"))
    await session.execute(
        update_rows(ImprovementAction)
        .where(ImprovementAction.id == action.id)
        .values(rag=update.rag, status=status, updated_at=now)
        .execution_options(synchronize_session="evaluate")
    )
    await audit.insert(
        session,
        [
            audit.entry(
                at=now,
                actor=author.email,
                entity="progress_update",
                entity_id=action.ref,
                change="submit",
                before=None,
                after={field: audit.jsonable(row[field]) for field in UPDATE_FIELDS} | {"cycle_id": cycle_id},
            ),
            audit.entry(
                at=now,
                actor=author.email,
                entity="action",
                entity_id=action.ref,
                change="update",
                before=before,
                after=audit.snapshot(action, ("rag", "status")),
            ),
        ],
    )
