"""Backups: SQLite's online backup of the live database, and a look inside a backup (or a restored
database) that says which schema revision it holds and how many rows each table has."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import inspect, select, table, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncConnection, create_async_engine

from storage.engine import driver_url, is_sqlite
from storage.migrate import head_revision
from storage.models import Base

PAGES_PER_STEP = 256  # copied between lock releases, so the serving bot keeps writing meanwhile


class BackupError(Exception):
    """What went wrong, in a sentence for the operator."""


def sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("DATABASE_URL names no SQLite file to back up")
    return Path(database)


def backup_sqlite(url: str, target: Path) -> int:
    """Copy the database at `url` to `target` with SQLite's online backup API: a consistent copy
    while the bot keeps serving. Written beside the target and renamed, so a failed backup leaves
    nothing half-written. Returns the size in bytes."""
    if not is_sqlite(url):
        raise BackupError("DATABASE_URL is PostgreSQL: back it up with pg_dump (README, Backups)")
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"{source} does not exist: nothing to back up")
    if target.exists():
        raise BackupError(f"{target} exists already: choose a new file name")
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise BackupError(f"{folder} is not a folder: create it first, or choose another place for the backup")
    try:
        handle, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=folder)
    except OSError as exc:
        raise BackupError(f"cannot write in {folder}: {exc.strerror}") from exc
    os.close(handle)
    try:
        with closing(sqlite3.connect(source)) as live, closing(sqlite3.connect(partial)) as copy:
            live.backup(copy, pages=PAGES_PER_STEP)
            # One self-contained file (the copy would otherwise inherit WAL mode and its side files).
            copy.execute("PRAGMA journal_mode=DELETE")
        os.replace(partial, target)
    except sqlite3.Error as exc:
        raise BackupError(f"the backup failed: {exc}") from exc
    finally:
        if os.path.exists(partial):
            os.unlink(partial)
    return target.stat().st_size


@dataclass(frozen=True)
class BackupSummary:
    revision: str | None  # None: no schema (not made by `cqcbot db upgrade`)
    head: str | None  # the revision this code needs
    rows: dict[str, int]  # table → rows, for every table the schema should have
    missing: list[str]  # tables the schema should have and the backup lacks
    shown: str  # the backup's name or its URL, without a password

    @property
    def current(self) -> bool:
        return self.revision == self.head and not self.missing


def read_only_url(location: str) -> str:
    """A database URL as given, or a SQLite file opened read-only (checking must not change it)."""
    if "://" in location:
        return location
    path = Path(location)
    if not path.is_file():
        raise BackupError(f"{location} is not a file")
    return f"sqlite+aiosqlite:///file:{quote(str(path.resolve()))}?mode=ro&uri=true"


async def summarise(location: str) -> BackupSummary:
    """Open a backup file (or a restored database's URL) and report its revision and row counts."""
    url = read_only_url(location)
    engine = create_async_engine(driver_url(url))
    try:
        async with engine.connect() as connection:
            return await _summary(connection, head_revision(url), _shown(location))
    except (SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise BackupError(f"cannot read {_shown(location)} as a bot database: {reason}") from exc
    finally:
        await engine.dispose()


def _shown(location: str) -> str:
    return make_url(location).render_as_string(hide_password=True) if "://" in location else location


async def _summary(connection: AsyncConnection, head: str | None, shown: str) -> BackupSummary:
    present = set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))
    revision = None
    if "alembic_version" in present:
        revision = await connection.scalar(text("SELECT version_num FROM alembic_version"))
    rows: dict[str, int] = {}
    missing: list[str] = []
    for name in sorted(Base.metadata.tables):
        if name not in present:
            missing.append(name)
            continue
        count = await connection.scalar(select(text("count(*)")).select_from(table(name)))
        rows[name] = int(count or 0)
    return BackupSummary(revision, head, rows, missing, shown)
