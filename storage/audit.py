"""The append-only audit log: every change says who, what, when, and before → after."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry


def snapshot(row: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited fields of a row as JSON-friendly values."""
    return {field: _jsonable(getattr(row, field)) for field in fields}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def record(
    session: AsyncSession,
    *,
    at: datetime,
    actor: str,
    entity: str,
    entity_id: str,
    change: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Add an audit entry to the session; it commits with the change it describes."""
    if before is not None and after is not None:
        # Keep only what changed, so the log reads as a list of differences.
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    session.add(
        AuditEntry(
            at=at, actor=actor, entity=entity, entity_id=entity_id, change=change,
            before=before, after=after,
        )
    )
