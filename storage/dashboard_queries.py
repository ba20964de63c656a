"""What the dashboard tab reads that the month's report does not already give: who is signed in,
whom to ask for access, and one action's whole history.

Each function costs a fixed number of statements whatever the plan's size; an action's history is
found by its indexes (updates by action, requests by action, audit entries by entity id).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Rag, Role
from storage.models import (
    ActionDelegate,
    AuditEntry,
    ImprovementAction,
    Person,
    ProgressRequest,
    ProgressUpdate,
    QualityStatement,
    RoundRow,
    Theme,
)

OVERSIGHT_ROLES = frozenset({Role.CHAIR, Role.ADMIN})
_AUDITED_AS_ACTION = ("action", "progress_update")


@dataclass(frozen=True, slots=True)
class Viewer:
    """A person of the plan looking at the dashboard."""

    id: int
    name: str
    email: str
    roles: frozenset[Role]

    @property
    def oversees(self) -> bool:
        """The chair and admins also see the round and audit trails."""
        return bool(self.roles & OVERSIGHT_ROLES)


def _viewer(row: Person) -> Viewer:
    return Viewer(row.id, row.name, row.email, frozenset(Role(r) for r in row.roles))


async def find_viewer(session: AsyncSession, *, object_id: str | None, usernames: Iterable[str]) -> Viewer | None:
    """The active person with this Entra object id; failing that, the one whose UPN or email is
    one of ``usernames`` (compared without case)."""
    if object_id:
        row = await session.scalar(select(Person).where(Person.aad_object_id == object_id, Person.active.is_(True)))
        if row is not None:
            return _viewer(row)
    names = sorted({name.strip().lower() for name in usernames if name and name.strip()})
    if not names:
        return None
    rows = await session.scalars(
        select(Person)
        .where(Person.active.is_(True), or_(func.lower(Person.email).in_(names), func.lower(Person.upn).in_(names)))
        .order_by(Person.id)
    )
    found = rows.first()
    return _viewer(found) if found is not None else None


async def viewer_by_id(session: AsyncSession, person_id: int) -> Viewer | None:
    row = await session.get(Person, person_id)
    return _viewer(row) if row is not None and row.active else None


async def active_people(session: AsyncSession) -> list[Viewer]:
    """Everyone active in the plan, by name (the local developer sign-in's choices)."""
    rows = await session.scalars(select(Person).where(Person.active.is_(True)).order_by(Person.name, Person.id))
    return [_viewer(row) for row in rows]


async def access_contacts(session: AsyncSession) -> list[Viewer]:
    """Whom someone outside the plan should ask to be added: the chair and the admins."""
    return [person for person in await active_people(session) if person.oversees]


@dataclass(frozen=True, slots=True)
class UpdateEntry:
    submitted_at: datetime
    author_name: str
    rag: Rag | None
    narrative: str
    evidence_links: tuple[str, ...]
    blockers: str
    revised_due: date | None
    source: str
    round_month: str | None


@dataclass(frozen=True, slots=True)
class RoundAsked:
    """A monthly round that asked for an update on the action, and whether it was answered."""

    month: str
    deadline: date
    asked_name: str
    answered: bool


@dataclass(frozen=True, slots=True)
class AuditLine:
    at: datetime
    actor: str
    entity: str
    change: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True, slots=True)
class ActionHistory:
    ref: str
    requirement: str
    theme_id: str
    theme_name: str
    quality_statement: str | None
    owner_name: str
    owner_email: str
    delegates: tuple[str, ...]
    due: date | None
    status: str
    updates: tuple[UpdateEntry, ...]  # oldest first
    rounds: tuple[RoundAsked, ...]  # oldest first
    audit: tuple[AuditLine, ...] | None  # None: not shown to this viewer

    @property
    def rag(self) -> Rag | None:
        return self.updates[-1].rag if self.updates else None


