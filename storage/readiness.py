"""Self-assessments of quality statements, and each statement's readiness read in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.evidence_pack import FigureLine
from domain.model import ActionStatus, Rag
from domain.readiness_view import ActionLine, Assessment, StatementReadiness
from storage import audit
from storage.evidence import list_items
from storage.models import (
    ImprovementAction,
    Metric,
    MetricReading,
    Person,
    ProgressUpdate,
    QualityStatement,
    SelfAssessment,
    Theme,
)
from storage.people import StoredPerson


@dataclass(frozen=True)
class NewAssessment:
    statement_id: str
    score: int
    rationale: str
    evidence: str


async def record_assessment(
    session: AsyncSession,
    assessment: NewAssessment,
    *,
    assessor: StoredPerson,
    source: str,
    activity_id: str | None,
    now: datetime,
) -> bool:
    """False when this Teams activity was stored already (a redelivery or a double click)."""
    if activity_id and await session.scalar(select(SelfAssessment.id).where(SelfAssessment.activity_id == activity_id)):
        return False
    session.add(
        SelfAssessment(
            statement_id=assessment.statement_id,
            score=assessment.score,
            rationale=assessment.rationale,
            evidence=assessment.evidence,
            assessor_id=assessor.id,
            assessor_name=assessor.name,
            assessed_at=now,
            source=source,
            activity_id=activity_id,
        )
    )
    audit.record(
        session,
        at=now,
        actor=assessor.email,
        entity="self_assessment",
        entity_id=assessment.statement_id,
        change="assess",
        before=None,
        after={"score": assessment.score, "rationale": assessment.rationale, "evidence": assessment.evidence},
    )
    await session.flush()
    return True


async def statement_lead(session: AsyncSession, statement_id: str) -> str | None:
    """The lead's email, or None (no such statement, or no lead)."""
    return await session.scalar(
        select(Person.email)
        .join(QualityStatement, QualityStatement.lead_id == Person.id)
        .where(QualityStatement.id == statement_id)
    )


async def load_statements(
    session: AsyncSession, only: str | None = None, *, with_progress: bool = False
) -> list[StatementReadiness]:
    """Every quality statement in plan order (or just ``only``), with its history, actions and evidence;
    ``with_progress`` adds each action's latest narrative (the evidence pack's), which ranks every
    update, so the digest goes without."""
    query = (
        select(QualityStatement, Theme.name)
        .join(Theme, Theme.id == QualityStatement.theme_id)
        .order_by(Theme.position, QualityStatement.position)
    )
    if only is not None:
        query = query.where(QualityStatement.id == only)
    statements = (await session.execute(query)).all()
    if not statements:
        return []
    # Columns, not ORM rows: a large plan's actions are read once, without the unit of work's bookkeeping.
    people = {
        pid: (name, email) for pid, name, email in await session.execute(select(Person.id, Person.name, Person.email))
    }
    history: dict[str, list[Assessment]] = defaultdict(list)
    assessments = select(SelfAssessment).order_by(SelfAssessment.assessed_at, SelfAssessment.id)
    for row in (await session.scalars(assessments)).all():
        history[row.statement_id].append(
            Assessment(row.score, row.rationale, row.evidence, row.assessor_name, row.assessed_at, row.source)
        )
    actions: dict[str, list[ActionLine]] = defaultdict(list)
    latest = await _latest_narratives(session) if with_progress else {}
    columns = select(
        ImprovementAction.id,
        ImprovementAction.quality_statement_id,
        ImprovementAction.ref,
        ImprovementAction.requirement,
        ImprovementAction.owner_id,
        ImprovementAction.rag,
        ImprovementAction.status,
        ImprovementAction.stretch,
    ).where(ImprovementAction.quality_statement_id.is_not(None))
    for action_id, statement_id, ref, requirement, owner_id, rag, status, stretch in await session.execute(
        columns.order_by(ImprovementAction.position)
    ):
        actions[str(statement_id)].append(
            ActionLine(
                ref=ref,
                requirement=requirement,
                owner=people[owner_id][0],
                rag=Rag(rag) if rag else None,
                status=ActionStatus(status),
                stretch=stretch,
                latest_progress=latest.get(action_id),
            )
        )
    evidence = await list_items(session, include_retired=True)
    return [
        StatementReadiness(
            statement_id=qs.id,
            name=qs.name,
            theme_name=theme_name,
            cqc_score=qs.score,
            lead_name=people[qs.lead_id][0] if qs.lead_id else None,
            lead_email=people[qs.lead_id][1] if qs.lead_id else None,
            history=tuple(history[qs.id]),
            actions=tuple(actions[qs.id]),
            evidence=tuple(item for item in evidence if qs.id in item.statement_ids),
        )
        for qs, theme_name in statements
    ]


async def _latest_narratives(session: AsyncSession) -> dict[int, str]:
    """Each action's newest progress narrative, picked in the database."""
    ranked = select(
        ProgressUpdate.action_id,
        ProgressUpdate.narrative,
        func.row_number()
        .over(
            partition_by=ProgressUpdate.action_id,
            order_by=(ProgressUpdate.submitted_at.desc(), ProgressUpdate.id.desc()),
        )
        .label("rank"),
    ).subquery()
    rows = await session.execute(select(ranked.c.action_id, ranked.c.narrative).where(ranked.c.rank == 1))
    return dict(rows.all())


async def figure_lines(session: AsyncSession) -> list[FigureLine]:
    """Each metric with its newest reading, for the evidence pack."""
    ranked = select(
        MetricReading.metric_id,
        MetricReading.value,
        MetricReading.period,
        func.row_number()
        .over(partition_by=MetricReading.metric_id, order_by=MetricReading.period.desc())
        .label("rank"),
    ).subquery()
    latest = {
        metric_id: (value, period)
        for metric_id, value, period in (
            await session.execute(select(ranked.c.metric_id, ranked.c.value, ranked.c.period).where(ranked.c.rank == 1))
        ).all()
    }
    return [
        FigureLine(
            m.name,
            m.unit,
            m.baseline_value,
            m.target_value,
            m.target_date,
            latest.get(m.id, (None, None))[0],
            latest.get(m.id, (None, None))[1],
        )
        for m in (await session.scalars(select(Metric).order_by(Metric.position))).all()
    ]
