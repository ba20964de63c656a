"""Read, validate and convert a plan file. Every error found is collected before any is raised."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from jsonschema import Draft202012Validator, FormatChecker

from domain import model
from storage.plan_file.csv_reader import read_csv
from storage.plan_file.errors import PlanFileError, PlanFileInvalid, in_file_order
from storage.plan_file.messages import message, missing_field, unknown_fields
from storage.plan_file.source import PlanSource, Reader, dotted
from storage.plan_file.xlsx_reader import read_xlsx
from storage.plan_file.yaml_reader import read_yaml

READERS: dict[str, Reader] = {".yaml": read_yaml, ".yml": read_yaml, ".xlsx": read_xlsx, ".csv": read_csv}


def plan_schema() -> dict[str, Any]:
    """The published plan schema (docs/plan.schema.json is a copy of this file)."""
    return json.loads(resources.files("storage").joinpath("plan.schema.json").read_text("utf-8"))


MAX_FILE_BYTES = 10 * 1024 * 1024  # a 2,000-action plan is about 1 MB of YAML


@dataclass(frozen=True)
class ReadPlan:
    """A validated plan, and what the reader wants the admin to know (which text encoding it read)."""

    plan: model.Plan
    notes: tuple[str, ...] = ()
    complete: bool = True  # a full plan file (YAML, XLSX), not a CSV merged into the stored plan


def load_plan_file(path: Path, *, base: dict[str, Any] | None = None) -> model.Plan:
    """Parse and validate ``path``. A CSV holds actions only and is merged into ``base``."""
    return read_plan_file(path, base=base).plan


def read_plan_file(path: Path, *, base: dict[str, Any] | None = None) -> ReadPlan:
    """Parse and validate ``path``; every error of the file is raised together, in file order."""

    def refuse(message: str) -> PlanFileInvalid:
        return PlanFileInvalid([PlanFileError(str(path), "file", "(file)", message)])

    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise refuse(f"unsupported file type {path.suffix!r}: use .yaml, .xlsx or .csv")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise refuse(f"{size:,} bytes is larger than a plan file may be ({MAX_FILE_BYTES:,} bytes)")
        content = path.read_bytes()
    except OSError as exc:
        raise refuse(f"cannot read it: {exc.strerror}") from exc
    source = reader(str(path), content)
    source.data = _plain(source.data)
    is_csv = path.suffix.lower() == ".csv"
    if is_csv:
        if base is None:
            raise refuse("a CSV holds actions only: import a full YAML or XLSX plan first")
        source.data, positions = _merge_actions(base, source.data["actions"])
        source.locations = {_moved(k, positions): v for k, v in source.locations.items()}
        source.fallback = "stored plan"
    # Both passes always run, so one import attempt shows every error in the file.
    errors = _schema_errors(source)
    errors += _reference_errors(source) if isinstance(source.data, dict) else []
    if errors:
        raise PlanFileInvalid(in_file_order(errors))
    return ReadPlan(_to_plan(source.data), tuple(source.notes), complete=not is_csv)


def _plain(value: Any) -> Any:
    """YAML gives dates as date objects; the schema checks ISO strings."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _merge_actions(base: dict[str, Any], actions: list[dict[str, Any]]) -> tuple[dict[str, Any], list[int]]:
    """Upsert CSV rows into the stored plan by ref; also where each row landed, to locate errors."""
    merged = dict(base)
    existing = list(base.get("actions", []))
    by_ref = {a["ref"]: i for i, a in enumerate(existing)}
    positions = []
    for action in actions:
        position = by_ref.get(action.get("ref", ""))
        if position is None:
            position = len(existing)
            existing.append(action)
            by_ref[action.get("ref", "")] = position
        else:
            existing[position] = action
        positions.append(position)
    merged["actions"] = existing
    return merged, positions


def _moved(path: tuple[str | int, ...], positions: list[int]) -> tuple[str | int, ...]:
    if len(path) >= 2 and path[0] == "actions" and isinstance(path[1], int):
        return ("actions", positions[path[1]], *path[2:])
    return path


def _schema_errors(source: PlanSource) -> list[PlanFileError]:
    validator = Draft202012Validator(plan_schema(), format_checker=FormatChecker())
    errors = []
    for error in validator.iter_errors(source.data):
        path: tuple[str | int, ...] = tuple(error.absolute_path)
        fields: list[str | None] = [missing_field(error)] if error.validator == "required" else []
        if error.validator == "additionalProperties":
            fields = [*unknown_fields(error)]
        for name in fields or [None]:
            at = (*path, name) if name else path
            errors.append(PlanFileError(source.file, source.where(at), dotted(at), message(error)))
    return errors


def _items(data: dict[str, Any], key: str) -> list[tuple[int, dict[str, Any]]]:
    """The well-formed entries of a list; malformed ones are the schema pass's to report."""
    value = data.get(key)
    return [(i, item) for i, item in enumerate(value) if isinstance(item, dict)] if isinstance(value, list) else []


def _text(item: dict[str, Any], key: str) -> str | None:
    value = item.get(key)
    return value if isinstance(value, str) else None