async def load_action_history(session: AsyncSession, ref: str, *, with_audit: bool) -> ActionHistory | None:
    """The action's updates, the rounds it was asked in and, when asked for, its audit trail."""
    head = (
        await session.execute(
            select(ImprovementAction, Theme.name, QualityStatement.name, Person.name, Person.email)
            .join(Theme, Theme.id == ImprovementAction.theme_id)
            .join(Person, Person.id == ImprovementAction.owner_id)
            .outerjoin(QualityStatement, QualityStatement.id == ImprovementAction.quality_statement_id)
            .where(ImprovementAction.ref == ref)
        )
    ).first()
    if head is None:
        return None
    action, theme_name, statement_name, owner_name, owner_email = head
    delegates = (
        await session.scalars(
            select(Person.name)
            .join(ActionDelegate, ActionDelegate.person_id == Person.id)
            .where(ActionDelegate.action_id == action.id)
            .order_by(Person.name)
        )
    ).all()
    update_rows = (
        await session.execute(
            select(ProgressUpdate, RoundRow)
            .outerjoin(RoundRow, RoundRow.id == ProgressUpdate.round_id)
            .where(ProgressUpdate.action_id == action.id)
            .order_by(ProgressUpdate.submitted_at, ProgressUpdate.id)
        )
    ).all()
    updates = tuple(
        UpdateEntry(
            submitted_at=u.submitted_at,
            author_name=u.author_name,
            rag=Rag(u.rag) if u.rag else None,
            narrative=u.narrative,
            evidence_links=tuple(str(link) for link in u.evidence_links or ()),
            blockers=u.blockers or "",
            revised_due=u.revised_due,
            source=u.source,
            round_month=round_.month if round_ is not None else None,
        )
        for u, round_ in update_rows
    )
    request_rows = (
        await session.execute(
            select(RoundRow, Person.name)
            .join(ProgressRequest, ProgressRequest.round_id == RoundRow.id)
            .join(Person, Person.id == ProgressRequest.person_id)
            .where(ProgressRequest.action_id == action.id)
            .order_by(RoundRow.month)
        )
    ).all()
    answered_rounds = {u.round_id for u, _ in update_rows if u.round_id is not None and u.source != "plan"}
    rounds = [
        RoundAsked(
            round_.month,
            round_.deadline,
            name,
            round_.id in answered_rounds or _answered_while_open(round_, update_rows),
        )
        for round_, name in request_rows
    ]
    # Rounds from before requests were recorded show through the answers sent on their cards.
    asked_months = {r.month for r in rounds}
    for u, round_ in update_rows:
        if round_ is not None and u.source != "plan" and round_.month not in asked_months:
            asked_months.add(round_.month)
            rounds.append(RoundAsked(round_.month, round_.deadline, u.author_name, True))
    rounds.sort(key=lambda r: r.month)
    audit = None
    if with_audit:
        audit = tuple(
            AuditLine(e.at, e.actor, e.entity, e.change, e.before, e.after)
            for e in await session.scalars(
                select(AuditEntry)
                .where(AuditEntry.entity_id == ref, AuditEntry.entity.in_(_AUDITED_AS_ACTION))
                .order_by(AuditEntry.at, AuditEntry.id)
            )
        )
    return ActionHistory(
        ref=action.ref,
        requirement=action.requirement,
        theme_id=action.theme_id,
        theme_name=theme_name,
        quality_statement=statement_name,
        owner_name=owner_name,
        owner_email=owner_email,
        delegates=tuple(delegates),
        due=action.due,
        status=action.status,
        updates=updates,
        rounds=tuple(rounds),
        audit=audit,
    )


def _answered_while_open(round_: RoundRow, updates: Iterable[tuple[ProgressUpdate, RoundRow | None]]) -> bool:
    """As the digest counts it: an update sent (not imported) in the round's month after it opened."""
    return any(
        u.source != "plan" and u.submitted_at >= round_.opened_at and u.submitted_at.strftime("%Y-%m") == round_.month
        for u, _ in updates
    )


async def round_months(session: AsyncSession) -> list[str]:
    """The months a progress round was opened, newest first (the downloads' choice of month)."""
    return list(
        (
            await session.scalars(
                select(RoundRow.month).where(RoundRow.kind == "progress").order_by(RoundRow.month.desc())
            )
        ).all()
    )


async def statement_names(session: AsyncSession) -> list[tuple[str, str]]:
    """(id, name) of every quality statement in plan order: the evidence pack's choice of statement."""
    query = (
        select(QualityStatement.id, QualityStatement.name)
        .join(Theme, Theme.id == QualityStatement.theme_id)
        .order_by(Theme.position, QualityStatement.position)
    )
    return [(sid, name) for sid, name in await session.execute(query)]
