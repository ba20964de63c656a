"""Queries and writes for the monthly figures: metrics with their readings, storing and correcting
readings, and the readings the off-trajectory alerts are about.

A period is the month a figure is for, as "YYYY-MM"; it is judged at the month's last day.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from domain import model
from domain.months import period_end
from domain.trajectory import MetricJudgement, MetricStatus, judge
from storage import audit
from storage.models import Metric, MetricReading, Organisation, Person, RoundRow
from storage.people import StoredPerson


class ReadingConflict(Exception):
    """Someone else stored or changed one of these figures since the officer's card was built."""


@dataclass(frozen=True)
class StoredReading:
    period: str
    value: float
    submitted_by: str | None  # the person's name; None for figures imported without one
    submitted_at: datetime


@dataclass(frozen=True)
class MetricState:
    """A metric with the figure recorded for one period and the latest one before it."""

    metric: model.Metric
    owner_name: str
    recorded: StoredReading | None
    previous: StoredReading | None


@dataclass(frozen=True)
class StoredChange:
    metric_id: str
    value: float
    before: float | None  # the figure it replaced; None when it is the period's first


@dataclass(frozen=True)
class OffTrajectoryReading:
    """A stored figure worse than its trajectory or its baseline: what an alert is raised about."""

    metric: model.Metric
    owner_name: str
    period: str
    value: float
    submitted_at: datetime
    judgement: MetricJudgement  # trajectory_value, worse_than_baseline/trajectory, change, ...


def period_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def previous_period(today: date) -> str:
    """The month before ``today``'s: the figure asked for in the first days of a month."""
    return period_of(date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1))


def to_domain(row: Metric, owner_email: str) -> model.Metric:
    return model.Metric(
        id=row.id,
        name=row.name,
        unit=row.unit,
        direction=model.Direction(row.direction),
        owner=owner_email,
        baseline=model.DatedValue(row.baseline_value, row.baseline_date),
        target=model.DatedValue(row.target_value, row.target_date),
    )


async def change_confirm_share(session: AsyncSession) -> float:
    """The plan's figures_change_confirm_share (0.5 = a change of more than 50% is confirmed)."""
    organisation = await session.get(Organisation, 1)
    settings = (organisation.settings or {}) if organisation else {}
    schedule = settings.get("schedule") or {}
    share = schedule.get("figures_change_confirm_share")
    if isinstance(share, int | float) and not isinstance(share, bool) and share >= 0:
        return float(share)
    return model.ScheduleSettings().figures_change_confirm_share


async def figures_deadline(session: AsyncSession, period: str) -> date | None:
    """The reply-by date of the figures round for this period, once the scheduler has opened it."""
    return await session.scalar(select(RoundRow.deadline).where(RoundRow.kind == "figures", RoundRow.month == period))


async def owned_metric_ids(session: AsyncSession, owner: StoredPerson) -> list[str]:
    query = select(Metric.id).where(Metric.owner_id == owner.id).order_by(Metric.position)
    return list((await session.scalars(query)).all())


async def metric_states(session: AsyncSession, metric_ids: Sequence[str], period: str) -> list[MetricState]:
    """The named metrics that exist, in plan order, with this period's figure and the one before."""
    ids = list(metric_ids)
    rows = (
        await session.execute(
            select(Metric, Person)
            .join(Person, Person.id == Metric.owner_id)
            .where(Metric.id.in_(ids))
            .order_by(Metric.position)
        )
    ).all()
    readings = (
        await session.execute(
            select(MetricReading, Person.name)
            .outerjoin(Person, Person.id == MetricReading.submitted_by_id)
            .where(MetricReading.metric_id.in_(ids), MetricReading.period <= period)
            .order_by(MetricReading.period)
        )
    ).all()
    recorded: dict[str, StoredReading] = {}
    previous: dict[str, StoredReading] = {}
    for reading, name in readings:  # in period order, so the last one before the period wins
        stored = StoredReading(reading.period, reading.value, name, reading.submitted_at)
        (recorded if reading.period == period else previous)[reading.metric_id] = stored
    return [
        MetricState(to_domain(metric, owner.email), owner.name, recorded.get(metric.id), previous.get(metric.id))
        for metric, owner in rows
    ]


