"""The planner's view of the database and the outbox (domain.planning.PlanningStore)."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.model import Plan
from domain.outbox import Recipient, idempotency_key
from domain.planning import Audience, Message, PersonAvailability, Round
from storage import audit, outbox, recipients
from storage.models import ImprovementAction, MetricReading, Person, ProgressRequest, ProgressUpdate, RoundRow
from storage.plan_queries import load_plan
from storage.rounds import to_round
from storage.upsert import insert_for, rowcount

log = logging.getLogger(__name__)


class Renderer(Protocol):
    """Turns one of the planner's messages into the outbox payload (domain.outbox.message_payload).

    It reads in the store's session: the planner's transaction, which on SQLite holds the one
    connection, so a session of its own would wait for it forever."""

    async def __call__(self, message: Message, person_id: int | None, session: AsyncSession) -> dict[str, Any]: ...


class SqlPlanningStore:
    def __init__(self, session: AsyncSession, render: Renderer) -> None:
        self.session = session
        self._render = render
        self._plan: Plan | None = None

    async def plan(self) -> Plan:
        if self._plan is None:
            plan = await load_plan(self.session)
            if plan is None:
                raise LookupError("no plan has been imported: run `cqcbot plan import FILE` first")
            self._plan = plan
        return self._plan

    async def find_round(self, kind: str, month: str) -> Round | None:
        row = await self.session.scalar(select(RoundRow).where(RoundRow.kind == kind, RoundRow.month == month))
        return to_round(row) if row else None

    async def open_round(self, kind: str, month: str, deadline: date, now: datetime) -> tuple[Round, bool]:
        """Idempotent, also against another instance opening the same round at the same moment."""
        inserted = await self.session.execute(
            insert_for(self.session)(RoundRow)
            .values(kind=kind, month=month, opened_at=now, deadline=deadline)
            .on_conflict_do_nothing(index_elements=["kind", "month"])
        )
        row = await self.session.scalar(select(RoundRow).where(RoundRow.kind == kind, RoundRow.month == month))
        assert row is not None
        created = bool(rowcount(inserted))
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
        return to_round(row), created

    async def close_rounds_before(self, kind: str, month: str, now: datetime) -> None:
        rows = (
            await self.session.scalars(
                select(RoundRow).where(RoundRow.kind == kind, RoundRow.month < month, RoundRow.closed_at.is_(None))
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
                    select(ProgressRequest.action_id).where(ProgressRequest.round_id == round_.id)
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
            {"round_id": round_.id, "action_id": action_id, "person_id": owner_id, "created_at": now}
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
                .where(ProgressRequest.round_id == round_.id)
                .order_by(ImprovementAction.position)
            )
        ).all()
        result: dict[str, list[str]] = defaultdict(list)
        for email, ref in rows:
            result[email].append(ref)
        return dict(result)

    async def count_updates_since(self, round_: Round, since: datetime) -> None:
        await self.session.execute(
            update(ProgressUpdate)
            .where(
                ProgressUpdate.round_id.is_(None),
                ProgressUpdate.source == "teams",
                ProgressUpdate.submitted_at >= since,
            )
            .values(round_id=round_.id)
            .execution_options(synchronize_session=False)
        )

    async def answered(self, round_: Round) -> set[str]:
        """Actions with an update submitted in the round (ad hoc updates during it count too)."""
        row = await self.session.get(RoundRow, round_.id)
        assert row is not None
        refs = (
            await self.session.scalars(
                select(ImprovementAction.ref)
                .join(ProgressUpdate, ProgressUpdate.action_id == ImprovementAction.id)
                .where(
                    (ProgressUpdate.round_id == round_.id)
                    | ((ProgressUpdate.source == "teams") & (ProgressUpdate.submitted_at >= row.opened_at))
                )
            )
        ).all()
        return set(refs)

    async def people(self) -> dict[str, PersonAvailability]:
        rows = (await self.session.scalars(select(Person))).all()
        return {
            p.email: PersonAvailability(p.email, p.name, p.away_until, p.unreachable_since is not None) for p in rows
        }

    async def clear_unreachable(self, email: str, now: datetime) -> None:
        person = await self.session.scalar(select(Person).where(Person.email == email))
        if person is None or person.unreachable_since is None:
            return
        before = audit.snapshot(person, ("unreachable_since", "unreachable_reason"))
        person.unreachable_since = None
        person.unreachable_reason = None
        audit.record(
            self.session,
            at=now,
            actor="chair",
            entity="person",
            entity_id=email,
            change="resend",
            before=before,
            after=audit.snapshot(person, ("unreachable_since", "unreachable_reason")),
        )

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

    async def enqueue(self, message: Message, now: datetime) -> bool:
        """Render the message, resolve its recipient, and put it in the outbox once."""
        recipient = await self._recipient(message)
        if recipient is None:
            log.warning(
                "no way to reach %s for %s %s", message.email or "the group channel", message.kind, message.scope
            )
            return False
        key = idempotency_key(message.kind, scope=message.scope, recipient=recipient, step=message.step)
        if await outbox.queued_keys(self.session, [key]):
            return False  # rendering is the costly part: skip it for what was already sent
        payload = await self._render(message, recipient.person_id, self.session)
        return await outbox.enqueue(
            self.session, key=key, recipient=recipient, kind=message.kind, payload=payload, now=now
        )

    async def _recipient(self, message: Message) -> Recipient | None:
        if message.audience is Audience.PERSON:
            return await recipients.person(self.session, message.email) if message.email else None
        return await recipients.group_channel(self.session, (await self.plan()).group_channel)
