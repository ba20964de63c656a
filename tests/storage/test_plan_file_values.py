"""Every invalid value is named with its place, field and reason; a missing column is an error; CSV as
Excel writes it; YAML bounded. No database: these are the readers' answers."""

from __future__ import annotations

import copy
import csv
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from storage.plan_file import PlanFileInvalid, load_plan_file, plan_to_document, read_plan_file
from storage.plan_file import load as load_module
from tests.conftest import EXAMPLE_PLAN
from tests.storage import plan_files


def errors_of(path: Path, base: dict[str, Any] | None = None) -> list[str]:
    with pytest.raises(PlanFileInvalid) as raised:
        load_plan_file(path, base=base)
    return [str(e) for e in raised.value.errors]


def stored() -> dict[str, Any]:
    return plan_to_document(load_plan_file(EXAMPLE_PLAN))


# --- dates ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("quote", ["", '"'])
def test_impossible_dates_in_yaml_are_named_and_explained_quoted_or_not(tmp_path: Path, quote: str) -> None:
    document = plan_files.example_document()
    document["actions"][0]["due"] = "SLOT_DUE"
    document["actions"][2]["progress"][0]["date"] = "SLOT_PROGRESS"
    document["metrics"][0]["baseline"]["date"] = "SLOT_BASELINE"
    path = plan_files.write_yaml(tmp_path / "plan.yaml", document)
    text = path.read_text("utf-8")
    for slot, value in (("SLOT_DUE", "2026-02-30"), ("SLOT_PROGRESS", "2026-04-31"), ("SLOT_BASELINE", "2025-13-01")):
        text = text.replace(slot, f"{quote}{value}{quote}")
    path.write_text(text, "utf-8")
    errors = errors_of(path)
    assert any(": actions[0].due: 2026-02-30: February 2026 has 28 days" in e for e in errors), errors
    assert any(": actions[2].progress[0].date: 2026-04-31: April 2026 has 30 days" in e for e in errors), errors
    assert any(": metrics[0].baseline.date: 2025-13-01: there is no month 13" in e for e in errors), errors
    assert all("plan.yaml: line " in e for e in errors)
    lines = [int(e.split("line ")[1].split(":")[0]) for e in errors]
    assert lines == sorted(lines), "errors come in file order"
    assert len(errors) == len(set(errors)) == 3, "each error once"
    for value, line in zip(("2026-02-30", "2026-04-31", "2025-13-01"), lines, strict=True):
        assert value in text.splitlines()[line - 1], "the line named is the value's own"


def test_dates_in_xlsx_text_cells_and_in_csv_are_checked_like_yaml(tmp_path: Path) -> None:
    document = plan_files.example_document()
    document["actions"][1]["due"] = "30/02/2026"  # a text cell in Excel's day-first form
    document["actions"][2]["due"] = "2026-11-31"
    document["actions"][3]["due"] = "31/03/2026"  # valid day-first: read as 2026-03-31
    document["metrics"][0]["target"]["date"] = "2026-02-29"
    path = plan_files.write_xlsx(tmp_path / "plan.xlsx", document)
    errors = errors_of(path)
    assert errors == [
        f"{path}: sheet Actions, row 3: actions[1].due: 30/02/2026: February 2026 has 28 days",
        f"{path}: sheet Actions, row 4: actions[2].due: 2026-11-31: November 2026 has 30 days",
        f"{path}: sheet Metrics, row 2: metrics[0].target.date: 2026-02-29: February 2026 has 28 days",
    ]

    actions = copy.deepcopy(document["actions"][:4])
    actions[1]["due"] = "2026-02-29"
    errors = errors_of(plan_files.write_csv(tmp_path / "actions.csv", actions), base=stored())
    assert [e.split(": ", 1)[1] for e in errors] == [
        "row 3: actions[1].due: 2026-02-29: February 2026 has 28 days",
        "row 4: actions[2].due: 2026-11-31: November 2026 has 30 days",
    ]
    document["actions"][1]["due"] = document["actions"][2]["due"] = document["metrics"][0]["target"]["date"] = None
    document["metrics"][0]["target"]["date"] = "2026-03-31"
    plan = load_plan_file(plan_files.write_xlsx(tmp_path / "good.xlsx", document))
    assert plan.actions[3].due == date(2026, 3, 31)


def test_excel_date_cells_are_read_as_dates(tmp_path: Path) -> None:
    path = plan_files.write_xlsx(tmp_path / "plan.xlsx", plan_files.example_document())
    book = load_workbook(path)
    book["Actions"]["G2"] = date(2026, 6, 30)
    book.save(path)
    assert load_plan_file(path).actions[0].due == date(2026, 6, 30)


def test_long_values_are_cut_in_the_message(tmp_path: Path) -> None:
    document = plan_files.example_document()
    document["actions"][0]["rag"] = "purple" * 10_000
    [error] = errors_of(plan_files.write_yaml(tmp_path / "plan.yaml", document))
    assert "actions[0].rag: 'purplepurple" in error and "(60,002 characters)" in error
    assert len(error) < 300


# --- columns -------------------------------------------------------------------------------------


def _rename_header(path: Path, sheet: str, old: str, new: str | None) -> None:
    book = load_workbook(path)
    for cell in book[sheet][1]:
        if cell.value == old:
            if new is None:
                book[sheet].delete_cols(cell.column)
            else:
                cell.value = new
            break
    book.save(path)