def _reference_errors(source: PlanSource) -> list[PlanFileError]:
    """Cross-references the schema cannot express: owners are people, themes exist, ids are unique."""
    data = source.data
    errors: list[PlanFileError] = []

    def err(path: tuple[str | int, ...], message: str) -> None:
        errors.append(PlanFileError(source.file, source.where(path), dotted(path), message))

    def unique(path: tuple[str | int, ...], value: str, seen: set[str], what: str) -> None:
        if value in seen:
            err(path, f"{what} {value!r} is listed twice")
        seen.add(value)

    timezone = data.get("timezone", "Europe/London")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        err(("timezone",), f"unknown time zone {timezone!r}")
    emails: set[str] = set()
    for i, person in _items(data, "people"):
        if (email := _text(person, "email")) is not None:
            unique(("people", i, "email"), email.lower(), emails, "email")
    themes: set[str] = set()
    statements: dict[str, str] = {}
    for i, theme in _items(data, "themes"):
        theme_id = _text(theme, "id")
        if theme_id is not None:
            unique(("themes", i, "id"), theme_id, themes, "theme")
        for j, statement in _items(theme, "quality_statements"):
            if (statement_id := _text(statement, "id")) is not None:
                unique(("themes", i, "quality_statements", j, "id"), statement_id, set(statements), "quality statement")
                statements[statement_id] = theme_id or ""
            if (lead := _text(statement, "lead")) is not None and lead.lower() not in emails:
                err(("themes", i, "quality_statements", j, "lead"), f"{lead} is not in people")
    refs: set[str] = set()
    for i, action in _items(data, "actions"):
        if (ref := _text(action, "ref")) is not None:
            unique(("actions", i, "ref"), ref, refs, "action")
        theme_id = _text(action, "theme")
        if theme_id is not None and theme_id not in themes:
            err(("actions", i, "theme"), f"unknown theme {theme_id!r}")
        quality_statement = _text(action, "quality_statement")
        if quality_statement and theme_id in themes and statements.get(quality_statement) != theme_id:
            problem = (
                f"is not a quality statement of theme {theme_id!r}"
                if quality_statement in statements
                else "is not a known quality statement"
            )
            err(("actions", i, "quality_statement"), f"{quality_statement!r} {problem}")
        if (owner := _text(action, "owner")) is not None and owner.lower() not in emails:
            err(("actions", i, "owner"), f"{owner} is not in people")
        if action.get("stretch") is True and not quality_statement:
            err(("actions", i, "stretch"), "a stretch action names the quality_statement it stretches")
        delegates = action.get("delegates")
        for k, delegate in enumerate(delegates if isinstance(delegates, list) else []):
            if isinstance(delegate, str) and delegate.lower() not in emails:
                err(("actions", i, "delegates", k), f"{delegate} is not in people")
    metric_ids: set[str] = set()
    for i, metric in _items(data, "metrics"):
        if (metric_id := _text(metric, "id")) is not None:
            unique(("metrics", i, "id"), metric_id, metric_ids, "metric")
        if (owner := _text(metric, "owner")) is not None and owner.lower() not in emails:
            err(("metrics", i, "owner"), f"{owner} is not in people")
        baseline, target = metric.get("baseline"), metric.get("target")
        if isinstance(baseline, dict) and isinstance(target, dict):
            start, end = baseline.get("date"), target.get("date")
            if isinstance(start, str) and isinstance(end, str) and end <= start:
                err(("metrics", i, "target", "date"), "the target date must be after the baseline date")
    return errors


def _to_plan(data: dict[str, Any]) -> model.Plan:
    d = date.fromisoformat
    schedule_data = dict(data.get("schedule") or {})
    for listed in ("target_review_days_before", "self_assessment_months"):
        if listed in schedule_data:
            schedule_data[listed] = tuple(schedule_data[listed])
    return model.Plan(
        organisation=data["organisation"],
        timezone=data.get("timezone", "Europe/London"),
        group_channel=data.get("group_channel"),
        people=tuple(
            model.Person(
                name=p["name"],
                email=p["email"].lower(),
                upn=(p.get("upn") or None),
                aad_object_id=p.get("aad_object_id"),
                roles=frozenset(model.Role(r) for r in p.get("roles", [])),
            )
            for p in data["people"]
        ),
        themes=tuple(
            model.Theme(
                id=t["id"],
                name=t["name"],
                quality_statements=tuple(
                    model.QualityStatement(q["id"], q["name"], q["score"], lead=_lower(q.get("lead")))
                    for q in t.get("quality_statements", [])
                ),
            )
            for t in data["themes"]
        ),
        actions=tuple(
            model.Action(
                ref=a["ref"],
                theme=a["theme"],
                requirement=a["requirement"].strip(),
                owner=a["owner"].lower(),
                quality_statement=a.get("quality_statement"),
                delegates=tuple(x.lower() for x in a.get("delegates", [])),
                due=d(a["due"]) if a.get("due") else None,
                status=model.ActionStatus(a.get("status", "not_started")),
                rag=model.Rag(a["rag"]) if a.get("rag") else None,
                stretch=bool(a.get("stretch", False)),
                progress=tuple(
                    model.ProgressEntry(
                        date=d(p["date"]),
                        narrative=p["narrative"].strip(),
                        rag=model.Rag(p["rag"]) if p.get("rag") else None,
                    )
                    for p in a.get("progress", [])
                ),
            )
            for a in data["actions"]
        ),
        metrics=tuple(
            model.Metric(
                id=m["id"],
                name=m["name"],
                unit=m["unit"],
                direction=model.Direction(m["direction"]),
                owner=m["owner"].lower(),
                baseline=model.DatedValue(float(m["baseline"]["value"]), d(m["baseline"]["date"])),
                target=model.DatedValue(float(m["target"]["value"]), d(m["target"]["date"])),
            )
            for m in data.get("metrics", [])
        ),
        schedule=model.ScheduleSettings(**schedule_data),
    )


def _lower(email: str | None) -> str | None:
    return email.lower() if email else None
