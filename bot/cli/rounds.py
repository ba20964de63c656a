"""`cqcbot round open` (also `cqcbot cycle open`, its first name): the monthly progress round, through the
scheduler's own code path."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from bot.cli.console import AS_OF_HELP, err, load_settings, out, run_async, run_planner_job
from domain.months import MONTH
from domain.planner import Planner
from domain.planning import RunReport


def register(app: typer.Typer) -> None:
    rounds = typer.Typer(help="The monthly progress round.", no_args_is_help=True)
    app.add_typer(rounds, name="round")
    app.add_typer(rounds, name="cycle", hidden=True)  # what the README said first; scripts may use it
    register_resend(app)

    @rounds.command("open")
    def round_open(
        month: Annotated[str | None, typer.Option(help="YYYY-MM (default: the month of --as-of)")] = None,
        as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
    ) -> None:
        """Open the month's round (idempotent): one request per open action, each owner's prompts queued."""
        if month is not None and not _is_month(month):
            raise typer.BadParameter("use YYYY-MM between 2000-01 and 2099-12, e.g. 2026-12", param_hint="--month")

        async def job(planner: Planner, now: datetime) -> RunReport:
            return await planner.open_round(now, month=month, force=True)

        raise typer.Exit(run_async(run_planner_job(load_settings(), job, as_of, out, err), err))


def register_resend(app: typer.Typer) -> None:
    @app.command()
    def resend(
        person: Annotated[str, typer.Option("--person", help="The person's email, as in the plan")],
        as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
    ) -> None:
        """Send someone the open round's prompts for their unanswered actions again (once per round and person)."""
        email = person.strip().lower()

        async def job(planner: Planner, now: datetime) -> RunReport:
            return await planner.resend_prompts(now, email)

        raise typer.Exit(run_async(run_planner_job(load_settings(), job, as_of, out, err), err))


def _is_month(text: str) -> bool:
    return MONTH.fullmatch(text) is not None
