"""`cqcbot` commands for the digest and the board report (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds this feature's commands to `cqcbot`."""