_AUDITED = ("value", "submitted_by", "submitted_at")


async def store_readings(
    session: AsyncSession,
    period: str,
    values: Mapping[str, int],
    *,
    expected: Mapping[str, float | None],
    actor: StoredPerson,
    now: datetime,
) -> list[StoredChange]:
    """Record or correct each figure for the period, audited before → after.

    ``expected`` is the figure the officer saw (and confirmed replacing): if the stored one has
    moved on since, ReadingConflict is raised and the caller's transaction should roll back.
    A figure equal to the stored one changes nothing and is not audited.
    """
    changes = []
    for metric_id, value in values.items():
        row = await session.scalar(
            select(MetricReading)
            .where(MetricReading.metric_id == metric_id, MetricReading.period == period)
            .with_for_update()
        )
        before = row.value if row else None
        if before != expected.get(metric_id):
            raise ReadingConflict(metric_id)
        where = {"entity": "metric_reading", "entity_id": f"{metric_id}:{period}"}
        if row is None:
            row = MetricReading(
                metric_id=metric_id, period=period, value=float(value), submitted_by_id=actor.id, submitted_at=now
            )
            try:
                async with session.begin_nested():  # a concurrent first figure wins: no overwrite
                    session.add(row)
            except IntegrityError:
                raise ReadingConflict(metric_id) from None
            audit.record(
                session,
                at=now,
                actor=actor.email,
                change="submit",
                before=None,
                after=await _snapshot(session, row, actor),
                **where,
            )
        elif row.value != value:
            old = await _snapshot(session, row, actor)
            row.value, row.submitted_by_id, row.submitted_at = float(value), actor.id, now
            audit.record(
                session,
                at=now,
                actor=actor.email,
                change="correct",
                before=old,
                after=await _snapshot(session, row, actor),
                **where,
            )
        changes.append(StoredChange(metric_id, float(value), before))
    await session.flush()
    return changes


async def _snapshot(session: AsyncSession, row: MetricReading, actor: StoredPerson) -> dict[str, object]:
    # Who submitted, by email: person ids mean nothing to someone reading the log. The actor is at
    # hand; whoever stored the figure being corrected is looked up.
    if row.submitted_by_id == actor.id:
        submitted_by: str | None = actor.email
    else:
        person = await session.get(Person, row.submitted_by_id) if row.submitted_by_id else None
        submitted_by = person.email if person else None
    return {
        "value": row.value,
        "submitted_by": submitted_by,
        "submitted_at": row.submitted_at.isoformat(),
    }


async def off_trajectory_readings(session: AsyncSession, period: str) -> list[OffTrajectoryReading]:
    """Every figure stored for the period that is worse than its trajectory or its baseline.

    Judged with the metric's readings up to that period, so the judgement carries the change since
    the previous figure too. Computed from the database each time: a rerun finds the same list.
    """
    as_of = period_end(period)
    current = (
        await session.execute(
            select(MetricReading, Metric, Person)
            .join(Metric, Metric.id == MetricReading.metric_id)
            .join(Person, Person.id == Metric.owner_id)
            .where(MetricReading.period == period)
            .order_by(Metric.position)
        )
    ).all()
    history: dict[str, list[tuple[date, float]]] = {}
    earlier = select(MetricReading.metric_id, MetricReading.period, MetricReading.value).where(
        MetricReading.metric_id.in_([row.id for _, row, _ in current]),
        MetricReading.period <= period,
    )
    for metric_id, month, value in (await session.execute(earlier)).all():
        history.setdefault(metric_id, []).append((period_end(month), value))
    found = []
    for reading, row, owner in current:
        metric = to_domain(row, owner.email)
        judgement = judge(metric, history[row.id], as_of)
        if judgement.status is MetricStatus.OFF_TRACK:
            found.append(
                OffTrajectoryReading(metric, owner.name, period, reading.value, reading.submitted_at, judgement)
            )
    return found
