"""Writing a validated plan into the database: an upsert by id/ref/email, audited, in one transaction."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain import model
from storage import audit
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

PERSON_FIELDS = ("name", "email", "upn", "roles")
ACTION_FIELDS = (
    "theme_id",
    "quality_statement_id",
    "requirement",
    "owner_id",
    "due",
    "status",
    "rag",
    "position",
    "stretch",
)
STATEMENT_FIELDS = ("theme_id", "name", "score", "position", "lead_id")
METRIC_FIELDS = (
    "name",
    "unit",
    "direction",
    "owner_id",
    "baseline_value",
    "baseline_date",
    "target_value",
    "target_date",
    "position",
)


# How the preview names a stored column: ids become the people and things they point to.
SHOWN_AS = {"owner_id": "owner", "theme_id": "theme", "quality_statement_id": "quality_statement", "position": "order"}


@dataclass(frozen=True)
class FieldChange:
    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    """One entity the import creates or updates, with each changed field before → after."""

    entity: str  # "action", "metric", "person", …
    key: str  # its ref, id or email
    created: bool
    fields: tuple[FieldChange, ...]


@dataclass
class ImportSummary:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)  # entities the file lists, changed or not
    changes: list[Change] = field(default_factory=list)
    # Stored entities a full plan file does not list, by entity: kept, never deleted by omission.
    kept: dict[str, list[str]] = field(default_factory=dict)
    stored: int = 0  # people, actions and metrics stored before the import

    def count(self, bucket: dict[str, int], entity: str) -> None:
        bucket[entity] = bucket.get(entity, 0) + 1

    def unchanged(self, entity: str) -> int:
        return self.seen.get(entity, 0) - self.created.get(entity, 0) - self.updated.get(entity, 0)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def clears(self) -> list[Change]:
        """Updates that empty an owner or a due date: the import asks before doing those."""
        return [
            c
            for c in self.changes
            if not c.created and any(f.field in {"owner", "due"} and f.after is None for f in c.fields)
        ]

    @property
    def changes_most_of_the_plan(self) -> bool:
        updated = sum(self.updated.get(e, 0) for e in ("person", "action", "metric"))
        return self.stored > 0 and updated * 2 > self.stored


async def import_plan(
    session: AsyncSession, plan: model.Plan, *, actor: str, now: datetime, complete: bool = True
) -> ImportSummary:
    """Upsert ``plan``. The caller owns the transaction: nothing is half-imported.

    ``complete``: the plan came from a full plan file, so stored entities it lacks are listed as kept.
    A dry run is this, rolled back: the preview is what the import does, by construction.
    """
    summary = ImportSummary()
    importer = _Importer(session, actor, now, summary)
    await importer.organisation(plan)
    people = await importer.people(plan.people)
    await importer.themes(plan.themes, people)
    await importer.actions(plan, people)
    await importer.metrics(plan.metrics, people)
    summary.stored = importer.stored
    if complete:
        summary.kept = {entity: keys for entity, keys in importer.absent.items() if keys}
    return summary


@dataclass
class _Importer:
    session: AsyncSession
    actor: str
    now: datetime
    summary: ImportSummary
    email_of: dict[int, str] = field(default_factory=dict)
    absent: dict[str, list[str]] = field(default_factory=dict)
    stored: int = 0

    def _audit(self, entity: str, entity_id: str, before: dict | None, after: dict) -> None:
        self.summary.count(self.summary.seen, entity)
        if before == after:
            return
        change = "create" if before is None else "update"
        self.summary.count(self.summary.created if before is None else self.summary.updated, entity)
        self.summary.changes.append(self._change(entity, entity_id, before, after))
        audit.record(
            self.session,
            at=self.now,
            actor=self.actor,
            entity=entity,
            entity_id=entity_id,
            change=change,
            before=before,
            after=after,
        )

    def _change(self, entity: str, key: str, before: dict | None, after: dict) -> Change:
        def shown(name: str, value: Any) -> Any:
            return self.email_of.get(value, value) if name == "owner_id" else value

        fields = tuple(
            FieldChange(SHOWN_AS.get(name, name), shown(name, (before or {}).get(name)), shown(name, value))
            for name, value in after.items()
            if before is None or before.get(name) != value
            if before is not None or value not in (None, [], "")
        )
        return Change(entity, key, before is None, fields)

    async def organisation(self, plan: model.Plan) -> None:
        row = await self.session.get(Organisation, 1)
        settings = {
            "schedule": {k: (list(v) if isinstance(v, tuple) else v) for k, v in vars(plan.schedule).items()},
            "group_channel": plan.group_channel,
        }
        before = audit.snapshot(row, ("name", "timezone", "settings")) if row else None
        if row is None:
            row = Organisation(id=1, updated_at=self.now)
            self.session.add(row)
        row.name, row.timezone, row.settings = plan.organisation, plan.timezone, settings
        after = audit.snapshot(row, ("name", "timezone", "settings"))
        if before != after:
            row.updated_at = self.now
        self._audit("organisation", "1", before, after)

    async def people(self, people: tuple[model.Person, ...]) -> dict[str, Person]:
        rows = {p.email: p for p in (await self.session.scalars(select(Person))).all()}
        self.stored += len(rows)
        self.absent["person"] = sorted(set(rows) - {p.email for p in people})
        for person in people:
            row = rows.get(person.email)
            before = audit.snapshot(row, PERSON_FIELDS) if row else None
            if row is None:
                row = Person(email=person.email, active=True)
                self.session.add(row)
                rows[person.email] = row
            row.name = person.name
            row.upn = person.upn
            row.roles = sorted(r.value for r in person.roles)
            if person.aad_object_id:
                row.aad_object_id = person.aad_object_id
            self._audit("person", person.email, before, audit.snapshot(row, PERSON_FIELDS))
        await self.session.flush()
        self.email_of = {row.id: email for email, row in rows.items()}
        return rows

    async def themes(self, themes: tuple[model.Theme, ...], people: dict[str, Person]) -> None:
        for position, theme in enumerate(themes):
            row = await self.session.get(Theme, theme.id)
            before = audit.snapshot(row, ("name", "position")) if row else None
            if row is None:
                row = Theme(id=theme.id)
                self.session.add(row)
            row.name, row.position = theme.name, position
            self._audit("theme", theme.id, before, audit.snapshot(row, ("name", "position")))
            for q_position, statement in enumerate(theme.quality_statements):
                qs = await self.session.get(QualityStatement, statement.id)
                q_before = audit.snapshot(qs, STATEMENT_FIELDS) if qs else None
                if qs is None:
                    qs = QualityStatement(id=statement.id)
                    self.session.add(qs)
                qs.theme_id, qs.name, qs.score, qs.position = theme.id, statement.name, statement.score, q_position
                qs.lead_id = people[statement.lead].id if statement.lead else None
                self._audit("quality_statement", statement.id, q_before, audit.snapshot(qs, STATEMENT_FIELDS))
        await self.session.flush()

    async def actions(self, plan: model.Plan, people: dict[str, Person]) -> None:
        """Upsert every action; the delegates and earlier plan progress are read once for all of them."""
        rows = {a.ref: a for a in (await self.session.scalars(select(ImprovementAction))).all()}
        self.stored += len(rows)
        email_of = self.email_of  # every person's email by id, as people() stored them
        delegates: dict[int, set[int]] = defaultdict(set)
        for link in (await self.session.scalars(select(ActionDelegate))).all():
            delegates[link.action_id].add(link.person_id)
        recorded = {
            (action_id, at, narrative)
            for action_id, at, narrative in await self.session.execute(
                select(ProgressUpdate.action_id, ProgressUpdate.submitted_at, ProgressUpdate.narrative).where(
                    ProgressUpdate.source == "plan"
                )
            )
        }
        zone = ZoneInfo(plan.timezone)
        befores = {ref: self._action_snapshot(row, delegates[row.id], email_of) for ref, row in rows.items()}
        for action in plan.actions:
            if action.ref not in rows:
                rows[action.ref] = ImprovementAction(ref=action.ref, updated_at=self.now)
                self.session.add(rows[action.ref])
        for position, action in enumerate(plan.actions):
            row = rows[action.ref]
            row.theme_id = action.theme
            row.quality_statement_id = action.quality_statement
            row.requirement = action.requirement
            row.owner_id = people[action.owner].id
            row.due = action.due
            row.status = action.status.value
            row.rag = action.rag.value if action.rag else None
            row.position = position
            row.stretch = action.stretch
        await self.session.flush()  # one batch of inserts; the new rows now have ids
        for action in plan.actions:
            row = rows[action.ref]
            before = befores.get(action.ref)
            wanted = {people[d].id for d in action.delegates}
            await self._replace_delegates(row.id, delegates[row.id], wanted)
            after = self._action_snapshot(row, wanted, email_of)
            if before != after:
                row.updated_at = self.now
            self._audit("action", action.ref, before, after)
            self._plan_progress(row, action, people[action.owner], zone, recorded)
        await self.session.flush()
        self.absent["action"] = sorted(set(befores) - {a.ref for a in plan.actions})

    @staticmethod
    def _action_snapshot(row: ImprovementAction, delegate_ids: set[int], email_of: dict[int, str]) -> dict:
        return audit.snapshot(row, ACTION_FIELDS) | {"delegates": sorted(email_of[i] for i in delegate_ids)}

    async def _replace_delegates(self, action_id: int, current: set[int], wanted: set[int]) -> None:
        if removed := current - wanted:
            await self.session.execute(
                delete(ActionDelegate).where(
                    ActionDelegate.action_id == action_id, ActionDelegate.person_id.in_(removed)
                )
            )
        for person_id in wanted - current:
            self.session.add(ActionDelegate(action_id=action_id, person_id=person_id))

    def _plan_progress(
        self,
        row: ImprovementAction,
        action: model.Action,
        owner: Person,
        zone: ZoneInfo,
        recorded: set[tuple[int, datetime, str]],
    ) -> None:
        """Progress written in the plan file becomes history once; a re-import adds nothing."""
        for entry in action.progress:
            # A dated report with no time: noon local time, stored in UTC.
            at = datetime.combine(entry.date, time(12), zone).astimezone(UTC)
            self.summary.count(self.summary.seen, "progress_update")
            if (row.id, at, entry.narrative) in recorded:
                continue
            self.summary.count(self.summary.created, "progress_update")
            fields = (
                FieldChange("date", None, entry.date.isoformat()),
                FieldChange("narrative", None, entry.narrative),
            )
            self.summary.changes.append(Change("progress_update", action.ref, True, fields))
            self.session.add(
                ProgressUpdate(
                    action_id=row.id,
                    author_id=owner.id,
                    author_name=owner.name,
                    submitted_at=at,
                    rag=entry.rag.value if entry.rag else None,
                    narrative=entry.narrative,
                    evidence_links=[],
                    blockers="",
                    source="plan",
                )
            )
            audit.record(
                self.session,
                at=self.now,
                actor=self.actor,
                entity="progress_update",
                entity_id=action.ref,
                change="create",
                before=None,
                after={"date": entry.date.isoformat(), "rag": entry.rag.value if entry.rag else None},
            )

    async def metrics(self, metrics: tuple[model.Metric, ...], people: dict[str, Person]) -> None:
        stored = set((await self.session.scalars(select(Metric.id))).all())
        self.stored += len(stored)
        self.absent["metric"] = sorted(stored - {m.id for m in metrics})
        for position, metric in enumerate(metrics):
            row = await self.session.get(Metric, metric.id)
            before = audit.snapshot(row, METRIC_FIELDS) if row else None
            if row is None:
                row = Metric(id=metric.id)
                self.session.add(row)
            row.name, row.unit, row.direction = metric.name, metric.unit, metric.direction.value
            row.owner_id = people[metric.owner].id
            row.baseline_value, row.baseline_date = metric.baseline.value, metric.baseline.date
            row.target_value, row.target_date = metric.target.value, metric.target.date
            row.position = position
            self._audit("metric", metric.id, before, audit.snapshot(row, METRIC_FIELDS))
        await self.session.flush()
