"""Reading the stored plan back as domain objects."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import model
from storage.models import (
    ActionDelegate,
    ImprovementAction,
    Metric,
    Organisation,
    Person,
    ProgressUpdate,
    QualityStatement,
    Theme,
)


async def load_plan(session: AsyncSession) -> model.Plan | None:
    """The stored plan, or None before the first import. A fixed number of queries."""
    organisation = await session.get(Organisation, 1)
    if organisation is None:
        return None
    people = (await session.scalars(select(Person).order_by(Person.id))).all()
    email_of = {p.id: p.email for p in people}
    statements: dict[str, list[QualityStatement]] = defaultdict(list)
    for qs in (await session.scalars(select(QualityStatement).order_by(QualityStatement.position))).all():
        statements[qs.theme_id].append(qs)
    themes = (await session.scalars(select(Theme).order_by(Theme.position))).all()
    delegates: dict[int, list[str]] = defaultdict(list)
    for link in (await session.scalars(select(ActionDelegate))).all():
        delegates[link.action_id].append(email_of[link.person_id])
    actions = (await session.scalars(select(ImprovementAction).order_by(ImprovementAction.position))).all()
    metrics = (await session.scalars(select(Metric).order_by(Metric.position))).all()
    settings = organisation.settings or {}
    schedule = dict(settings.get("schedule") or {})
    for listed in ("target_review_days_before", "self_assessment_months"):
        if listed in schedule:
            schedule[listed] = tuple(schedule[listed])
    return model.Plan(
        organisation=organisation.name,
        timezone=organisation.timezone,
        group_channel=settings.get("group_channel"),
        schedule=model.ScheduleSettings(**schedule),
        people=tuple(
            model.Person(
                name=p.name,
                email=p.email,
                upn=p.upn,
                aad_object_id=p.aad_object_id,
                roles=frozenset(model.Role(r) for r in p.roles),
            )
            for p in people
        ),
        themes=tuple(
            model.Theme(
                id=t.id,
                name=t.name,
                quality_statements=tuple(
                    model.QualityStatement(q.id, q.name, q.score, lead=email_of[q.lead_id] if q.lead_id else None)
                    for q in statements[t.id]
                ),
            )
            for t in themes
        ),
        actions=tuple(
            model.Action(
                ref=a.ref,
                theme=a.theme_id,
                requirement=a.requirement,
                owner=email_of[a.owner_id],
                quality_statement=a.quality_statement_id,
                delegates=tuple(sorted(delegates[a.id])),
                due=a.due,
                status=model.ActionStatus(a.status),
                rag=model.Rag(a.rag) if a.rag else None,
                stretch=a.stretch,
            )
            for a in actions
        ),
        metrics=tuple(
            model.Metric(
                id=m.id,
                name=m.name,
                unit=m.unit,
                direction=model.Direction(m.direction),
                owner=email_of[m.owner_id],
                baseline=model.DatedValue(m.baseline_value, m.baseline_date),
                target=model.DatedValue(m.target_value, m.target_date),
            )
            for m in metrics
        ),
    )


async def plan_progress(session: AsyncSession, timezone: str) -> dict[str, tuple[model.ProgressEntry, ...]]:
    """Progress that came from plan files, by action ref, oldest first: what an export writes back."""
    zone = ZoneInfo(timezone)
    rows = await session.execute(
        select(ImprovementAction.ref, ProgressUpdate.submitted_at, ProgressUpdate.rag, ProgressUpdate.narrative)
        .join(ImprovementAction, ImprovementAction.id == ProgressUpdate.action_id)
        .where(ProgressUpdate.source == "plan")
        .order_by(ProgressUpdate.submitted_at, ProgressUpdate.id)
    )
    progress: dict[str, list[model.ProgressEntry]] = defaultdict(list)
    for ref, at, rag, narrative in rows:
        moment = at if at.tzinfo else at.replace(tzinfo=UTC)  # SQLite hands back UTC without its offset
        progress[ref].append(
            model.ProgressEntry(
                date=moment.astimezone(zone).date(), narrative=narrative, rag=model.Rag(rag) if rag else None
            )
        )
    return {ref: tuple(entries) for ref, entries in progress.items()}
