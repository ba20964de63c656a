"""The append-only audit log: every change says who, what, when, and before → after."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any, TypedDict, Unpack

from sqlalchemy import insert as sa_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import AuditEntry
from storage.models.base import table_of


def snapshot(row: object, fields: tuple[str, ...]) -> dict[str, Any]:
    """The audited fields of a row (or of a read model) as JSON-friendly values."""
    return {field: jsonable(getattr(row, field)) for field in fields}


def jsonable(value: Any) -> Any:
    """A column value as JSON: dates as ISO 8601 text, a domain enum as its value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


class EntryFields(TypedDict):
    """What one audit entry says: who changed what, when, and the values before and after."""

    at: datetime
    actor: str
    entity: str
    entity_id: str
    change: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def entry(**fields: Unpack[EntryFields]) -> dict[str, Any]:
    """An audit row's values; with both sides given, only what changed is kept, so the log reads as
    a list of differences."""
    before, after = fields["before"], fields["after"]
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: before.get(k) for k in changed}
        after = {k: after[k] for k in changed}
    return {**fields, "before": before, "after": after}


def record(session: AsyncSession, **fields: Unpack[EntryFields]) -> None:
    """Add an audit entry to the session; it commits with the change it describes."""
    session.add(AuditEntry(**entry(**fields)))


async def insert(session: AsyncSession, entries: Sequence[dict[str, Any]]) -> None:
    """Several entries (from `entry`) in one statement, for a hot path that keeps no ORM objects."""
    await session.execute(sa_insert(table_of(AuditEntry)), list(entries))
