"""/healthz answers from the process; /readyz reads the database and its schema, 503 with the reason."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.runtime import build_runtime
from bot.web.app import create_app
from storage.migrate import upgrade
from tests import conftest, databases


async def _get(database_url: str, path: str) -> tuple[int, dict[str, str]]:
    runtime = build_runtime(conftest.test_settings(database_url))
    server = TestServer(create_app(runtime), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http, http.get(server.make_url(path)) as response:
            return response.status, await response.json()
    finally:
        await server.close()


async def test_both_answer_200_on_a_migrated_database(database_url: str) -> None:
    status, body = await _get(database_url, "/healthz")
    assert status == 200 and body["status"] == "ok"
    assert await _get(database_url, "/readyz") == (200, {"status": "ok", "database": "ok"})


async def test_a_corrupt_sqlite_file_is_not_ready(tmp_path: Path, sqlite_template: Path) -> None:
    url = databases.fresh_sqlite_copy(sqlite_template, tmp_path)
    target = tmp_path / "test.db"
    data = bytearray(target.read_bytes())
    data[100:] = b"\xde\xad" * ((len(data) - 100) // 2) + b"\x00" * ((len(data) - 100) % 2)
    target.write_bytes(bytes(data))
    status, body = await _get(url, "/readyz")
    assert status == 503 and "cannot be read" in body["database"] and "malformed" in body["database"]
    assert (await _get(url, "/healthz"))[0] == 200  # alive: a restart would not mend the file


async def test_a_missing_sqlite_file_is_not_ready_and_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "gone.db"
    status, body = await _get(databases.sqlite_url(missing), "/readyz")
    assert status == 503 and "does not exist" in body["database"]
    assert not missing.exists()


@pytest.fixture(params=["sqlite", "postgresql"])
def unmigrated_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of its own (the shared test databases stay at head)."""
    if request.param == "sqlite":
        (tmp_path / "old.db").touch()  # there, but empty
        yield databases.sqlite_url(tmp_path / "old.db")
        return
    admin = databases.postgres_admin_url()
    if admin is None:
        pytest.skip(f"set {databases.PG_ENV} to run the PostgreSQL variant")
    with databases.private_postgres_database(admin) as url:
        yield url


async def test_a_schema_behind_head_is_not_ready(unmigrated_url: str) -> None:
    status, body = await _get(unmigrated_url, "/readyz")
    assert status == 503 and body["database"] == "the database has no schema"
    await asyncio.to_thread(upgrade, unmigrated_url, "0003")
    status, body = await _get(unmigrated_url, "/readyz")
    assert status == 503 and "schema is at 0003" in body["database"]


async def test_a_closed_postgresql_port_is_not_ready() -> None:
    status, body = await _get("postgresql+asyncpg://cqcbot:secret@127.0.0.1:1/cqcbot", "/readyz")
    assert status == 503 and "cannot be read" in body["database"] and "secret" not in body["database"]
