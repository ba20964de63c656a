"""`cqcbot serve`: run the bot's web server."""

from __future__ import annotations

import os
import shutil
import tempfile
from typing import Annotated

import typer

from bot.cli.console import err, load_settings
from bot.log_config import configure_logging

# prometheus-client reads this when it is first imported, so it is set before the server's
# modules are: several worker processes then count into files one scrape adds up.
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        workers: Annotated[
            int | None,
            typer.Option(
                "--workers",
                min=1,
                max=32,
                help="Worker processes sharing the port (default WEB_CONCURRENCY, 1); needs PostgreSQL",
            ),
        ] = None,
    ) -> None:
        """Run the bot's web server (POST /api/messages, GET /healthz and /readyz, /metrics)."""
        settings = load_settings()
        count = workers or settings.web_concurrency
        configure_logging(settings)
        made_dir = None
        if count > 1 and not os.environ.get(METRICS_DIR_ENV):
            made_dir = os.environ[METRICS_DIR_ENV] = tempfile.mkdtemp(prefix="cqcbot-metrics-")
        try:
            from bot.serve import run

            code = run(settings, err, count)
        finally:
            if made_dir:
                # Gone with its files: a later process in this environment must not count into it.
                os.environ.pop(METRICS_DIR_ENV, None)
                shutil.rmtree(made_dir, ignore_errors=True)
        raise typer.Exit(code)
