"""`cqcbot serve`: run the bot's web server."""

from __future__ import annotations

import logging

import typer

from bot.cli.console import err, load_settings


def register(app: typer.Typer) -> None:
    @app.command()
    def serve() -> None:
        """Run the bot's web server (POST /api/messages, GET /healthz and /readyz)."""
        from bot.serve import run

        settings = load_settings()
        logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
        # msrest warns of every channelData field its models don't name (Teams sends several): noise.
        logging.getLogger("msrest.serialization").setLevel(logging.ERROR)
        raise typer.Exit(run(settings, err))
