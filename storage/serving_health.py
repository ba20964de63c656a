"""Is the database ready to serve: there, readable, and at the schema the code needs?

`SELECT 1` proves only that a connection opens: SQLite answers it without reading the file, so a
corrupt file looked healthy while every real query failed with "database disk image is malformed".
This reads the schema's revision and a row of a real table, the way every request does.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import is_sqlite
from storage.migrate import current_revision, head_revision
from storage.models import Person


@lru_cache(maxsize=4)
def _head(url: str) -> str | None:
    return head_revision(url)  # the migration scripts are read once per process


def _missing_sqlite_file(url: str) -> str | None:
    try:
        database = make_url(url).database
    except ArgumentError:
        return "the database URL cannot be read"
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    # Connecting would create an empty file and hide that the real one has gone.
    return None if Path(database).is_file() else f"the SQLite file {database} does not exist"


async def readiness_problem(engine: AsyncEngine, url: str) -> str | None:
    """None when the database is ready; otherwise why not, in a line."""
    if is_sqlite(url) and (missing := _missing_sqlite_file(url)):
        return missing
    try:
        current = await current_revision(engine)
        head = _head(url)
        if current != head:
            return "the database has no schema" if current is None else f"the schema is at {current}, not {head}"
        async with engine.connect() as connection:
            await connection.execute(select(Person.id).limit(1))
    except (SQLAlchemyError, OSError) as exc:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return f"the database cannot be read: {text}"[:300]
    return None
