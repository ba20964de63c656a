"""The planner's view of the database (domain.planning.PlanningStore, all but sending)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Plan
from domain.planning import PersonState, Round
from storage import audit, outbox
from storage.models import Cycle, ImprovementAction, MetricReading, Person, ProgressRequest, ProgressUpdate
from storage.plan_queries import load_plan
from storage.upsert import insert_for


def _round(row: Cycle) -> Round:
    return Round(row.id, row.kind, row.month, row.deadline, row.closed_at is not None)


class SqlPlanningStore:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._plan: Plan | None = None

    async def plan(self) -> Plan:
        if self._plan is None:
            plan = await load_plan(self.session)
            if plan is None:
                raise LookupError("no plan has been imported: run `cqcbot plan import FILE` first")
            self._plan = plan
        return self._plan

    async def find_round(self, kind: str, month: str) -> Round | None:
        row = await self.session.scalar(select(Cycle).where(Cycle.kind == kind, Cycle.month == month))
        return _round(row) if row else None

    async def open_round(self, kind: str, month: str, deadline: date, now: datetime) -> tuple[Round, bool]:
        """Idempotent, also against another instance opening the same round at the same moment."""
        inserted = await self.session.execute(
            insert_for(self.session)(Cycle)
            .values(kind=kind, month=month, opened_at=now, deadline=deadline)
            .on_conflict_do_nothing(index_elements=["kind", "month"])
        )
        row = await self.session.scalar(select(Cycle).where(Cycle.kind == kind, Cycle.month == month))
        assert row is not None
        created = bool(inserted.rowcount)  # type: ignore[attr-defined]
        if created:
            audit.record(
                self.session,
                at=now,
                actor="scheduler",
                entity="cycle",
                entity_id=f"{kind}-{month}",
                change="open",
                before=None,
                after={"deadline": deadline.isoformat()},
            )
        return _round(row), created

    async def close_rounds_before(self, kind: str, month: str, now: datetime) -> None:
        rows = (
            await self.session.scalars(
                select(Cycle).where(Cycle.kind == kind, Cycle.month < month, Cycle.closed_at.is_(None))
            )
        ).all()
        for row in rows:
            row.closed_at = now
            audit.record(
                self.session,
                at=now,
                actor="scheduler",
                entity="cycle",
                entity_id=f"{kind}-{row.month}",
                change="close",
                before=None,
                after={"closed_at": now.isoformat()},
            )

    async def request_actions(self, round_: Round, refs_by_owner: dict[str, list[str]], now: datetime) -> None:
        """One request per action and round, to the owner at the time; a rerun adds none."""
        asked = set(
            (
                await self.session.scalars(
                    select(ProgressRequest.action_id).where(ProgressRequest.cycle_id == round_.id)
                )
            ).all()
        )
        wanted = [ref for refs in refs_by_owner.values() for ref in refs]
        actions = (
            await self.session.execute(
                select(ImprovementAction.id, ImprovementAction.owner_id).where(ImprovementAction.ref.in_(wanted))
            )
        ).all()
        new = [
            {"cycle_id": round_.id, "action_id": action_id, "person_id": owner_id, "created_at": now}
            for action_id, owner_id in actions
            if action_id not in asked
        ]
        if new:
            await self.session.execute(
                insert_for(self.session)(ProgressRequest)
                .values(new)
                .on_conflict_do_nothing(index_elements=["cycle_id", "action_id"])
            )

    async def requested(self, round_: Round) -> dict[str, list[str]]:
        rows = (
            await self.session.execute(
                select(Person.email, ImprovementAction.ref)
                .join(ProgressRequest, ProgressRequest.person_id == Person.id)
                .join(ImprovementAction, ImprovementAction.id == ProgressRequest.action_id)
                .where(ProgressRequest.cycle_id == round_.id)
                .order_by(ImprovementAction.position)
            )
        ).all()
        result: dict[str, list[str]] = defaultdict(list)
        for email, ref in rows:
            result[email].append(ref)
        return dict(result)

    async def answered(self, round_: Round) -> set[str]:
        """Actions with an update submitted in the round (ad hoc updates during it count too)."""
        row = await self.session.get(Cycle, round_.id)
        assert row is not None
        refs = (
            await self.session.scalars(
                select(ImprovementAction.ref)
                .join(ProgressUpdate, ProgressUpdate.action_id == ImprovementAction.id)
                .where(
                    (ProgressUpdate.cycle_id == round_.id)
                    | ((ProgressUpdate.source == "teams") & (ProgressUpdate.submitted_at >= row.opened_at))
                )
            )
        ).all()
        return set(refs)

    async def people(self) -> dict[str, PersonState]:
        rows = (await self.session.scalars(select(Person))).all()
        return {p.email: PersonState(p.email, p.name, p.away_until, p.unreachable_since is not None) for p in rows}

    async def figures_submitted(self, month: str) -> set[str]:
        return set(
            (await self.session.scalars(select(MetricReading.metric_id).where(MetricReading.period == month))).all()
        )

    async def readings(self, month: str) -> dict[str, float]:
        rows = (
            await self.session.execute(
                select(MetricReading.metric_id, MetricReading.value).where(MetricReading.period == month)
            )
        ).all()
        return {metric_id: value for metric_id, value in rows}


async def already_queued(session: AsyncSession, key: str) -> bool:
    return bool(await outbox.queued_keys(session, [key]))
