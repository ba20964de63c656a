"""Spreadsheet rows (XLSX sheets, CSV) to plan-shaped data.

Councils keep action plans in Excel, so the tabular layout is one sheet per list with a header
row; a header may use the friendly name ("Improvement requirement") or the field name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from difflib import get_close_matches
from typing import Any

from storage.plan_file.errors import PlanFileError
from storage.plan_file.messages import date_parts, date_problem, shown

ALIASES = {
    "improvement_requirement": "requirement",
    "action_ref": "ref",
    "reference": "ref",
    "owner_email": "owner",
    "due_date": "due",
    "rag_status": "rag",
    "cqc_theme": "theme",
    "metric_id": "id",
    "metric": "name",
    "entra_object_id": "aad_object_id",
}

LIST_FIELDS = {"delegates", "roles"}
INT_FIELDS = {"score"}
BOOL_FIELDS = {"stretch"}
_TRUE, _FALSE = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}
NUMBER_FIELDS = {"baseline_value", "target_value"}
DATE_FIELDS = {"due", "progress_date", "baseline_date", "target_date"}


@dataclass(frozen=True)
class Columns:
    """A sheet's columns: each field's header as the export writes it, and which must be present.

    A column that is missing would read as blanks and clear every row's value, so every column whose
    blanks clear something is required; only the progress columns (history, added, never cleared) and
    the Entra object id (filled by the bot, never cleared) may be left out.
    """

    headers: dict[str, str]
    optional: frozenset[str] = frozenset()

    @property
    def allowed(self) -> set[str]:
        return set(self.headers)

    @property
    def required(self) -> list[str]:
        return [key for key in self.headers if key not in self.optional]


ACTIONS = Columns(
    {
        "ref": "Ref",
        "theme": "Theme",
        "quality_statement": "Quality statement",
        "requirement": "Improvement requirement",
        "owner": "Owner",
        "delegates": "Delegates",
        "due": "Due",
        "status": "Status",
        "rag": "RAG",
        "stretch": "Stretch",
        "progress_date": "Progress date",
        "progress_rag": "Progress RAG",
        "progress_narrative": "Progress narrative",
    },
    optional=frozenset({"progress_date", "progress_rag", "progress_narrative"}),
)
PEOPLE = Columns(
    {"name": "Name", "email": "Email", "upn": "UPN", "roles": "Roles", "aad_object_id": "Entra object id"},
    optional=frozenset({"aad_object_id"}),
)
THEMES = Columns(
    {
        "theme_id": "Theme id",
        "theme_name": "Theme name",
        "quality_statement_id": "Quality statement id",
        "quality_statement_name": "Quality statement name",
        "score": "Score",
        "lead": "Lead",
    }
)
METRICS = Columns(
    {
        "id": "Id",
        "name": "Name",
        "unit": "Unit",
        "direction": "Direction",
        "owner": "Owner",
        "baseline_value": "Baseline value",
        "baseline_date": "Baseline date",
        "target_value": "Target value",
        "target_date": "Target date",
    }
)


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it (header is row 1)
    values: dict[str, Any]


def header_key(raw: object) -> str:
    key = str(raw or "").strip().lower().replace(" ", "_").replace("-", "_")
    return ALIASES.get(key, key)


def _iso_if_day_first(text: str) -> str:
    """A valid 31/03/2026 (Excel's UK date in a CSV or text cell) as 2026-03-31; anything else as it is."""
    parts = date_parts(text)
    if parts is None or "/" not in text:
        return text
    year, month, day = parts
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    return iso if date_problem(iso) is None else text


def cell(field: str, raw: object) -> object:
    """A cell as the plan schema wants it; None means 'not given'."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date().isoformat()
    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, float) and raw.is_integer() and field not in NUMBER_FIELDS:
        raw = int(raw)
    if isinstance(raw, str):
        raw = raw.strip()
        if not raw:
            return None
        if field in LIST_FIELDS:
            return [part.strip() for part in raw.replace(";", ",").split(",") if part.strip()]
        if field in INT_FIELDS | NUMBER_FIELDS:
            return _number(raw, integer=field in INT_FIELDS)
        if field in DATE_FIELDS:
            return _iso_if_day_first(raw)
        if field in BOOL_FIELDS and raw.lower() in _TRUE | _FALSE:
            return raw.lower() in _TRUE  # anything else stays text, for the schema to name
    if field in LIST_FIELDS:
        return [str(raw)]
    if field in {"ref", "requirement", "name", "narrative", "progress_narrative"} and not isinstance(raw, str):
        return str(raw)
    return raw


def _number(text: str, *, integer: bool) -> int | float | str:
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        return text  # left as text: the schema then says what is wrong, and where
    return int(value) if integer and value.is_integer() else value


def rows_from(
    file: str,
    where: str,
    header: Sequence[object],
    body: Iterable[tuple[int, Sequence[object]]],
    columns: Columns,
    errors: list[PlanFileError],
) -> list[Row]:
    """The sheet's rows as field → value. A header that is wrong is reported once, and no row is read."""
    keys = [header_key(h) for h in header]
    found = len(errors)
    present = {key: str(raw).strip() for key, raw in zip(keys, header, strict=True) if key}
    for column, key in enumerate(keys):
        if key and key not in columns.allowed:
            expected = ", ".join(columns.headers.values())
            errors.append(
                PlanFileError(
                    file, f"{where}row 1", key, f"unknown column {shown(header[column])} (expected: {expected})"
                )
            )
        elif key and keys.index(key) != column:
            errors.append(PlanFileError(file, f"{where}row 1", key, f"column {shown(header[column])} appears twice"))
    unused = [label for key, label in present.items() if key not in columns.allowed]
    for key in columns.required:
        if key not in present:
            label = columns.headers[key]
            nearest = get_close_matches(label.lower(), [u.lower() for u in unused], n=1, cutoff=0.5)
            hint = next((f"; did you mean {u!r}?" for u in unused if nearest and u.lower() == nearest[0]), "")
            errors.append(PlanFileError(file, f"{where}row 1", key, f"no column {label!r}{hint}"))
    if len(errors) > found:
        return []
    rows = []
    for number, values in body:
        record = {key: cell(key, value) for key, value in zip(keys, values, strict=False) if key in columns.allowed}
        # A blank cell in a column that is there clears that optional field (the preview shows it).
        record = {k: v for k, v in record.items() if v is not None}
        if record:
            rows.append(Row(number, record))
    return rows


def action_record(row: Row) -> dict[str, Any]:
    record = {k: v for k, v in row.values.items() if not k.startswith("progress_")}
    if "progress_narrative" in row.values or "progress_date" in row.values:
        entry = {"date": row.values.get("progress_date"), "narrative": row.values.get("progress_narrative")}
        if "progress_rag" in row.values:
            entry["rag"] = row.values["progress_rag"]
        record["progress"] = [{k: v for k, v in entry.items() if v is not None}]
    return record


def metric_record(row: Row) -> dict[str, Any]:
    values = dict(row.values)
    record: dict[str, Any] = {k: v for k, v in values.items() if not k.startswith(("baseline_", "target_"))}
    for prefix in ("baseline", "target"):
        part = {k: values[f"{prefix}_{k}"] for k in ("value", "date") if f"{prefix}_{k}" in values}
        if part:
            record[prefix] = part
    return record


def theme_records(rows: list[Row]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """One row per quality statement, themes repeated: grouped back into the nested shape."""
    themes: dict[str, dict[str, Any]] = {}
    first_row: dict[str, int] = {}
    for row in rows:
        theme_id = row.values.get("theme_id")
        key = str(theme_id) if theme_id is not None else f"(row {row.number})"
        theme = themes.setdefault(key, {"quality_statements": []})
        first_row.setdefault(key, row.number)
        if theme_id is not None:
            theme["id"] = theme_id
        if "theme_name" in row.values:
            theme["name"] = row.values["theme_name"]
        statement = {
            target: row.values[source]
            for source, target in (
                ("quality_statement_id", "id"),
                ("quality_statement_name", "name"),
                ("score", "score"),
                ("lead", "lead"),
            )
            if source in row.values
        }
        if statement:
            theme["quality_statements"].append(statement)
    return list(themes.values()), first_row
