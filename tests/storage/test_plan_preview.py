"""`plan import` on a database: the dry run shows exactly what would change, risky imports ask first,
nothing is deleted by omission, and withdrawing an action is explicit. On SQLite and PostgreSQL.

The tests are sync: each command runs its own event loop, as `cqcbot` does."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli_helpers import cqcbot, database_state, use_database
from tests.conftest import EXAMPLE_PLAN
from tests.storage import plan_files

Capture = pytest.CaptureFixture[str]


def summary_lines(output: str) -> list[str]:
    """The preview itself: without the file's note, the "Imported …" title and the dry run's last line."""
    return [line for line in output.splitlines() if not line.startswith(("Imported ", "Dry run", "/"))]


@pytest.fixture
def imported(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: Capture) -> str:
    use_database(monkeypatch, database_url)
    ran = cqcbot(capsys, "plan", "import", str(EXAMPLE_PLAN))
    assert ran.code == 0, ran.output
    return database_url


@pytest.mark.parametrize("fmt", ["yaml", "xlsx", "csv"])
def test_the_dry_run_shows_each_change_and_changes_nothing(
    imported: str, tmp_path: Path, capsys: Capture, fmt: str
) -> None:
    document = plan_files.example_document()
    document["actions"][0]["due"] = "2026-06-30"
    document["actions"][1]["rag"] = None  # a blank cell in a column that is there clears the field
    path = tmp_path / f"plan.{fmt}"
    if fmt == "yaml":
        plan_files.write_yaml(path, document)
    elif fmt == "xlsx":
        plan_files.write_xlsx(path, document)
    else:
        plan_files.write_csv(path, document["actions"][:2])
    before = database_state(imported)

    ran = cqcbot(capsys, "plan", "import", str(path), "--dry-run")
    assert ran.code == 0, ran.output
    assert "Actions: 0 created, 2 updated, " in ran.stdout  # piped: plain text
    assert "action WWP-01:\n  due: 2026-03-31 → 2026-06-30" in ran.stdout
    assert "action WWP-02:\n  rag: green → (blank)" in ran.stdout
    assert "Dry run: nothing was changed." in ran.stdout
    assert database_state(imported) == before

    real = cqcbot(capsys, "plan", "import", str(path))
    assert real.code == 0, real.output
    # The real import prints the same summary the dry run showed.
    assert summary_lines(real.stdout) == summary_lines(ran.stdout)
    assert "updated 17 action" not in real.stdout
    again = cqcbot(capsys, "plan", "import", str(path), "--dry-run")
    assert "0 updated" in again.stdout and "matches the stored plan" not in again.stdout


def test_an_import_that_clears_due_dates_needs_yes_when_not_interactive(
    imported: str, tmp_path: Path, capsys: Capture
) -> None:
    document = plan_files.example_document()
    document["actions"][3]["due"] = None
    path = plan_files.write_yaml(tmp_path / "plan.yaml", document)
    before = database_state(imported)
    refused = cqcbot(capsys, "plan", "import", str(path))
    assert refused.code == 1
    ref, was = plan_files.example_document()["actions"][3]["ref"], plan_files.example_document()["actions"][3]["due"]
    assert f"action {ref}:\n  due: {was} → (blank)" in refused.stdout
    assert f"clears the owner or due date of 1 action ({ref})" in refused.stderr and "--yes" in refused.stderr
    assert database_state(imported) == before
    done = cqcbot(capsys, "plan", "import", str(path), "--yes")
    assert done.code == 0 and "Actions: 0 created, 1 updated, 26 unchanged" in done.stdout


def test_changing_more_than_half_the_plan_needs_yes(imported: str, tmp_path: Path, capsys: Capture) -> None:
    document = plan_files.example_document()
    for action in document["actions"]:
        action["status"] = "in_progress" if action.get("status") != "in_progress" else "not_started"
    path = plan_files.write_yaml(tmp_path / "plan.yaml", document)
    refused = cqcbot(capsys, "plan", "import", str(path))
    assert refused.code == 1 and "changes more than half of the stored plan" in refused.stderr
    assert cqcbot(capsys, "plan", "import", str(path), "--yes").code == 0


def test_nothing_is_deleted_by_omission(imported: str, tmp_path: Path, capsys: Capture) -> None:
    document = plan_files.example_document()
    extra = {"name": "Pat Temporary", "email": "pat.temporary@halton.example", "roles": []}
    with_extra = plan_files.write_yaml(tmp_path / "extra.yaml", {**document, "people": [*document["people"], extra]})
    assert cqcbot(capsys, "plan", "import", str(with_extra)).code == 0
    dropped = document["actions"].pop(5)["ref"]
    metric = document["metrics"].pop()["id"]
    path = plan_files.write_yaml(tmp_path / "plan.yaml", document)
    before = database_state(imported)
    ran = cqcbot(capsys, "plan", "import", str(path))
    assert ran.code == 0, ran.output
    assert f"Not in the file — kept: 1 action: {dropped}" in ran.stdout
    assert f"Not in the file — kept: 1 metric: {metric}" in ran.stdout
    assert "Not in the file — kept: 1 person: pat.temporary@halton.example" in ran.stdout
    after = database_state(imported)
    for table in ("improvement_action", "metric", "person", "progress_update"):
        assert len(after[table]) == len(before[table])


def test_a_withdrawn_action_is_kept_and_no_longer_asked_about(imported: str, tmp_path: Path, capsys: Capture) -> None:
    document = plan_files.example_document()
    ref = document["actions"][0]["ref"]
    document["actions"][0]["status"] = "withdrawn"
    ran = cqcbot(capsys, "plan", "import", str(plan_files.write_yaml(tmp_path / "plan.yaml", document)))
    assert ran.code == 0 and f"action {ref}:\n  status: in_progress → withdrawn" in ran.stdout
    state = database_state(imported)
    audit = [row for row in state["audit_log"] if "withdrawn" in repr(row)]
    assert audit, "the withdrawal is in the audit log"

    opened = cqcbot(capsys, "round", "open", "--as-of", "2026-12-01T09:00")
    assert opened.code == 0, opened.output
    assert f"{ref}" not in opened.stdout
    digest = cqcbot(capsys, "digest", "--month", "2026-12", "--as-of", "2026-12-20T09:00", "--json")
    assert f"Withdrawn from the plan (1 action, kept in the history): {ref}" in digest.stdout
    report = cqcbot(capsys, "report", "--format", "md", "--month", "2026-12", "--as-of", "2026-12-20T09:00")
    assert "## Withdrawn actions (kept in the history, no longer reported on)" in report.stdout
    assert f"| {ref} |" in report.stdout.split("## Withdrawn actions")[1]
    assert f"| {ref} |" not in report.stdout.split("## Withdrawn actions")[0]
