"""`cqcbot figures request`: ask metric owners for last month's figures (the scheduler's code path)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from bot.cli.console import AS_OF_HELP, err, load_settings, out, run_async, run_planner_job
from domain.planner import Planner
from domain.planning import RunReport


def register(app: typer.Typer) -> None:
    figures = typer.Typer(help="The waiting-list and DoLS figures.", no_args_is_help=True)
    app.add_typer(figures, name="figures")

    @figures.command("request")
    def request(as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None) -> None:
        """Queue the figures requests (and overdue-figures reminders) due by --as-of."""

        async def job(planner: Planner, now: datetime) -> RunReport:
            return await planner.request_figures(now)

        raise typer.Exit(run_async(run_planner_job(load_settings(), job, as_of, out, err), err))
