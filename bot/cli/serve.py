"""`cqcbot serve`: run the bot's web server."""

from __future__ import annotations

import typer

from bot.cli.console import err, load_settings
from bot.log_config import configure_logging


def register(app: typer.Typer) -> None:
    @app.command()
    def serve() -> None:
        """Run the bot's web server (POST /api/messages, GET /healthz)."""
        from bot.serve import run

        settings = load_settings()
        configure_logging(settings)
        raise typer.Exit(run(settings, err))
