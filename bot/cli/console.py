"""What every command shares: the consoles, settings, --as-of times, running async work and planner jobs."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Coroutine
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import typer
from pydantic import ValidationError
from rich.console import Console

from bot.runtime import build_runtime, utc_now
from bot.settings import Settings
from domain.planning import RunReport
from domain.words import counted
from scheduler.jobs import JobCall
from storage.schema_check import NoPlanYet, SchemaNotReady, require_current_schema

# soft_wrap: an error line stays one line, so it can be read and grepped whole.
err = Console(stderr=True, soft_wrap=True)
# Wide enough for the plan tables when piped to a file or a pager.
out = Console(width=shutil.get_terminal_size((140, 40)).columns)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        err.print("[red]Configuration error[/red] (environment or .env):")
        for problem in exc.errors():
            field = ".".join(str(p) for p in problem["loc"]) or "settings"
            err.print(f"  {field}: {problem['msg']}")
        raise typer.Exit(2) from None


AS_OF_HELP = "Act as if it were this moment (ISO 8601; local time in TIMEZONE unless an offset is given)"


def parse_as_of(text: str | None, timezone: str) -> datetime:
    if not text:
        return utc_now()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{text!r} is not an ISO 8601 time, e.g. 2026-12-01T09:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def run_async(work: Coroutine[Any, Any, int], err: Console) -> int:
    """Run a command's async work; a database not ready or no plan yet is a message, not a traceback."""
    try:
        return asyncio.run(work)
    except SchemaNotReady as exc:
        err.print(f"[red]{exc}[/red]")
        return 2
    except NoPlanYet as exc:
        err.print(str(exc))
        return 1


async def run_planner_job(settings: Settings, job: JobCall, as_of: str | None, out: Console, err: Console) -> int:
    """Runs one job through the same code path the scheduler uses."""
    runtime = build_runtime(settings)
    try:
        await require_current_schema(runtime.engine, settings.database_url)
        now = parse_as_of(as_of, settings.timezone)
        try:
            report = await runtime.planning.run(job, now)
        except LookupError as exc:
            err.print(f"[red]{exc}[/red]")
            return 1
        print_report(report, now, out)
        return 0
    finally:
        await runtime.close()


def print_report(report: RunReport, now: datetime, out: Console) -> None:
    out.print(
        f"As of {now.isoformat(timespec='minutes')}: {counted(len(report.enqueued), 'message')} queued, "
        f"{report.already} already queued before."
    )
    for line in report.enqueued:
        out.print(f"  queued  {line}", markup=False, highlight=False)
    for line in report.skipped:
        out.print(f"  skipped {line}", markup=False, highlight=False)
    if report.enqueued:
        out.print("They are sent by the running bot, or now with `cqcbot deliver`.")
