"""Property: a valid plan file mutated at random either imports, or exits non-zero with errors that each
name a place and a field — never a traceback, and never a partial import (the database is unchanged)."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests.cli_helpers import cqcbot, database_state, use_database
from tests.conftest import EXAMPLE_PLAN
from tests.storage import plan_files

# "FILE: WHERE: FIELD: REASON", WHERE being a line, a sheet and row, a row, or the file as a whole.
ERROR_LINE = re.compile(
    r"^  \S.*?: (line \d+(, column \d+)?|sheet \w+, row \d+|row \d+|file|workbook|stored plan): \S.*?: \S.*$"
)
BOUNDED = settings(
    max_examples=10,
    deadline=None,
    derandomize=True,  # the same examples every run: a failure here is reproducible, not flaky
    phases=[Phase.explicit, Phase.reuse, Phase.generate],  # no shrinking: a failure prints its draws as found
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2026-02-30", "2026-13-01", "31/02/2026", "2026-03-31", "", "x" * 5_000, "green", "withdrawn"]),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


def paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [at] if at else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += paths(value, (*at, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += paths(value, (*at, index))
    return found


def mutate(document: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    mutated = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        path = data.draw(st.sampled_from(paths(mutated)), label="path")
        parent = mutated
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans(), label="delete"):
            del parent[path[-1]]
        else:
            parent[path[-1]] = data.draw(values, label="value")
    return mutated


def check(ran: Any, before: dict[str, Any], url: str) -> None:
    assert "Traceback" not in ran.output and "unexpected error" not in ran.output, ran.output
    if ran.code == 0:
        return
    problems = [line for line in ran.stderr.splitlines() if line.startswith("  ")]
    assert problems, ran.output
    for line in problems:
        assert ERROR_LINE.match(line), line
    assert database_state(url) == before, "a refused import changed the database"


@pytest.fixture
def imported(database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> str:
    use_database(monkeypatch, database_url)
    assert cqcbot(capsys, "plan", "import", str(EXAMPLE_PLAN)).code == 0
    return database_url


@BOUNDED
@given(data=st.data())
def test_a_mutated_yaml_plan_imports_or_is_refused_whole(
    imported: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    document = mutate(plan_files.example_document(), data)
    path = tmp_path / "plan.yaml"
    try:
        plan_files.write_yaml(path, document)
    except Exception:  # a value YAML cannot represent: nothing to import
        return
    before = database_state(imported)
    check(cqcbot(capsys, "plan", "import", str(path), "--yes"), before, imported)


cells = st.one_of(
    st.none(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20).map(lambda t: "".join(c for c in t if c.isprintable())),
    st.dates(),
    st.sampled_from(["30/02/2026", "2026-13-01", "amber", "withdrawn", "=1+1"]),
)


@BOUNDED
@given(data=st.data())
def test_a_mutated_xlsx_plan_imports_or_is_refused_whole(
    imported: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], data: st.DataObject
) -> None:
    path = plan_files.write_xlsx(tmp_path / "plan.xlsx", plan_files.example_document())
    book = load_workbook(path)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        sheet = book[data.draw(st.sampled_from(book.sheetnames), label="sheet")]
        column = data.draw(st.integers(1, sheet.max_column), label="column")
        if data.draw(st.integers(0, 4), label="kind") == 0:
            sheet.delete_cols(column)
        else:
            row = data.draw(st.integers(1, sheet.max_row), label="row")
            sheet.cell(row=row, column=column, value=data.draw(cells, label="cell"))
    book.save(path)
    before = database_state(imported)
    check(cqcbot(capsys, "plan", "import", str(path), "--yes"), before, imported)
