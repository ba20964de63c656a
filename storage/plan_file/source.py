"""A plan file read into plain data, with a way to say where each value came from."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Path_ = tuple[str | int, ...]


@dataclass
class PlanSource:
    """Plain data in the plan file's shape, and the location of every value it has one for."""

    file: str
    data: Any
    locations: dict[Path_, str] = field(default_factory=dict)
    fallback: str = "file"
    notes: list[str] = field(default_factory=list)  # what the admin should know, e.g. the encoding read

    def where(self, path: Path_) -> str:
        # The nearest enclosing value that has a location: a missing key is reported at its parent.
        for end in range(len(path), -1, -1):
            location = self.locations.get(path[:end])
            if location:
                return location
        return self.fallback


def dotted(path: Path_) -> str:
    """("actions", 2, "owner") → "actions[2].owner"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"


Reader = Callable[[str, bytes], PlanSource]
