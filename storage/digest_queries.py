"""Everything the digest and the board report need for one month, in a fixed number of queries.

However many actions, updates and months of history there are, loading a month costs the same
dozen round trips: the latest update per action is picked in the database, by index probes,
rather than one query per action.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ScalarSelect, select, union
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from domain import model
from domain.digest_model import ActionState, DigestInput, MetricSeries, PersonState, RoundInfo, WithdrawnAction
from domain.months import MonthWindow, month_window, period_end
from storage.digest_ledger import load_requests, load_unreachable
from storage.models import (
    ImprovementAction,
    Metric,
    MetricReading,
    Organisation,
    Person,
    ProgressUpdate,
    QualityStatement,
    RoundRow,
    Theme,
)

WITHDRAWN = model.ActionStatus.WITHDRAWN.value


@dataclass(frozen=True, slots=True)
class _ActionRow:
    """An improvement action's columns the digest reads, with its owner's."""

    id: int
    ref: str
    theme_id: str
    requirement: str
    due: date | None
    status: str
    owner_email: str
    owner_name: str
    stretch: bool


@dataclass(frozen=True, slots=True)
class _UpdateRow:
    """A progress update's columns the digest reads."""

    id: int
    action_id: int
    rag: str | None
    narrative: str
    blockers: str
    revised_due: date | None
    submitted_at: datetime


async def plan_timezone(session: AsyncSession) -> str | None:
    organisation = await session.get(Organisation, 1)
    return organisation.timezone if organisation else None


async def latest_progress_month(session: AsyncSession, up_to: str) -> str | None:
    """The newest progress round's month at or before ``up_to``."""
    return await session.scalar(
        select(RoundRow.month)
        .where(RoundRow.kind == "progress", RoundRow.month <= up_to)
        .order_by(RoundRow.month.desc())
        .limit(1)
    )


async def load_digest_input(session: AsyncSession, month: str, as_of: datetime) -> DigestInput | None:
    """The month's inputs as of ``as_of`` (clamped to the month's end); None before a plan exists.

    A report for a past month sees only what was known at that month's end.
    """
    organisation = await session.get(Organisation, 1)
    if organisation is None:
        return None
    window = month_window(month, as_of, organisation.timezone)
    zone = ZoneInfo(organisation.timezone)
    themes = await _themes(session)
    round_ = await session.scalar(select(RoundRow).where(RoundRow.kind == "progress", RoundRow.month == month))
    actions = [
        _ActionRow(*row)
        for row in await session.execute(
            select(
                ImprovementAction.id,
                ImprovementAction.ref,
                ImprovementAction.theme_id,
                ImprovementAction.requirement,
                ImprovementAction.due,
                ImprovementAction.status,
                Person.email,
                Person.name,
                ImprovementAction.stretch,
            )
            .join(Person, Person.id == ImprovementAction.owner_id)
            .order_by(ImprovementAction.position)
        )
    ]
    # A withdrawn action is listed apart: not counted, rated or chased, but not forgotten either.
    withdrawn = tuple(
        WithdrawnAction(a.ref, a.requirement, a.owner_name, a.theme_id, a.owner_email, a.due, a.stretch)
        for a in actions
        if a.status == WITHDRAWN
    )
    actions = [a for a in actions if a.status != WITHDRAWN]
    latest, previous = await _latest_updates(session, window)
    answered = await _answered_in_round(session, round_, window)
    requested = await load_requests(session, round_)
    people = (await session.scalars(select(Person).where(Person.active.is_(True)))).all()
    unreachable = await load_unreachable(session, people, window)
    return DigestInput(
        organisation=organisation.name,
        month=month,
        as_of=window.cutoff.astimezone(zone).date(),
        round=RoundInfo(round_.month, round_.deadline, round_.closed_at is not None) if round_ else None,
        themes=themes,
        actions=tuple(
            _action_state(row, latest.get(row.id), previous.get(row.id), answered, requested, round_, zone)
            for row in actions
        ),
        people=tuple(PersonState(p.email, p.name, p.away_until, *unreachable.get(p.id, (None, None))) for p in people),
        metrics=await _metric_series(session, month),
        withdrawn=withdrawn,
    )


async def _themes(session: AsyncSession) -> tuple[model.Theme, ...]:
    statements: dict[str, list[model.QualityStatement]] = defaultdict(list)
    for qs in (await session.scalars(select(QualityStatement).order_by(QualityStatement.position))).all():
        statements[qs.theme_id].append(model.QualityStatement(qs.id, qs.name, qs.score))
    return tuple(
        model.Theme(t.id, t.name, tuple(statements[t.id]))
        for t in (await session.scalars(select(Theme).order_by(Theme.position))).all()
    )


