"""Test databases: a migrated SQLite file copied per test, and a private PostgreSQL database.

PostgreSQL tests run when TEST_DATABASE_URL is set (CI sets it); each test run creates its own
database from that URL and drops it at the end, so concurrent runs cannot disturb each other.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

from storage.engine import new_engine
from storage.migrate import upgrade

PG_ENV = "TEST_DATABASE_URL"


def postgres_admin_url() -> str | None:
    return os.environ.get(PG_ENV) or None


async def _admin(url: str, statement: str) -> None:
    engine = new_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


@contextmanager
def private_postgres_database(admin_url: str) -> Iterator[str]:
    name = f"cqcbot_test_{uuid.uuid4().hex[:12]}"
    asyncio.run(_admin(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def migrated_sqlite_template(directory: Path) -> Path:
    template = directory / "template.db"
    upgrade(sqlite_url(template))
    return template


def fresh_sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / "test.db"
    shutil.copyfile(template, target)
    return sqlite_url(target)


async def empty_postgres_tables(url: str) -> None:
    """Every table emptied (TRUNCATE does not fire the audit log's row triggers)."""
    engine = new_engine(url)
    try:
        async with engine.begin() as connection:
            names = (
                (
                    await connection.execute(
                        text(
                            "SELECT tablename FROM pg_tables"
                            " WHERE schemaname = 'public' AND tablename <> 'alembic_version'"
                        )
                    )
                )
                .scalars()
                .all()
            )
            if names:
                await connection.execute(
                    text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE")
                )
    finally:
        await engine.dispose()
