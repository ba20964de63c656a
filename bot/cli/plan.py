"""`cqcbot plan import|export|show|schema`: the improvement plan, from a plan file into storage and back."""

from __future__ import annotations

import asyncio
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.console import err, load_settings, out, run_async
from bot.cli.plan_view import render_import, render_plan
from bot.runtime import utc_now
from bot.settings import Settings
from domain.words import counted
from storage.plan_file import PlanFileInvalid, plan_to_document, read_plan_file
from storage.plan_file.export import plan_document, to_xlsx, to_yaml
from storage.plan_import import ImportSummary, import_plan
from storage.plan_queries import load_plan, plan_progress
from storage.schema_check import NoPlanYet, ready_database


async def import_plan_file(
    settings: Settings, file: Path, *, dry_run: bool, yes: bool, out: Console, err: Console
) -> int:
    async with ready_database(settings.database_url) as sessions:
        async with sessions() as session:
            stored = await load_plan(session)
        base = plan_to_document(stored) if stored else None
        try:
            read = read_plan_file(file, base=base)
        except PlanFileInvalid as exc:
            err.print(
                f"[red]{file} has {counted(len(exc.errors), 'error')}; nothing was imported:[/red]", highlight=False
            )
            for error in exc.errors:
                err.print(f"  {error}", markup=False, highlight=False)
            return 1
        for note in read.notes:
            out.print(note, markup=False, highlight=False)
        actor = f"cli:{file.name}"
        # The preview is the import itself, rolled back: it shows exactly what the import would change.
        async with sessions() as session:
            preview = await import_plan(session, read.plan, actor=actor, now=utc_now(), complete=read.complete)
            await session.rollback()
        if dry_run or not preview.changed:
            render_import(preview, out)
            out.print(
                "Dry run: nothing was changed." if dry_run else f"{file} matches the stored plan: nothing to change."
            )
            return 0
        if reason := _needs_confirmation(preview):
            render_import(preview, out)
            if not _confirmed(reason, yes=yes, err=err):
                return 1
        async with sessions.begin() as session:
            summary = await import_plan(session, read.plan, actor=actor, now=utc_now(), complete=read.complete)
        out.print(f"Imported {file}:", highlight=False)
        render_import(summary, out)
        return 0


def _needs_confirmation(summary: ImportSummary) -> str | None:
    """Why this import should be confirmed first, or None."""
    if clears := summary.clears():
        keys = ", ".join(c.key for c in clears[:10]) + (" …" if len(clears) > 10 else "")
        return f"this import clears the owner or due date of {counted(len(clears), 'action')} ({keys})"
    if summary.changes_most_of_the_plan:
        return "this import changes more than half of the stored plan"
    return None


def _confirmed(reason: str, *, yes: bool, err: Console) -> bool:
    if yes:
        return True
    if not (sys.stdin.isatty() and err.is_terminal):
        err.print(f"[red]Not imported:[/red] {reason}. Check the preview above, then run again with --yes.")
        return False
    if typer.confirm(f"{reason[0].upper()}{reason[1:]}. Import it?", default=False, err=True):
        return True
    err.print("Not imported: nothing was changed.")
    return False


async def show_plan(settings: Settings, *, out: Console) -> int:
    async with ready_database(settings.database_url) as sessions, sessions() as session:
        plan = await load_plan(session)
    if plan is None:
        raise NoPlanYet
    render_plan(plan, out)
    return 0


class ExportFormat(StrEnum):
    XLSX = "xlsx"
    YAML = "yaml"


async def export_plan(settings: Settings, fmt: ExportFormat, output: Path | None, *, out: Console, err: Console) -> int:
    if fmt is ExportFormat.XLSX and output is None:
        err.print("[red]An .xlsx export needs --output FILE[/red] (a workbook cannot be shown on the terminal).")
        return 2
    async with ready_database(settings.database_url) as sessions, sessions() as session:
        plan = await load_plan(session)
        if plan is None:
            raise NoPlanYet
        progress = await plan_progress(session, plan.timezone)
    document = plan_document(plan, progress)
    if output is None:
        sys.stdout.write(to_yaml(document))
        return 0
    content = to_xlsx(document) if fmt is ExportFormat.XLSX else to_yaml(document).encode("utf-8")
    try:
        await asyncio.to_thread(_write, output, content)
    except OSError as exc:
        err.print(f"[red]Cannot write {output}:[/red] {exc.strerror}", highlight=False)
        return 1
    out.print(
        f"Wrote {output}: {counted(len(plan.actions), 'action')}, {counted(len(plan.metrics), 'metric')}, "
        f"{counted(len(plan.people), 'person')}. Edit it and import it back with `cqcbot plan import {output}`.",
        highlight=False,
    )
    return 0


def _write(path: Path, content: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


def register(app: typer.Typer) -> None:
    plan = typer.Typer(
        help="The improvement plan: import a plan file, export it to edit, show the stored plan.", no_args_is_help=True
    )
    app.add_typer(plan, name="plan")

    @plan.command("import")
    def plan_import(
        file: Annotated[Path, typer.Argument(help="A .yaml, .xlsx or .csv plan file")],
        dry_run: Annotated[bool, typer.Option(help="Show what the import would change; change nothing")] = False,
        yes: Annotated[
            bool, typer.Option("--yes", help="Import without asking, even if it clears owners or due dates")
        ] = False,
    ) -> None:
        """Import (upsert) a plan file. A bad file changes nothing and every error is listed."""
        work = import_plan_file(load_settings(), file, dry_run=dry_run, yes=yes, out=out, err=err)
        raise typer.Exit(run_async(work, err))

    @plan.command("export")
    def plan_export(
        fmt: Annotated[
            ExportFormat, typer.Option("--format", help="xlsx (to edit in Excel) or yaml")
        ] = ExportFormat.XLSX,
        output: Annotated[
            Path | None, typer.Option(help="Where to write it (yaml: standard output without it)")
        ] = None,
    ) -> None:
        """Write the stored plan in the import format, to edit and import back (importing it changes nothing)."""
        raise typer.Exit(run_async(export_plan(load_settings(), fmt, output, out=out, err=err), err))

    @plan.command("show")
    def plan_show() -> None:
        """Print the stored plan as tables."""
        raise typer.Exit(run_async(show_plan(load_settings(), out=out), err))

    @plan.command("schema")
    def plan_schema() -> None:
        """Print the plan file's JSON Schema (published as docs/plan.schema.json)."""
        from storage.plan_file.load import plan_schema as schema

        sys.stdout.write(json.dumps(schema(), indent=2, ensure_ascii=False) + "\n")
