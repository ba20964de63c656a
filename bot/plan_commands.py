"""The plan commands' work: wiring settings, storage and the plan file together."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from bot.plan_view import render_plan
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
