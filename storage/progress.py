"""Queries and writes for the monthly check-in: actions with their context, progress updates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import bindparam, insert, or_, select
from sqlalchemy import update as update_rows
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain import model
from domain.evidence import link_problem
from storage import audit, evidence, people
from storage.models import (
    ActionDelegate,
    ImprovementAction,
    Organisation,
    Person,
    ProgressUpdate,
    QualityStatement,
    Theme,
)
from storage.models.base import table_of

UPDATE_FIELDS = ("rag", "narrative", "evidence_links", "blockers", "revised_due")


@dataclass(frozen=True)
class StoredAction:
    """An improvement action as it stands, with the row id its updates refer to it by."""

    id: int
    ref: str
    requirement: str
    due: date | None
    status: model.ActionStatus
    rag: model.Rag | None


@dataclass(frozen=True)
class ActionContext:
    action: StoredAction
    theme_name: str
    statement: model.QualityStatement | None
    owner: people.StoredPerson
    delegate_emails: frozenset[str]


@dataclass(frozen=True)
class StoredUpdate:
    """A progress update as stored, with its author's name as it was when they sent it."""

    rag: model.Rag | None
    narrative: str
    evidence_links: tuple[str, ...]
    blockers: str
    revised_due: date | None
    submitted_at: datetime
    author_name: str


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
    return ActionContext(
        StoredAction(
            action.id,
            action.ref,
            action.requirement,
            action.due,
            model.ActionStatus(action.status),
            model.Rag(action.rag) if action.rag else None,
        ),
        theme_name,
        model.QualityStatement(statement.id, statement.name, statement.score) if statement else None,
        people.stored_person(owner),
        delegates,
    )


async def actions_for(
    session: AsyncSession, person: people.StoredPerson, *, open_only: bool = True
) -> list[ActionContext]:
    """The actions a person owns or is a delegate for, in plan order."""
    delegated = select(ActionDelegate.action_id).where(ActionDelegate.person_id == person.id)
    query = (
        select(ImprovementAction.ref)
        .where(or_(ImprovementAction.owner_id == person.id, ImprovementAction.id.in_(delegated)))
        .order_by(ImprovementAction.position)
    )
    if open_only:
        query = query.where(ImprovementAction.status.not_in(("complete", "withdrawn")))
    contexts = []
    for ref in (await session.scalars(query)).all():
        context = await action_context(session, ref)
        if context is not None:
            contexts.append(context)
    return contexts


async def latest_update(session: AsyncSession, action_id: int) -> StoredUpdate | None:
    """The action's newest update."""
    update = await session.scalar(
        select(ProgressUpdate)
        .where(ProgressUpdate.action_id == action_id)
        .order_by(ProgressUpdate.submitted_at.desc(), ProgressUpdate.id.desc())
        .limit(1)
    )
    if update is None:
        return None
    return StoredUpdate(
        model.Rag(update.rag) if update.rag else None,
        update.narrative,
        tuple(update.evidence_links or ()),
        update.blockers or "",
        update.revised_due,
        update.submitted_at,
        update.author_name,
    )


async def answered_in_round(session: AsyncSession, action_id: int, round_id: int) -> bool:
    """Whether the action already has an update counted for the round."""
    found = await session.scalar(
        select(ProgressUpdate.id)
        .where(ProgressUpdate.action_id == action_id, ProgressUpdate.round_id == round_id)
        .limit(1)
    )
    return found is not None


async def schedule_settings(session: AsyncSession) -> model.ScheduleSettings:
    """The plan's timetable settings (the defaults before a plan names any)."""
    organisation = await session.get(Organisation, 1)
    schedule = dict(((organisation.settings or {}) if organisation else {}).get("schedule") or {})
    if "target_review_days_before" in schedule:
        schedule["target_review_days_before"] = tuple(schedule["target_review_days_before"])
    return model.ScheduleSettings(**schedule)


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
    author: people.StoredPerson,
    round_id: int | None,
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
        "cycle_id": round_id,  # the column keeps its stored name (see RoundRow)
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
                after={field: audit.jsonable(row[field]) for field in UPDATE_FIELDS} | {"cycle_id": round_id},
            ),
            audit.entry(
                at=now,
                actor=author.email,
                entity="action",
                entity_id=action.ref,
                change="update",
                before=before,
                after={"rag": update.rag, "status": status},
            ),
        ],
    )
    # The links become items of the evidence library, in the same transaction as the update.
    await evidence.harvest_progress_links(
        session,
        action_id=action.id,
        action_ref=action.ref,
        statement_id=context.statement.id if context.statement else None,
        links=[link for link in update.evidence_links if link_problem(link) is None],
        author=author,
        today=now.date(),
        now=now,
    )
