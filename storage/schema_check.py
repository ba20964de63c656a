"""Refusing to run against a database whose schema is missing or behind the code."""

from __future__ import annotations

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.migrate import current_revision, head_revision


class SchemaNotReady(Exception):
    pass


async def require_current_schema(engine: AsyncEngine, url: str) -> None:
    try:
        current = await current_revision(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise SchemaNotReady(f"cannot reach the database: {exc}") from exc
    head = head_revision(url)
    if current != head:
        state = "has no schema" if current is None else f"is at revision {current}, the code needs {head}"
        raise SchemaNotReady(f"The database {state}: run `cqcbot db upgrade` first.")
