"""XLSX plan workbooks: sheets Plan, People, Themes, Actions, Metrics (see README)."""

from __future__ import annotations

import io
import warnings
import zipfile
from typing import Any

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.worksheet import Worksheet

from storage.plan_file import tables
from storage.plan_file.errors import PlanFileError, PlanFileInvalid
from storage.plan_file.source import Path_, PlanSource

PLAN_KEYS = {"organisation", "timezone", "group_channel"}


def read_xlsx(file: str, content: bytes) -> PlanSource:
    # openpyxl warns about what it cannot read (a date serial out of range, an Excel extension): each
    # such cell then reads as an error value the validation names, so the warning is noise on top.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return _read_xlsx(file, content)


def _read_xlsx(file: str, content: bytes) -> PlanSource:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        reason = str(exc).splitlines()[0][:120] if str(exc) else type(exc).__name__
        message = f"not a readable .xlsx workbook ({reason}): save it from Excel as an Excel Workbook (.xlsx)"
        raise PlanFileInvalid([PlanFileError(file, "file", "(file)", message)]) from exc
    errors: list[PlanFileError] = []
    sheets = {name.strip().lower(): workbook[name] for name in workbook.sheetnames}
    for required in ("plan", "people", "themes", "actions"):
        if required not in sheets:
            errors.append(PlanFileError(file, "workbook", required, f"missing sheet {required.capitalize()!r}"))
    if errors:
        raise PlanFileInvalid(errors)

    data: dict[str, Any] = {}
    locations: dict[Path_, str] = {(): "workbook"}
    _read_plan_sheet(file, sheets["plan"], data, locations, errors)

    def rows(name: str, columns: tables.Columns) -> list[tables.Row]:
        header, body = _sheet_rows(sheets[name])
        return tables.rows_from(file, f"sheet {name.capitalize()}, ", header, body, columns, errors)

    def place(key: str, records: list[tuple[int, dict[str, Any]]]) -> None:
        data[key] = [record for _, record in records]
        for position, (row_number, record) in enumerate(records):
            where = f"sheet {key.capitalize()}, row {row_number}"
            locations[(key, position)] = where
            for field in record:
                locations[(key, position, field)] = where

    place("people", [(r.number, r.values) for r in rows("people", tables.PEOPLE)])
    theme_rows = rows("themes", tables.THEMES)
    themes, first_rows = tables.theme_records(theme_rows)
    place("themes", list(zip(first_rows.values(), themes, strict=True)))
    place("actions", [(r.number, tables.action_record(r)) for r in rows("actions", tables.ACTIONS)])
    if "metrics" in sheets:
        place("metrics", [(r.number, tables.metric_record(r)) for r in rows("metrics", tables.METRICS)])
    if errors:
        raise PlanFileInvalid(errors)
    return PlanSource(file=file, data=data, locations=locations, fallback="workbook")


def _sheet_rows(sheet: Worksheet) -> tuple[list[object], list[tuple[int, list[object]]]]:
    all_rows = list(sheet.iter_rows(values_only=True))
    if not all_rows:
        return [], []
    body: list[tuple[int, list[object]]] = [
        (number, list(values)) for number, values in enumerate(all_rows[1:], start=2)
    ]
    return list(all_rows[0]), body


def _read_plan_sheet(
    file: str, sheet: Worksheet, data: dict[str, Any], locations: dict[Path_, str], errors: list[PlanFileError]
) -> None:
    """Key/value rows: organisation, timezone, group_channel, and schedule settings by name."""
    schedule: dict[str, Any] = {}
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        if not values or values[0] is None:
            continue
        key = tables.header_key(values[0])
        value = tables.cell(key, values[1] if len(values) > 1 else None)
        if key in {"key", "setting"} or value is None:
            continue
        where = f"sheet Plan, row {number}"
        if key in PLAN_KEYS:
            data[key] = value
            locations[(key,)] = where
        else:
            if key in {"target_review_days_before", "self_assessment_months"} and isinstance(value, str):
                value = [tables.cell("score", part) for part in value.replace(";", ",").split(",")]
            schedule[key] = value
            locations[("schedule", key)] = where
    if schedule:
        data["schedule"] = schedule
