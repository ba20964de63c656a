"""`cqcbot` commands for cycle open and the owner's commands (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds this feature's commands to `cqcbot`."""
