"""Refusing to run against a database whose schema is missing or behind the code."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from storage.database_errors import database_failure
from storage.engine import new_engine, new_sessionmaker
from storage.migrate import current_revision, head_revision


class SchemaNotReady(Exception):
    pass


async def require_current_schema(engine: AsyncEngine, url: str) -> None:
    try:
        current = await current_revision(engine)
    except (SQLAlchemyError, OSError) as exc:
        raise SchemaNotReady(database_failure(exc, url) or f"cannot reach the database: {exc}") from exc
    head = head_revision(url)
    if current != head:
        state = "has no schema" if current is None else f"is at revision {current}, the code needs {head}"
        raise SchemaNotReady(f"The database {state}: run `cqcbot db upgrade` first.")


class NoPlanYet(LookupError):
    def __init__(self) -> None:
        super().__init__("No plan yet: run `cqcbot plan import FILE` first.")


@asynccontextmanager
async def ready_database(url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on a database whose schema is current (SchemaNotReady otherwise); disposed after."""
    engine = new_engine(url)
    try:
        await require_current_schema(engine, url)
        yield new_sessionmaker(engine)
    finally:
        await engine.dispose()
