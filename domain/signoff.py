"""Plan sign-off: what the chair signs (the plan as it stands) and the drift since, for scrutiny."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.model import Plan

# What a changed action means for scrutiny: a moved target date or a new owner.
DRIFT_FIELDS = ("due", "owner")


def snapshot_of(plan: Plan) -> dict[str, Any]:
    """The signed plan as JSON: counts by theme, every action, the metrics' targets."""
    return {
        "themes": [
            {"id": t.id, "name": t.name, "actions": sum(1 for a in plan.actions if a.theme == t.id)}
            for t in plan.themes
        ],
        "actions": [
            {
                "ref": a.ref,
                "theme": a.theme,
                "requirement": a.requirement,
                "owner": a.owner,
                "due": a.due.isoformat() if a.due else None,
                "stretch": a.stretch,
            }
            for a in plan.actions
        ],
        "metrics": [
            {"id": m.id, "name": m.name, "target": m.target.value, "target_date": m.target.date.isoformat()}
            for m in plan.metrics
        ],
    }


@dataclass(frozen=True)
class Signoff:
    signed_at: datetime
    signer_name: str
    signer_email: str
    snapshot: dict[str, Any]


@dataclass(frozen=True)
class ActionChange:
    ref: str
    field: str  # due | owner
    before: str | None
    after: str | None

    @property
    def text(self) -> str:
        what = "target date" if self.field == "due" else "owner"
        return f"{self.ref}: {what} {self.before or '(none)'} → {self.after or '(none)'}"


@dataclass(frozen=True)
class Drift:
    added: tuple[str, ...]  # refs
    removed: tuple[str, ...]
    changes: tuple[ActionChange, ...]

    @property
    def changed_actions(self) -> int:
        return len(Counter(change.ref for change in self.changes))


def drift_since(signoff: Signoff, plan: Plan) -> Drift:
    signed = {a["ref"]: a for a in signoff.snapshot.get("actions", [])}
    now = snapshot_of(plan)["actions"]
    current = {a["ref"]: a for a in now}
    changes = [
        ActionChange(ref, field, signed[ref].get(field), action.get(field))
        for ref, action in current.items()
        if ref in signed
        for field in DRIFT_FIELDS
        if signed[ref].get(field) != action.get(field)
    ]
    return Drift(
        added=tuple(a["ref"] for a in now if a["ref"] not in signed),
        removed=tuple(ref for ref in signed if ref not in current),
        changes=tuple(changes),
    )


def drift_summary(signoff: Signoff, drift: Drift, signed_on: str) -> str:
    """E.g. "Plan signed off on 12 March 2026 by Helen Carter; since then 1 action added, 2 changed"."""
    added = f"{len(drift.added)} action{'s' if len(drift.added) != 1 else ''} added"
    changed = f"{drift.changed_actions} changed (target dates, owners)"
    removed = f", {len(drift.removed)} removed" if drift.removed else ""
    return f"Plan signed off on {signed_on} by {signoff.signer_name}; since then {added}, {changed}{removed}"


def fingerprint(snapshot: dict[str, Any]) -> str:
    """Names what a card showed: signing is refused if the plan has changed since."""
    return hashlib.sha256(json.dumps(snapshot, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]
