"""`cqcbot remind`, `cqcbot tick` and `cqcbot schedule`: the scheduler's work from the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.console import AS_OF_HELP, err, load_settings, out, parse_as_of, run_async, run_planner_job
from bot.cli.delivery import deliver_now
from bot.settings import Settings
from domain.planner import Planner
from domain.planning import RunReport
from scheduler.jobs import JOBS

DELIVER_HELP = "Then send what is due at --as-of, as `cqcbot deliver --as-of` does (rehearse a month end to end)"


def register(app: typer.Typer) -> None:
    @app.command()
    def remind(as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None) -> None:
        """Send what is due of the nudge, overdue reminders and the escalation to the chair."""

        async def job(planner: Planner, now: datetime) -> RunReport:
            return await planner.remind(now)

        raise typer.Exit(run_async(run_planner_job(load_settings(), job, as_of, out, err), err))

    @app.command()
    def job(
        name: Annotated[str, typer.Argument(help=f"One of: {', '.join(spec.id for spec in JOBS)}")],
        as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
    ) -> None:
        """Run one of the scheduler's jobs now, exactly as the scheduler runs it."""
        specs = {spec.id: spec for spec in JOBS}
        if name not in specs:
            raise typer.BadParameter(f"unknown job {name!r}: use one of {', '.join(specs)}", param_hint="NAME")
        raise typer.Exit(run_async(run_planner_job(load_settings(), specs[name].call, as_of, out, err), err))

    @app.command()
    def tick(
        as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
        deliver: Annotated[bool, typer.Option("--deliver", help=DELIVER_HELP)] = False,
    ) -> None:
        """Run everything the scheduler would have run by --as-of and not yet done."""

        async def job(planner: Planner, now: datetime) -> RunReport:
            return await planner.tick(now)

        settings = load_settings()
        code = run_async(run_planner_job(settings, job, as_of, out, err), err)
        if code == 0 and deliver:
            code = deliver_now(settings, as_of)
        raise typer.Exit(code)

    @app.command()
    def schedule(as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None) -> None:
        """List the next run of every scheduled step, in the plan's time zone."""
        raise typer.Exit(run_async(_show_schedule(load_settings(), as_of, out), err))


async def _show_schedule(settings: Settings, as_of: str | None, out: Console) -> int:
    from rich.table import Table

    from dialogs.formatting import month_label
    from domain.calendar import WorkingCalendar
    from domain.schedule import pending_catch_ups, upcoming
    from storage.plan_queries import load_plan
    from storage.rounds import opened_rounds
    from storage.schema_check import NoPlanYet, ready_database

    async with ready_database(settings.database_url) as sessions, sessions() as session:
        plan = await load_plan(session)
        opened = await opened_rounds(session)
    if plan is None:
        raise NoPlanYet
    calendar = WorkingCalendar(plan.timezone)
    now = parse_as_of(as_of, plan.timezone)
    table = Table(title=f"Next runs after {now.astimezone(calendar.zone):%a %d %b %Y %H:%M} ({plan.timezone})")
    table.add_column("Step")
    table.add_column("Next run")

    def when(moment: datetime) -> str:
        return f"{moment.astimezone(calendar.zone):%a %d %b %Y %H:%M %Z}"

    # What was missed comes first: the next check does it before anything else on the list.
    for catch_up in pending_catch_ups(plan.schedule, calendar, now, opened, has_metrics=bool(plan.metrics)):
        what = (
            f"open {month_label(catch_up.month)}'s round"
            if catch_up.step == "progress"
            else f"ask for {month_label(catch_up.month)}'s figures"
        )
        missed = f"{catch_up.missed_at.astimezone(calendar.zone):%a %d %b}"
        table.add_row(what, f"{when(catch_up.runs_at)} — catching up the run missed on {missed}")
    for name, moment in upcoming(plan.schedule, plan.metrics, calendar, now):
        table.add_row(name, when(moment))
    out.print(table)
    scheduler = "on" if settings.scheduler_enabled else "OFF (SCHEDULER_ENABLED=false)"
    out.print(
        f"The scheduler checks at {plan.schedule.cycle_open_time} on working days; in this process it is {scheduler}."
    )
    return 0
