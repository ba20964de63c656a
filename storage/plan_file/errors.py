"""Errors found in a plan file, each naming the file, where in it, and the field."""

from __future__ import annotations

import re
from dataclasses import dataclass

SHEET_ORDER = ("plan", "people", "themes", "actions", "metrics")


@dataclass(frozen=True)
class PlanFileError:
    file: str
    where: str  # "line 12", "sheet Actions, row 5", "row 3"
    field: str  # "actions[2].owner"
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.field}: {self.message}"


class PlanFileInvalid(Exception):
    """Raised with every error found; nothing has been written when it is raised."""

    def __init__(self, errors: list[PlanFileError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def _position(error: PlanFileError) -> tuple[int, int, int]:
    """Where an error sits in its file, to list errors top to bottom: file-level ones first."""
    sheet = re.match(r"sheet (\w+)", error.where)
    number = re.search(r"(?:line|row) (\d+)", error.where)
    column = re.search(r"column (\d+)", error.where)
    rank = SHEET_ORDER.index(sheet.group(1).lower()) + 1 if sheet and sheet.group(1).lower() in SHEET_ORDER else 0
    return rank, int(number.group(1)) if number else 0, int(column.group(1)) if column else 0


def in_file_order(errors: list[PlanFileError]) -> list[PlanFileError]:
    """Each error once, in the order of the file (stable: same place keeps the finding order)."""
    unique = list(dict.fromkeys(errors))
    return sorted(unique, key=_position)