def test_a_missing_column_is_one_error_naming_the_nearest_header(tmp_path: Path) -> None:
    path = plan_files.write_xlsx(tmp_path / "plan.xlsx", plan_files.example_document())
    _rename_header(path, "Actions", "Due", "Deadline")
    _rename_header(path, "Actions", "Owner", None)
    errors = errors_of(path)
    assert f"{path}: sheet Actions, row 1: owner: no column 'Owner'" in errors
    assert any("due: no column 'Due'" in e and "unknown column 'Deadline'" not in e for e in errors)
    assert any("unknown column 'Deadline'" in e for e in errors)
    assert len(errors) == 3, "reported once, not once per row"

    path = plan_files.write_xlsx(tmp_path / "typo.xlsx", plan_files.example_document())
    _rename_header(path, "Actions", "Due", "Dew")
    assert any("no column 'Due'; did you mean 'Dew'?" in e for e in errors_of(path))


def test_a_missing_column_in_a_csv_is_an_error_not_blanks(tmp_path: Path) -> None:
    path = tmp_path / "actions.csv"
    actions = plan_files.example_document()["actions"][:2]
    plan_files.write_csv(path, actions)
    rows = list(csv.reader(path.read_text("utf-8").splitlines()))
    due = rows[0].index("Due")
    path.write_text("\n".join(",".join(f'"{c}"' for i, c in enumerate(r) if i != due) for r in rows), "utf-8")
    assert errors_of(path, base=stored()) == [f"{path}: row 1: due: no column 'Due'"]


def test_a_blank_cell_in_a_present_column_clears_that_field(tmp_path: Path) -> None:
    document = plan_files.example_document()
    document["actions"][0]["due"] = None
    document["actions"][0]["rag"] = None
    plan = load_plan_file(plan_files.write_xlsx(tmp_path / "plan.xlsx", document))
    assert plan.actions[0].due is None and plan.actions[0].rag is None


# --- CSV as Excel writes it ----------------------------------------------------------------------


def _csv_text(actions: list[dict[str, Any]], delimiter: str = ",") -> str:
    from io import StringIO

    buffer = StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(plan_files.ACTION_HEADER)
    for action in actions:
        writer.writerow(["" if v is None else v for v in plan_files._action_row(action)])
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("encoding", "delimiter", "said"),
    [
        ("utf-8-sig", ",", "read as UTF-8 (with byte-order mark) text, comma-separated"),
        ("utf-8", ";", "read as UTF-8 text, semicolon-separated"),
        ("cp1252", ",", "read as Windows-1252 text, comma-separated"),
    ],
)
def test_csv_encodings_and_delimiters_excel_writes(tmp_path: Path, encoding: str, delimiter: str, said: str) -> None:
    actions = copy.deepcopy(plan_files.example_document()["actions"][:2])
    actions[0]["requirement"] = "Carers’ assessments – reviewed £ monthly"  # curly quote, en dash (0x96), pound
    path = tmp_path / "actions.csv"
    path.write_bytes(_csv_text(actions, delimiter).encode(encoding))
    read = read_plan_file(path, base=stored())
    assert read.plan.actions[0].requirement == "Carers’ assessments – reviewed £ monthly"
    assert read.notes == (f"{path}: {said}.",)
    assert not read.complete


@pytest.mark.parametrize(
    ("content", "hint"),
    [
        ("\ufeffRef\tTheme\tOwner\n".encode("utf-16"), "UTF-16"),
        (b"Ref\tTheme\tOwner\tDue\nWWP-01\tworking-with-people\ta@b.c\t2026-01-01\n", "commas or semicolons"),
        (b"PK\x03\x04rest-of-a-zip", "rename it to .xlsx"),
    ],
)
def test_other_csv_files_get_a_hint(tmp_path: Path, content: bytes, hint: str) -> None:
    path = tmp_path / "actions.csv"
    path.write_bytes(content)
    [error] = errors_of(path, base=stored())
    assert hint in error and "CSV UTF-8" in error


# --- YAML safety ---------------------------------------------------------------------------------


def test_an_alias_bomb_is_refused_before_it_expands(tmp_path: Path) -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    [error] = errors_of(path)
    assert "bomb.yaml: file: (aliases): its aliases expand" in error and "write the values out instead" in error

    path.write_text("people: &p [*p]\n", "utf-8")
    [error] = errors_of(path)
    assert "refers to the value it is part of" in error


def test_a_modest_alias_is_still_allowed(tmp_path: Path) -> None:
    text = EXAMPLE_PLAN.read_text("utf-8").replace("schedule:", "schedule: &defaults", 1)
    path = tmp_path / "plan.yaml"
    path.write_text(text, "utf-8")
    assert load_plan_file(path).organisation


def test_unsafe_tags_and_oversized_files_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("organisation: !!python/object/apply:os.system ['echo hi']\n", "utf-8")
    [error] = errors_of(path)
    assert "not valid YAML" in error

    monkeypatch.setattr(load_module, "MAX_FILE_BYTES", 1_000)
    [error] = errors_of(EXAMPLE_PLAN)
    assert "is larger than a plan file may be (1,000 bytes)" in error
