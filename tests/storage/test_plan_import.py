"""Importing a plan into the database: round trip, upsert with audit, nothing half-imported."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import AuditEntry, ImprovementAction, ProgressUpdate
from storage.plan_file import load_plan_file
from storage.plan_import import import_plan
from storage.plan_queries import load_plan
from tests.conftest import EXAMPLE_PLAN
from tests.storage import plan_files

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


async def _import(sessions: async_sessionmaker[AsyncSession], path: Path):  # type: ignore[no-untyped-def]
    async with sessions.begin() as session:
        return await import_plan(session, load_plan_file(path), actor="test", now=NOW)


async def _count(sessions: async_sessionmaker[AsyncSession], model: type) -> int:
    async with sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_import_round_trips(sessions: async_sessionmaker[AsyncSession]) -> None:
    summary = await _import(sessions, EXAMPLE_PLAN)
    assert summary.created["action"] == 27 and summary.created["metric"] == 5
    async with sessions() as session:
        stored = await load_plan(session)
    original = load_plan_file(EXAMPLE_PLAN)
    assert stored is not None
    assert stored.people == original.people
    assert stored.themes == original.themes
    assert stored.metrics == original.metrics
    assert stored.schedule == original.schedule
    # Progress written in the plan is history, not part of the action itself.
    expected = [
        a.__class__(**{**vars(a), "progress": (), "delegates": tuple(sorted(a.delegates))}) for a in original.actions
    ]
    assert expected == list(stored.actions)
    assert await _count(sessions, ProgressUpdate) == 24


async def test_reimport_is_an_upsert_that_audits_only_changes(
    sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    await _import(sessions, EXAMPLE_PLAN)
    audit_before = await _count(sessions, AuditEntry)

    summary = await _import(sessions, EXAMPLE_PLAN)
    assert summary.created == {} and summary.updated == {}
    assert await _count(sessions, AuditEntry) == audit_before
    assert await _count(sessions, ProgressUpdate) == 24  # not duplicated

    document = plan_files.example_document()
    document["actions"][0]["rag"] = "red"
    document["actions"][0]["delegates"] = ["sarah.whitfield@halton.example"]
    summary = await _import(sessions, plan_files.write_yaml(tmp_path / "changed.yaml", document))
    assert summary.updated == {"action": 1}
    async with sessions() as session:
        entry = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.entity == "action").order_by(AuditEntry.id.desc())
            )
        ).first()
        assert entry is not None
        assert entry.entity_id == document["actions"][0]["ref"]
        assert entry.before == {"rag": "green", "delegates": ["gareth.hughes@halton.example"]}
        assert entry.after == {"rag": "red", "delegates": ["sarah.whitfield@halton.example"]}
        assert entry.actor == "test"
        action = await session.scalar(select(ImprovementAction).where(ImprovementAction.ref == entry.entity_id))
        assert action is not None and action.rag == "red"


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "MicrosoftAppId": ""}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


async def test_cli_bad_file_exits_non_zero_and_changes_nothing(
    database_url: str, sessions: async_sessionmaker[AsyncSession], tmp_path: Path
) -> None:
    result = _cli(database_url, "plan", "import", str(EXAMPLE_PLAN))
    assert result.returncode == 0, result.stderr
    audit_before = await _count(sessions, AuditEntry)

    document = plan_files.example_document()
    document["actions"][0]["owner"] = "ghost@halton.example"
    document["actions"][1]["rag"] = "purple"
    bad = plan_files.write_yaml(tmp_path / "bad.yaml", document)
    result = _cli(database_url, "plan", "import", str(bad))
    assert result.returncode == 1
    assert "2 errors; nothing was imported" in result.stderr
    assert "actions[0].owner" in result.stderr and "actions[1].rag" in result.stderr
    assert "Traceback" not in result.stderr
    assert await _count(sessions, AuditEntry) == audit_before


async def test_cli_show_lists_the_plan(database_url: str, example_plan: None) -> None:
    result = _cli(database_url, "plan", "show")
    assert result.returncode == 0, result.stderr
    assert "4 themes · 9 quality statements · 27 actions · 5 metrics" in result.stdout
    assert "DoLS applications awaiting assessment" in result.stdout
    assert "WWP-01" in result.stdout and "LEAD-04" in result.stdout


def test_cli_refuses_an_unmigrated_database(tmp_path: Path) -> None:
    result = _cli(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", "plan", "show")
    assert result.returncode == 2
    assert "run `cqcbot db upgrade` first" in result.stdout + result.stderr
