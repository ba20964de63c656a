"""The stored plan written back in the import format (YAML or XLSX), to edit in Excel and re-import.

Every field the importer reads is written, so importing an export changes nothing.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

import yaml
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from domain import model
from storage.plan_file import tables

DATE_FORMAT = "yyyy-mm-dd"


def plan_document(plan: model.Plan, progress: Mapping[str, tuple[model.ProgressEntry, ...]]) -> dict[str, Any]:
    """The plan in the plan file's shape, with the progress that came from plan files."""
    document: dict[str, Any] = {"organisation": plan.organisation, "timezone": plan.timezone}
    if plan.group_channel:
        document["group_channel"] = plan.group_channel
    document["people"] = [
        {"name": p.name, "email": p.email}
        | ({"upn": p.upn} if p.upn else {})
        | ({"aad_object_id": p.aad_object_id} if p.aad_object_id else {})
        | {"roles": sorted(r.value for r in p.roles)}
        for p in plan.people
    ]
    document["themes"] = [
        {
            "id": t.id,
            "name": t.name,
            "quality_statements": [
                {"id": q.id, "name": q.name, "score": q.score} | ({"lead": q.lead} if q.lead else {})
                for q in t.quality_statements
            ],
        }
        for t in plan.themes
    ]
    document["actions"] = [_action(a, progress.get(a.ref, ())) for a in plan.actions]
    document["metrics"] = [
        {
            "id": m.id,
            "name": m.name,
            "unit": m.unit,
            "direction": m.direction.value,
            "owner": m.owner,
            "baseline": {"value": _number(m.baseline.value), "date": m.baseline.date.isoformat()},
            "target": {"value": _number(m.target.value), "date": m.target.date.isoformat()},
        }
        for m in plan.metrics
    ]
    document["schedule"] = {k: list(v) if isinstance(v, tuple) else v for k, v in vars(plan.schedule).items()}
    return document


def plan_to_document(plan: model.Plan) -> dict[str, Any]:
    """The stored plan in the file's shape, without progress: the base a CSV of actions is merged
    into, so the plan's schedule and group channel stay as they are."""
    return plan_document(plan, {})


def _action(action: model.Action, progress: tuple[model.ProgressEntry, ...]) -> dict[str, Any]:
    record: dict[str, Any] = {
        "ref": action.ref,
        "theme": action.theme,
        "quality_statement": action.quality_statement,
        "requirement": action.requirement,
        "owner": action.owner,
        "delegates": list(action.delegates),
        "due": action.due.isoformat() if action.due else None,
        "status": action.status.value,
        "rag": action.rag.value if action.rag else None,
    }
    if action.stretch:
        record["stretch"] = True
    if progress:
        record["progress"] = [
            {"date": p.date.isoformat(), "rag": p.rag.value if p.rag else None, "narrative": p.narrative}
            for p in progress
        ]
    return record


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def to_yaml(document: dict[str, Any]) -> str:
    # libyaml's emitter when PyYAML was built with it; the same safe representer either way.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return yaml.dump(document, Dumper=dumper, sort_keys=False, allow_unicode=True, width=120)


def to_xlsx(document: dict[str, Any]) -> bytes:
    """One sheet per list, headers as the importer reads them; dates as Excel dates."""
    book = Workbook()
    plan_sheet = book.active
    assert plan_sheet is not None  # a new workbook has one sheet
    plan_sheet.title = "Plan"
    _header(plan_sheet, ["Setting", "Value"])
    for key in ("organisation", "timezone", "group_channel"):
        if key in document:
            plan_sheet.append([key, document[key]])
    for key, value in document["schedule"].items():
        plan_sheet.append([key, ", ".join(map(str, value)) if isinstance(value, list) else value])

    people = book.create_sheet("People")
    _header(people, list(tables.PEOPLE.headers.values()))
    for person in document["people"]:
        people.append(
            [
                person["name"],
                person["email"],
                person.get("upn"),
                ", ".join(person.get("roles", [])),
                person.get("aad_object_id"),
            ]
        )

    themes = book.create_sheet("Themes")
    _header(themes, list(tables.THEMES.headers.values()))
    for theme in document["themes"]:
        for statement in theme["quality_statements"]:
            themes.append(
                [
                    theme["id"],
                    theme["name"],
                    statement["id"],
                    statement["name"],
                    statement["score"],
                    statement.get("lead"),
                ]
            )

    actions = book.create_sheet("Actions")
    _header(actions, list(tables.ACTIONS.headers.values()))
    for action in document["actions"]:
        # A row holds one progress entry: the latest (earlier ones are already stored and stay).
        latest = (action.get("progress") or [{}])[-1]
        actions.append(
            [
                action["ref"],
                action["theme"],
                action["quality_statement"],
                action["requirement"],
                action["owner"],
                ", ".join(action["delegates"]),
                _date(action["due"]),
                action["status"],
                action["rag"],
                bool(action.get("stretch")),
                _date(latest.get("date")),
                latest.get("rag"),
                latest.get("narrative"),
            ]
        )

    metrics = book.create_sheet("Metrics")
    _header(metrics, list(tables.METRICS.headers.values()))
    for metric in document["metrics"]:
        metrics.append(
            [
                metric["id"],
                metric["name"],
                metric["unit"],
                metric["direction"],
                metric["owner"],
                metric["baseline"]["value"],
                _date(metric["baseline"]["date"]),
                metric["target"]["value"],
                _date(metric["target"]["date"]),
            ]
        )
    for sheet in book.worksheets:
        _dates_and_widths(sheet)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _header(sheet: Worksheet, labels: list[str]) -> None:
    sheet.append(labels)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _dates_and_widths(sheet: Worksheet) -> None:
    widths: dict[int, int] = {}
    for row in sheet.iter_rows():
        for column, cell in enumerate(row, start=1):
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            length = len(str(cell.value)) if cell.value is not None else 0
            widths[column] = max(widths.get(column, 8), min(length + 2, 60))
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width