async def _latest_updates(
    session: AsyncSession, window: MonthWindow
) -> tuple[dict[int, _UpdateRow], dict[int, _UpdateRow]]:
    """Each action's newest update at the cutoff, and its newest before the month began.

    One query: for each action, two probes of the (action_id, submitted_at, id) index pick the
    ids, and only those rows are read, so years of history cost two index seeks per action
    rather than a grouping of every update. Two updates at the same moment (a plan file's dated
    entries) are told apart by id, newest last, as everywhere else.
    """
    newest_ids = union(
        select(_newest_update_id(window.cutoff, inclusive=True)).select_from(ImprovementAction),
        select(_newest_update_id(window.start, inclusive=False)).select_from(ImprovementAction),
    )
    query = select(
        ProgressUpdate.id,
        ProgressUpdate.action_id,
        ProgressUpdate.rag,
        ProgressUpdate.narrative,
        ProgressUpdate.blockers,
        ProgressUpdate.revised_due,
        ProgressUpdate.submitted_at,
    ).where(ProgressUpdate.id.in_(newest_ids))
    latest: dict[int, _UpdateRow] = {}
    previous: dict[int, _UpdateRow] = {}
    for columns in await session.execute(query):
        row = _UpdateRow(*columns)
        # At most two rows an action; when it has no update this month they are the same row.
        if row.submitted_at < window.start:
            previous[row.action_id] = row
        current = latest.get(row.action_id)
        if current is None or (current.submitted_at, current.id) < (row.submitted_at, row.id):
            latest[row.action_id] = row
    return latest, previous


def _newest_update_id(bound: datetime, *, inclusive: bool) -> ScalarSelect[int]:
    """Per improvement action (correlated): the id of its newest update before ``bound`` (or at
    it, when ``inclusive``)."""
    update = aliased(ProgressUpdate)
    in_time = update.submitted_at <= bound if inclusive else update.submitted_at < bound
    return (
        select(update.id)
        .where(update.action_id == ImprovementAction.id, in_time)
        .order_by(update.submitted_at.desc(), update.id.desc())
        .limit(1)
        .correlate(ImprovementAction)
        .scalar_subquery()
    )


async def _answered_in_round(session: AsyncSession, round_: RoundRow | None, window: MonthWindow) -> set[int]:
    """Actions updated for this month's round: sent on its card, or while it was open."""
    if round_ is None:
        return set()
    # A union rather than OR, so each half uses its own index (cycle_id, submitted_at) on both
    # databases instead of a scan of every update.
    not_plan = ProgressUpdate.source != "plan"
    query = union(
        select(ProgressUpdate.action_id).where(
            ProgressUpdate.round_id == round_.id,
            ProgressUpdate.submitted_at <= window.cutoff,
            not_plan,
        ),
        select(ProgressUpdate.action_id).where(
            ProgressUpdate.submitted_at.between(round_.opened_at, window.cutoff), not_plan
        ),
    )
    return set((await session.scalars(query)).all())


def _rag(value: str | None) -> model.Rag | None:
    return model.Rag(value) if value else None


def _action_state(
    row: _ActionRow,
    latest: _UpdateRow | None,
    previous: _UpdateRow | None,
    answered: set[int],
    requested: set[int] | None,
    round_: RoundRow | None,
    zone: ZoneInfo,
) -> ActionState:
    previous_rag = _rag(previous.rag) if previous else None
    # Asked: as the round's requests say; for a round without them, open when the month began
    # (an action with no earlier update counts unless the plan already marks it complete).
    was_complete = previous_rag is model.Rag.COMPLETE if previous else row.status == "complete"
    is_answered = row.id in answered
    open_at_start = row.id in requested if requested is not None else not was_complete
    # Blockers and a revised date are asked of this round: an older update's no longer stand.
    this_round = latest if latest is not None and is_answered else None
    return ActionState(
        ref=row.ref,
        theme_id=row.theme_id,
        requirement=row.requirement,
        owner_email=row.owner_email,
        owner_name=row.owner_name,
        rag=_rag(latest.rag) if latest else None,
        previous_rag=previous_rag,
        progress=latest.narrative if latest else "",
        progress_date=latest.submitted_at.astimezone(zone).date() if latest else None,
        blockers=(this_round.blockers or "") if this_round else "",
        revised_due=this_round.revised_due if this_round else None,
        due=row.due,
        asked=round_ is not None and (open_at_start or is_answered),
        answered=is_answered,
        stretch=row.stretch,
    )


async def _metric_series(session: AsyncSession, month: str) -> tuple[MetricSeries, ...]:
    metrics = (
        await session.execute(
            select(Metric, Person.email).join(Person, Person.id == Metric.owner_id).order_by(Metric.position)
        )
    ).all()
    readings: dict[str, list[tuple[date, float]]] = defaultdict(list)
    query = (
        select(MetricReading.metric_id, MetricReading.period, MetricReading.value)
        .where(MetricReading.period <= month)
        .order_by(MetricReading.metric_id, MetricReading.period)
    )
    for metric_id, period, value in (await session.execute(query)).all():
        readings[metric_id].append((period_end(period), value))
    return tuple(
        MetricSeries(
            model.Metric(
                id=m.id,
                name=m.name,
                unit=m.unit,
                direction=model.Direction(m.direction),
                owner=email,
                baseline=model.DatedValue(m.baseline_value, m.baseline_date),
                target=model.DatedValue(m.target_value, m.target_date),
            ),
            tuple(readings[m.id]),
        )
        for m, email in metrics
    )
