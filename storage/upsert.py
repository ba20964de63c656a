"""INSERT … ON CONFLICT in the session's own dialect: SQLAlchemy has it per dialect only."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession


def insert_for(session: AsyncSession) -> Any:
    """`insert` of the session's database, whose statements have `on_conflict_do_nothing`."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
