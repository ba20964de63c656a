"""`cqcbot plan import|show|schema`: the improvement plan, from a plan file into storage and back."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.console import err, load_settings, out, run_async
from bot.cli.plan_view import render_plan
from bot.runtime import utc_now
from bot.settings import Settings
from storage.plan_file import PlanFileInvalid, load_plan_file, plan_to_document
from storage.plan_import import import_plan
from storage.plan_queries import load_plan
from storage.schema_check import NoPlanYet, ready_database


async def import_plan_file(settings: Settings, file: Path, *, dry_run: bool, out: Console, err: Console) -> int:
    async with ready_database(settings.database_url) as sessions:
        async with sessions() as session:
            stored = await load_plan(session)
        base = plan_to_document(stored) if stored else None
        try:
            plan = load_plan_file(file, base=base)
        except PlanFileInvalid as exc:
            err.print(f"[red]{file} has {len(exc.errors)} error(s); nothing was imported:[/red]")
            for error in exc.errors:
                err.print(f"  {error}", markup=False, highlight=False)
            return 1
        if dry_run:
            out.print(f"{file} is valid: {len(plan.actions)} actions, {len(plan.metrics)} metrics. Nothing changed.")
            return 0
        async with sessions.begin() as session:
            summary = await import_plan(session, plan, actor=f"cli:{file.name}", now=utc_now())
        created = ", ".join(f"{n} {k}" for k, n in sorted(summary.created.items())) or "nothing"
        updated = ", ".join(f"{n} {k}" for k, n in sorted(summary.updated.items())) or "nothing"
        out.print(f"Imported {file}: created {created}; updated {updated}.")
        if summary.not_in_file:
            out.print(f"[yellow]Stored actions not in this file (kept): {', '.join(summary.not_in_file)}[/yellow]")
        return 0


async def show_plan(settings: Settings, *, out: Console) -> int:
    async with ready_database(settings.database_url) as sessions, sessions() as session:
        plan = await load_plan(session)
    if plan is None:
        raise NoPlanYet
    render_plan(plan, out)
    return 0


def register(app: typer.Typer) -> None:
    plan = typer.Typer(help="The improvement plan: import a plan file, show the stored plan.", no_args_is_help=True)
    app.add_typer(plan, name="plan")

    @plan.command("import")
    def plan_import(
        file: Annotated[Path, typer.Argument(help="A .yaml, .xlsx or .csv plan file")],
        dry_run: Annotated[bool, typer.Option(help="Validate only; change nothing")] = False,
    ) -> None:
        """Import (upsert) a plan file. A bad file changes nothing and every error is listed."""
        raise typer.Exit(run_async(import_plan_file(load_settings(), file, dry_run=dry_run, out=out, err=err), err))

    @plan.command("show")
    def plan_show() -> None:
        """Print the stored plan as tables."""
        raise typer.Exit(run_async(show_plan(load_settings(), out=out), err))

    @plan.command("schema")
    def plan_schema() -> None:
        """Print the plan file's JSON Schema (published as docs/plan.schema.json)."""
        from storage.plan_file.load import plan_schema as schema

        sys.stdout.write(json.dumps(schema(), indent=2, ensure_ascii=False) + "\n")
