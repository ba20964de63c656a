"""INSERT … ON CONFLICT in the session's own dialect (SQLAlchemy has it per dialect only), and the rows a
write touched."""

from __future__ import annotations

from typing import Any

from sqlalchemy import CursorResult, Result
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession) -> Any:
    """`insert` of the session's database, whose statements have `on_conflict_do_nothing`."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


def rowcount(result: Result[Any]) -> int:
    """The rows an INSERT or UPDATE touched. The session types every result as a plain Result;
    a DML statement's is a CursorResult, which counts them."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"expected the result of an INSERT or UPDATE, got {type(result).__name__}")
    return result.rowcount
