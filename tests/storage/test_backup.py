"""`cqcbot db backup` (SQLite's online backup, while the bot writes) and `cqcbot db restore-check`
(a backup's schema revision and row counts), on both databases where a database is involved."""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner, Result

from bot.cli.main import app
from storage.migrate import head_revision
from tests.bot.delivery.helpers import add_people, enqueue_prompts


def cqcbot(*args: str, database_url: str) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(DATABASE_URL=database_url, MicrosoftAppId="", COLUMNS="200")
    return CliRunner().invoke(app, list(args), env=env)


def row_count(output: str, table: str) -> int:
    found = re.search(rf"│ {table}\s+│ ([\d,]+)", output)
    assert found, output
    return int(found.group(1).replace(",", ""))


def backup_files(directory: Path) -> list[str]:
    return [p.name for p in directory.iterdir() if "backup" in p.name]


async def test_a_backup_taken_while_the_bot_writes_is_whole_and_current(
    sessions: async_sessionmaker[AsyncSession], database_url: str, tmp_path: Path
) -> None:
    if not database_url.startswith("sqlite"):
        result = cqcbot("db", "backup", str(tmp_path / "b.db"), database_url=database_url)
        assert result.exit_code == 2
        assert "pg_dump" in result.output and "Traceback" not in result.output
        return
    people = await add_people(sessions, 30, "http://127.0.0.1:1")
    writing = asyncio.Event()

    async def keep_writing() -> int:
        written = 0
        while not writing.is_set():
            await enqueue_prompts(sessions, people[:5], scope=f"round-{written}")
            written += 5
            await asyncio.sleep(0)
        return written

    writer = asyncio.create_task(keep_writing())
    target = tmp_path / "backup.db"
    try:
        result = await asyncio.to_thread(cqcbot, "db", "backup", str(target), database_url=database_url)
    finally:
        writing.set()
        written = await writer
    assert result.exit_code == 0, result.output
    assert f"Backed up to {target}" in result.output

    check = await asyncio.to_thread(cqcbot, "db", "restore-check", str(target), database_url=database_url)
    assert check.exit_code == 0, check.output
    assert f"schema revision {head_revision(database_url)}, the code's head" in check.output
    assert row_count(check.output, "person") == 30
    in_backup = row_count(check.output, "outbox")
    assert in_backup % 5 == 0 and in_backup <= written  # whole transactions only
    # One self-contained file, and no partial copy left beside it.
    assert backup_files(tmp_path) == ["backup.db"]


async def test_restore_check_reads_a_restored_database_by_its_url(
    sessions: async_sessionmaker[AsyncSession], database_url: str
) -> None:
    people = await add_people(sessions, 4, "http://127.0.0.1:1")
    await enqueue_prompts(sessions, people)
    result = await asyncio.to_thread(cqcbot, "db", "restore-check", database_url, database_url=database_url)
    assert result.exit_code == 0, result.output
    assert (row_count(result.output, "person"), row_count(result.output, "outbox")) == (4, 4)
    assert "the code's head" in result.output


def test_restore_check_explains_what_is_not_a_backup(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.txt"
    not_a_database.write_text("these are not the tables you are looking for\n" * 100)
    empty = tmp_path / "empty.db"
    empty.touch()
    cases = [
        (not_a_database, "cannot read"),
        (tmp_path / "missing.db", "is not a file"),
        (empty, "no schema revision"),
    ]
    for path, message in cases:
        result = cqcbot("db", "restore-check", str(path), database_url="sqlite+aiosqlite:///./unused.db")
        assert result.exit_code == 1, result.output
        assert message in result.output and "Traceback" not in result.output
    assert empty.stat().st_size == 0  # checking opened it read-only


def test_backup_refuses_to_overwrite_or_to_copy_what_is_not_there(tmp_path: Path, sqlite_template: Path) -> None:
    existing = tmp_path / "taken.db"
    existing.write_bytes(b"keep me")
    url = f"sqlite+aiosqlite:///{sqlite_template}"
    result = cqcbot("db", "backup", str(existing), database_url=url)
    assert result.exit_code == 2 and "exists already" in result.output
    assert existing.read_bytes() == b"keep me"
    result = cqcbot("db", "backup", str(tmp_path / "b.db"), database_url=f"sqlite+aiosqlite:///{tmp_path}/none.db")
    assert result.exit_code == 2 and "nothing to back up" in result.output


@pytest.mark.parametrize("shown", ["postgresql+asyncpg://bot:hunter2@127.0.0.1:9/nowhere"])
def test_an_unreachable_database_is_a_message_without_its_password(shown: str) -> None:
    result = cqcbot("db", "restore-check", shown, database_url="sqlite+aiosqlite:///./unused.db")
    assert result.exit_code == 1
    assert "cannot read" in result.output and "hunter2" not in result.output
