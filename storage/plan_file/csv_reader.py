"""CSV plan files hold actions only (one row each); they are merged into the stored plan."""

from __future__ import annotations

import csv
import io

from storage.plan_file import tables
from storage.plan_file.errors import PlanFileError, PlanFileInvalid
from storage.plan_file.source import Path_, PlanSource


def read_csv(file: str, content: bytes) -> PlanSource:
    try:
        text = content.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError as exc:
        raise PlanFileInvalid([PlanFileError(file, "file", "(file)", f"not UTF-8 text: {exc}")]) from exc
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    all_rows = list(csv.reader(io.StringIO(text), dialect))
    if not all_rows:
        raise PlanFileInvalid([PlanFileError(file, "row 1", "(header)", "the file is empty")])
    errors: list[PlanFileError] = []
    body = [(number, list(values)) for number, values in enumerate(all_rows[1:], start=2)]
    rows = tables.rows_from(file, "", all_rows[0], body, tables.ACTION_COLUMNS, errors)
    if errors:
        raise PlanFileInvalid(errors)
    locations: dict[Path_, str] = {}
    actions = []
    for position, row in enumerate(rows):
        actions.append(tables.action_record(row))
        locations[("actions", position)] = f"row {row.number}"
    return PlanSource(file=file, data={"actions": actions}, locations=locations, fallback="file")
