"""`plan export` writes the stored plan in the import format: importing an export changes nothing, on the
example plan and on a generated 2,000-action plan, and an export edited in Excel imports just the edits."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.plan_file import read_plan_file
from storage.plan_file.export import plan_document, to_xlsx, to_yaml
from storage.plan_import import ImportSummary, import_plan
from storage.plan_queries import load_plan, plan_progress
from tests.conftest import EXAMPLE_PLAN
from tests.storage import plan_files

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)
Sessions = async_sessionmaker[AsyncSession]


async def import_file(sessions: Sessions, path: Path) -> ImportSummary:
    read = read_plan_file(path)
    async with sessions.begin() as session:
        return await import_plan(session, read.plan, actor="test", now=NOW, complete=read.complete)


async def export(sessions: Sessions, path: Path) -> Path:
    async with sessions() as session:
        plan = await load_plan(session)
        assert plan is not None
        document = plan_document(plan, await plan_progress(session, plan.timezone))
    content = to_xlsx(document) if path.suffix == ".xlsx" else to_yaml(document).encode("utf-8")
    await asyncio.to_thread(path.write_bytes, content)
    return path


def generated_plan(actions: int) -> dict[str, Any]:
    """A large plan in the example's shape: many actions over the example's themes, owners and metrics."""
    document = plan_files.example_document()
    people = [p["email"] for p in document["people"]]
    statements = [(t["id"], q["id"]) for t in document["themes"] for q in t["quality_statements"]]
    document["actions"] = [
        {
            "ref": f"GEN-{n:04d}",
            "theme": statements[n % len(statements)][0],
            "quality_statement": statements[n % len(statements)][1] if n % 5 else None,
            "requirement": f"Generated requirement {n}: improve the waiting list for people’s assessments",
            "owner": people[n % len(people)],
            "delegates": [people[(n + 1) % len(people)]] if n % 3 == 0 else [],
            "due": date(2026, 1 + n % 12, 1 + n % 28).isoformat() if n % 7 else None,
            "status": ("not_started", "in_progress", "complete", "withdrawn")[n % 4],
            "rag": ("green", "amber", "red", None)[n % 4],
            "progress": [{"date": "2026-02-12", "rag": "amber", "narrative": f"Started {n}."}] if n % 2 else [],
        }
        for n in range(actions)
    ]
    return document


@pytest.mark.parametrize("fmt", ["xlsx", "yaml"])
async def test_importing_an_export_of_the_example_changes_nothing(sessions: Sessions, tmp_path: Path, fmt: str) -> None:
    await import_file(sessions, EXAMPLE_PLAN)
    again = await import_file(sessions, await export(sessions, tmp_path / f"plan.{fmt}"))
    assert not again.changed, again.changes
    assert again.seen["action"] == 27 and again.unchanged("progress_update") == 24


async def test_a_2000_action_plan_round_trips_through_xlsx_and_yaml(sessions: Sessions, tmp_path: Path) -> None:
    first = await import_file(sessions, plan_files.write_yaml(tmp_path / "big.yaml", generated_plan(2_000)))
    assert first.created["action"] == 2_000
    for fmt in ("xlsx", "yaml"):
        again = await import_file(sessions, await export(sessions, tmp_path / f"export.{fmt}"))
        assert not again.changed, (fmt, again.changes[:3])
        assert again.unchanged("action") == 2_000


async def test_an_export_edited_in_excel_imports_just_the_edits(sessions: Sessions, tmp_path: Path) -> None:
    await import_file(sessions, EXAMPLE_PLAN)
    path = await export(sessions, tmp_path / "plan.xlsx")
    book = load_workbook(path)
    actions = book["Actions"]
    header = [c.value for c in actions[1]]
    actions.cell(row=2, column=header.index("Due") + 1, value=date(2026, 9, 30))
    actions.cell(row=3, column=header.index("RAG") + 1, value="red")
    actions.cell(row=4, column=header.index("Status") + 1, value="withdrawn")
    book.save(path)
    summary = await import_file(sessions, path)
    assert summary.updated == {"action": 3}
    changes = {(c.key, f.field): (f.before, f.after) for c in summary.changes for f in c.fields}
    refs = [row[0].value for row in actions.iter_rows(min_row=2, max_row=4)]
    assert changes == {
        (refs[0], "due"): ("2026-03-31", "2026-09-30"),
        (refs[1], "rag"): ("green", "red"),
        (refs[2], "status"): ("in_progress", "withdrawn"),
    }
