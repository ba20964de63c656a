"""Errors found in a plan file, each naming the file, where in it, and the field."""

from __future__ import annotations

from dataclasses import dataclass


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
