"""Writing plan files in every supported format, from the example plan, for the tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml
from openpyxl import Workbook

from tests.conftest import EXAMPLE_PLAN


def example_document() -> dict[str, Any]:
    return yaml.safe_load(EXAMPLE_PLAN.read_text("utf-8"))


def write_yaml(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), "utf-8")
    return path


def _action_row(action: dict[str, Any]) -> list[Any]:
    progress = (action.get("progress") or [{}])[0]
    return [
        action["ref"],
        action["theme"],
        action.get("quality_statement"),
        action["requirement"],
        action["owner"],
        ", ".join(action.get("delegates", [])),
        action.get("due"),
        action.get("status"),
        action.get("rag"),
        "yes" if action.get("stretch") else "",
        progress.get("date"),
        progress.get("rag"),
        progress.get("narrative"),
    ]


ACTION_HEADER = [
    "Ref",
    "Theme",
    "Quality statement",
    "Improvement requirement",
    "Owner",
    "Delegates",
    "Due",
    "Status",
    "RAG",
    "Stretch",
    "Progress date",
    "Progress RAG",
    "Progress narrative",
]


def write_xlsx(path: Path, document: dict[str, Any]) -> Path:
    book = Workbook()
    plan = book.active
    assert plan is not None  # a new workbook has one sheet
    plan.title = "Plan"
    plan.append(["Key", "Value"])
    plan.append(["organisation", document["organisation"]])
    plan.append(["timezone", document.get("timezone", "Europe/London")])
    for key, value in (document.get("schedule") or {}).items():
        plan.append([key, ", ".join(map(str, value)) if isinstance(value, list) else value])
    people = book.create_sheet("People")
    people.append(["Name", "Email", "UPN", "Roles"])
    for person in document["people"]:
        people.append([person["name"], person["email"], person.get("upn"), ", ".join(person.get("roles", []))])
    themes = book.create_sheet("Themes")
    themes.append(["Theme id", "Theme name", "Quality statement id", "Quality statement name", "Score", "Lead"])
    for theme in document["themes"]:
        for statement in theme.get("quality_statements", []):
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
    actions.append(ACTION_HEADER)
    for action in document["actions"]:
        actions.append(_action_row(action))
    metrics = book.create_sheet("Metrics")
    metrics.append(
        ["Id", "Name", "Unit", "Direction", "Owner", "Baseline value", "Baseline date", "Target value", "Target date"]
    )
    for metric in document.get("metrics", []):
        metrics.append(
            [
                metric["id"],
                metric["name"],
                metric["unit"],
                metric["direction"],
                metric["owner"],
                metric["baseline"]["value"],
                metric["baseline"]["date"],
                metric["target"]["value"],
                metric["target"]["date"],
            ]
        )
    book.save(path)
    return path


def write_csv(path: Path, actions: list[dict[str, Any]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(ACTION_HEADER)
        for action in actions:
            writer.writerow(["" if v is None else v for v in _action_row(action)])
    return path
