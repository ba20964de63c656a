"""Engine and session factories. Nothing is built at import time: the composition root calls these."""

from __future__ import annotations

from typing import Any, TypeAlias

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry

SQLITE_BUSY_TIMEOUT_MS = 5000

# What the rest of the app holds and hands back to storage's queries: it never builds a statement
# itself, so these are the only SQLAlchemy names it sees.
Engine: TypeAlias = AsyncEngine
Session: TypeAlias = AsyncSession
Sessions: TypeAlias = async_sessionmaker[AsyncSession]


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def driver_url(url: str) -> str:
    """The URL as its driver reads it: libpq's `sslmode=require` (what Azure's portal and pg_dump
    write) becomes asyncpg's `ssl=require`, which takes the same modes; asyncpg has no `sslmode`
    and would fail at the first connection. An explicit `ssl=` wins."""
    if not url.startswith("postgresql+asyncpg://") or "sslmode" not in url:
        return url
    parsed = make_url(url)
    query = dict(parsed.query)
    mode = query.pop("sslmode", None)
    if mode is None:
        return url
    query.setdefault("ssl", mode)
    return parsed.set(query=query).render_as_string(hide_password=False)


def new_engine(url: str, **kwargs: Any) -> AsyncEngine:
    """An async engine with the per-connection settings each database needs."""
    url = driver_url(url)
    if is_sqlite(url):
        # SQLite has one writer: one connection per process makes requests queue in the pool (up to
        # pool_timeout) instead of racing for the file lock and failing after the busy timeout.
        options = {"pool_size": 1, "max_overflow": 0, "pool_timeout": 60} | kwargs
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **options)
        event.listen(engine.sync_engine, "connect", _configure_sqlite)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
        return engine
    return create_async_engine(url, pool_pre_ping=True, **kwargs)


def new_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def _configure_sqlite(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    # Foreign keys are off unless asked for on every connection; WAL lets readers run beside the
    # one writer. The driver's own BEGIN handling is disabled so we can issue BEGIN IMMEDIATE.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(connection: Connection) -> None:
    # Take the write lock when the transaction starts, not at its first write: two writers then
    # queue on busy_timeout instead of failing with "database is locked" half way through.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
