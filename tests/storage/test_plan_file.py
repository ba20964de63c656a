"""Plan files: every format reads to the same plan; every class of bad file is reported, located."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest

from domain.model import Direction, Rag
from storage.plan_file import PlanFileInvalid, load_plan_file, plan_to_document
from storage.plan_file.load import plan_schema
from tests.conftest import EXAMPLE_PLAN
from tests.storage import plan_files

REPO = Path(__file__).resolve().parents[2]


def test_example_plan_has_the_seed_reports_shape() -> None:
    plan = load_plan_file(EXAMPLE_PLAN)
    assert [t.name for t in plan.themes] == [
        "Working with People",
        "Providing Support",
        "How the local authority ensures safety within the system",
        "Leadership",
    ]
    scores = {q.name: q.score for t in plan.themes for q in t.quality_statements}
    assert len(scores) == 9
    assert scores["Assessing people's needs"] == 2 and scores["Safeguarding"] == 3
    requirements = [a for a in plan.actions if not a.stretch]
    assert len(requirements) == 24 and [a.ref for a in plan.actions if a.stretch] == ["STR-01", "STR-02", "STR-03"]
    assert all(a.progress for a in requirements), "every requirement carries the board report's progress"
    assert all(q.lead for t in plan.themes for q in t.quality_statements), "every statement has a lead"
    assert {m.id for m in plan.metrics} == {
        "care-plan-reviews-waiting",
        "ot-assessments-waiting",
        "financial-assessments-waiting",
        "carers-assessments-waiting",
        "dols-backlog",
    }
    assert all(m.direction is Direction.DOWN for m in plan.metrics)


def test_published_schema_is_the_one_the_importer_uses() -> None:
    import json

    assert json.loads((REPO / "docs" / "plan.schema.json").read_text("utf-8")) == plan_schema()


def test_xlsx_reads_to_the_same_plan_as_yaml(tmp_path: Path) -> None:
    document = plan_files.example_document()
    from_yaml = load_plan_file(EXAMPLE_PLAN)
    from_xlsx = load_plan_file(plan_files.write_xlsx(tmp_path / "plan.xlsx", document))
    assert from_xlsx.people == from_yaml.people
    assert from_xlsx.themes == from_yaml.themes
    assert from_xlsx.metrics == from_yaml.metrics
    assert from_xlsx.schedule == from_yaml.schedule
    assert [a.ref for a in from_xlsx.actions] == [a.ref for a in from_yaml.actions]
    for a, b in zip(from_xlsx.actions, from_yaml.actions, strict=True):
        assert (a.owner, a.due, a.status, a.rag, a.delegates, a.stretch) == (
            b.owner,
            b.due,
            b.status,
            b.rag,
            b.delegates,
            b.stretch,
        )
        assert a.progress[:1] == b.progress[:1]


def test_csv_merges_actions_into_the_stored_plan(tmp_path: Path) -> None:
    stored = plan_to_document(load_plan_file(EXAMPLE_PLAN))
    changed = copy.deepcopy(plan_files.example_document()["actions"][0])
    changed["rag"] = "amber"
    new = {**changed, "ref": "WWP-10", "requirement": "A new requirement from the spreadsheet", "progress": []}
    plan = load_plan_file(plan_files.write_csv(tmp_path / "actions.csv", [changed, new]), base=stored)
    assert len(plan.actions) == 28
    assert plan.actions[0].rag is Rag.AMBER
    assert plan.actions[-1].ref == "WWP-10"


def test_a_csv_merge_keeps_the_stored_schedule_and_group_channel(tmp_path: Path) -> None:
    read = load_plan_file(EXAMPLE_PLAN)
    stored = dataclasses.replace(
        read,
        group_channel="19:working-group@thread.tacv2",
        schedule=dataclasses.replace(read.schedule, progress_deadline_working_day=7),
    )
    actions = plan_files.example_document()["actions"][:1]
    plan = load_plan_file(plan_files.write_csv(tmp_path / "actions.csv", actions), base=plan_to_document(stored))
    assert plan.group_channel == "19:working-group@thread.tacv2"
    assert plan.schedule.progress_deadline_working_day == 7


def test_csv_alone_is_refused_with_a_clear_reason(tmp_path: Path) -> None:
    path = plan_files.write_csv(tmp_path / "actions.csv", plan_files.example_document()["actions"][:1])
    with pytest.raises(PlanFileInvalid, match="import a full YAML or XLSX plan first"):
        load_plan_file(path)


def _errors(path: Path, base: dict | None = None) -> list[str]:
    with pytest.raises(PlanFileInvalid) as raised:
        load_plan_file(path, base=base)
    return [str(e) for e in raised.value.errors]


def test_yaml_errors_name_file_line_and_field_and_all_are_reported(tmp_path: Path) -> None:
    text = EXAMPLE_PLAN.read_text("utf-8")
    text = text.replace("status: in_progress", "status: half_done", 1)
    text = text.replace("due: 2026-03-31", "due: 31/03/2026", 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    errors = _errors(path)
    assert len(errors) == 2
    assert any("bad.yaml: line " in e and "actions[0].status" in e and "half_done" in e for e in errors)
    assert any("actions[0].due" in e for e in errors)
    line = int(errors[0].split("line ")[1].split(":")[0])
    assert text.splitlines()[line - 1].strip().startswith(("status:", "due:"))


@pytest.mark.parametrize(
    ("mutate", "field", "message"),
    [
        (lambda d: d["actions"][3].update(owner="nobody@halton.example"), "actions[3].owner", "not in people"),
        (lambda d: d["actions"][2].update(theme="no-such-theme"), "actions[2].theme", "unknown theme"),
        (
            lambda d: d["actions"][1].update(quality_statement="safeguarding"),
            "actions[1].quality_statement",
            "is not a quality statement of theme",
        ),
        (lambda d: d["actions"][5].update(ref=d["actions"][4]["ref"]), "actions[5].ref", "listed twice"),
        (
            lambda d: d["themes"][0]["quality_statements"][0].update(score=5),
            "themes[0].quality_statements[0].score",
            "5 is out of range: it must be at most 4",
        ),
        (lambda d: d["metrics"][0].update(direction="sideways"), "metrics[0].direction", "'sideways'"),
        (lambda d: d["metrics"][1]["target"].update(date="2025-01-01"), "metrics[1].target.date", "after the baseline"),
        (lambda d: d["people"][0].update(email="not-an-email"), "people[0].email", "expected form"),
        (lambda d: d["people"].append(dict(d["people"][0])), "people[10].email", "listed twice"),
        (lambda d: d["actions"][0].pop("requirement"), "actions[0].requirement", "missing (required)"),
        (lambda d: d["actions"][0].update(colour="blue"), "actions[0].colour", "unknown field"),
        (lambda d: d.update(timezone="Mars/Olympus"), "timezone", "unknown time zone"),
        (lambda d: d["schedule"].update(cycle_open_time="25:00"), "schedule.cycle_open_time", "expected form"),
    ],
)
def test_every_class_of_bad_yaml_is_named(tmp_path: Path, mutate, field: str, message: str) -> None:  # type: ignore[no-untyped-def]
    document = plan_files.example_document()
    mutate(document)
    errors = _errors(plan_files.write_yaml(tmp_path / "plan.yaml", document))
    assert any(f": {field}: " in e and message in e and "plan.yaml: line " in e for e in errors), errors


def test_syntax_errors_and_unreadable_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text("organisation: [unclosed\npeople: []\n", "utf-8")
    [error] = _errors(broken)
    assert "broken.yaml: line" in error and "not valid YAML" in error

    binary = tmp_path / "binary.yaml"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert "not UTF-8" in _errors(binary)[0]

    assert "unsupported file type" in _errors(tmp_path / "plan.docx")[0]
    assert "cannot read" in _errors(tmp_path / "missing.yaml")[0]

    not_xlsx = tmp_path / "fake.xlsx"
    not_xlsx.write_text("hello", "utf-8")
    assert "not a readable .xlsx" in _errors(not_xlsx)[0]


def test_xlsx_errors_name_sheet_row_and_field(tmp_path: Path) -> None:
    document = plan_files.example_document()
    document["actions"][4]["owner"] = "ghost@halton.example"
    document["actions"][6]["status"] = "finished"
    errors = _errors(plan_files.write_xlsx(tmp_path / "plan.xlsx", document))
    assert any("sheet Actions, row 6: actions[4].owner: ghost@halton.example is not in people" in e for e in errors)
    assert any("sheet Actions, row 8: actions[6].status" in e for e in errors)


def test_xlsx_missing_sheet_and_unknown_column(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    path = plan_files.write_xlsx(tmp_path / "plan.xlsx", plan_files.example_document())
    book = load_workbook(path)
    book["Actions"].cell(row=1, column=13, value="Colour")
    del book["People"]
    book.save(path)
    errors = _errors(path)
    assert any("workbook: people: missing sheet 'People'" in e for e in errors)


def test_csv_errors_name_the_row(tmp_path: Path) -> None:
    stored = plan_to_document(load_plan_file(EXAMPLE_PLAN))
    actions = copy.deepcopy(plan_files.example_document()["actions"][:3])
    actions[2]["due"] = "next spring"
    errors = _errors(plan_files.write_csv(tmp_path / "actions.csv", actions), base=stored)
    assert any("actions.csv: row 4: actions[2].due" in e for e in errors), errors
