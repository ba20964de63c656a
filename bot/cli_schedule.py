"""`cqcbot` commands for the scheduler's jobs from the command line (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds this feature's commands to `cqcbot`."""
