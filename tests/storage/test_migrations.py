"""Migrations are the only way a schema is made: up, down and up again on both databases."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.engine import new_engine
from storage.migrate import downgrade, head_revision, upgrade
from storage.models import AuditEntry, Base
from tests import databases


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database(request: pytest.FixtureRequest, tmp_path):  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield databases.sqlite_url(tmp_path / "fresh.db")
        return
    admin = databases.postgres_admin_url()
    if admin is None:
        pytest.skip(f"set {databases.PG_ENV} to run the PostgreSQL variant")
    with databases.private_postgres_database(admin) as url:
        yield url


async def _tables(url: str) -> set[str]:
    engine = new_engine(url)
    try:
        async with engine.connect() as connection:
            return set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
    finally:
        await engine.dispose()


async def test_upgrade_creates_every_model_table_and_downgrade_removes_them(empty_database: str) -> None:
    await asyncio.to_thread(upgrade, empty_database)
    assert set(Base.metadata.tables) <= await _tables(empty_database)

    await asyncio.to_thread(downgrade, empty_database, "base")
    assert await _tables(empty_database) <= {"alembic_version"}

    await asyncio.to_thread(upgrade, empty_database)
    assert set(Base.metadata.tables) <= await _tables(empty_database)
    assert head_revision(empty_database) is not None


async def test_audit_log_is_append_only(engine) -> None:  # type: ignore[no-untyped-def]
    from storage.engine import new_sessionmaker

    sessions = new_sessionmaker(engine)
    async with sessions.begin() as session:
        session.add(
            AuditEntry(
                at=datetime.now(UTC),
                actor="test",
                entity="action",
                entity_id="WWP-01",
                change="update",
                before={"rag": "green"},
                after={"rag": "red"},
            )
        )
    for statement in ("UPDATE audit_log SET actor = 'someone else'", "DELETE FROM audit_log"):
        with pytest.raises((DBAPIError, IntegrityError)) as raised:
            async with engine.begin() as connection:
                await connection.execute(text(statement))
        assert "append-only" in str(raised.value)


async def test_sqlite_connections_enforce_foreign_keys_and_use_wal(engine, database_url: str) -> None:  # type: ignore[no-untyped-def]
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas")
    async with engine.connect() as connection:
        assert (await connection.execute(text("PRAGMA foreign_keys"))).scalar() == 1
        assert (await connection.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await connection.execute(text("PRAGMA busy_timeout"))).scalar() == 5000


async def test_migrations_build_exactly_the_schema_the_models_describe(engine) -> None:  # type: ignore[no-untyped-def]
    """A model change without its migration (or the reverse) fails here, on both databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    async with engine.connect() as connection:
        differences = await connection.run_sync(
            lambda sync: compare_metadata(MigrationContext.configure(sync, opts={"compare_type": True}), Base.metadata)
        )
    assert differences == []
