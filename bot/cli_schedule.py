"""`cqcbot remind`, `cqcbot tick` and `cqcbot schedule`: the scheduler's work from the command line."""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from bot.cli_support import AS_OF_HELP, parse_as_of, run_planner_job


def register(app: typer.Typer) -> None:
    @app.command()
    def remind(as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None) -> None:
        """Send what is due of the nudge, overdue reminders and the escalation to the chair."""
        from bot.cli import err, load_settings, out

        async def job(planner, now):  # type: ignore[no-untyped-def]
            return await planner.remind(now)

        raise typer.Exit(asyncio.run(run_planner_job(load_settings(), job, as_of, out, err)))

    @app.command()
    def tick(as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None) -> None:
        """Run everything the scheduler would have run by --as-of and not yet done."""
        from bot.cli import err, load_settings, out

        async def job(planner, now):  # type: ignore[no-untyped-def]
            return await planner.tick(now)

        raise typer.Exit(asyncio.run(run_planner_job(load_settings(), job, as_of, out, err)))

    @app.command()
    def schedule(as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None) -> None:
        """List the next run of every scheduled step, in the plan's time zone."""
        from bot.cli import err, load_settings, out

        raise typer.Exit(asyncio.run(_show_schedule(load_settings(), as_of, out, err)))


async def _show_schedule(settings, as_of, out, err) -> int:  # type: ignore[no-untyped-def]
    from rich.table import Table

    from domain.calendar import WorkingCalendar
    from domain.schedule import upcoming
    from storage.engine import new_engine, new_sessionmaker
    from storage.plan_queries import load_plan
    from storage.schema_check import SchemaNotReady, require_current_schema

    engine = new_engine(settings.database_url)
    try:
        try:
            await require_current_schema(engine, settings.database_url)
        except SchemaNotReady as exc:
            err.print(f"[red]{exc}[/red]")
            return 2
        async with new_sessionmaker(engine)() as session:
            plan = await load_plan(session)
    finally:
        await engine.dispose()
    if plan is None:
        err.print("No plan yet: run `cqcbot plan import FILE` first.")
        return 1
    calendar = WorkingCalendar(plan.timezone)
    now = parse_as_of(as_of, plan.timezone)
    table = Table(title=f"Next runs after {now.astimezone(calendar.zone):%a %d %b %Y %H:%M} ({plan.timezone})")
    table.add_column("Step")
    table.add_column("Next run")
    for name, moment in upcoming(plan.schedule, plan.metrics, calendar, now):
        table.add_row(name, f"{moment.astimezone(calendar.zone):%a %d %b %Y %H:%M %Z}")
    out.print(table)
    scheduler = "on" if settings.scheduler_enabled else "OFF (SCHEDULER_ENABLED=false)"
    out.print(f"The scheduler checks at {plan.schedule.cycle_open_time} on working days; in this process it is {scheduler}.")
    return 0
