"""`cqcbot deliver` and `cqcbot outbox`: draining and reporting the outbox (being built)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds the delivery commands to `cqcbot`; the outbox feature fills this in."""
