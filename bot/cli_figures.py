"""`cqcbot` commands for waiting-list and DoLS figures (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds this feature's commands to `cqcbot`."""
