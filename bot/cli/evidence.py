"""`cqcbot evidence add|list|retire|export`: the evidence library CQC's information requests draw on."""

from __future__ import annotations

import asyncio
import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from bot.cli.console import err, load_settings, out, run_async
from bot.reports.evidence_pack import PackFormat, render_pack
from bot.runtime import utc_now
from bot.services import evidence as service
from bot.settings import Settings
from domain.evidence import EvidenceCategory, parse_category
from storage.schema_check import ready_database

CATEGORY_HELP = "peoples_experience, staff_and_leaders, partners or processes (or the category's name)"


def _date(text: str | None, what: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"{what} must be YYYY-MM-DD, e.g. 2026-03-31, not {text!r}") from None


async def _add(settings: Settings, request: service.EvidenceRequest, out: Console, err: Console) -> int:
    async with ready_database(settings.database_url) as sessions:
        outcome = await service.add_evidence(sessions, request, source="cli", now=utc_now())
    (out if outcome.ok else err).print(outcome.message, markup=False, highlight=False)
    return 0 if outcome.ok else 1


async def _retire(settings: Settings, item_id: int, reason: str, by: str, out: Console, err: Console) -> int:
    async with ready_database(settings.database_url) as sessions:
        outcome = await service.retire_evidence(sessions, item_id, reason, by, now=utc_now())
    (out if outcome.ok else err).print(outcome.message, markup=False, highlight=False)
    return 0 if outcome.ok else 1


async def _list(
    settings: Settings,
    statement: str | None,
    category: EvidenceCategory | None,
    since: date | None,
    retired: bool,
    out: Console,
) -> int:
    async with ready_database(settings.database_url) as sessions:
        items = await service.list_evidence(
            sessions, statement=statement, category=category, since=since, include_retired=retired
        )
    table = Table(title=f"Evidence library: {len(items)} item(s)")
    for heading in ("Id", "Date", "Title", "Statements", "Category", "Action", "Added by", "Link", "Retired"):
        table.add_column(heading, overflow="fold")
    for item in items:
        table.add_row(
            str(item.id),
            item.evidence_date.isoformat(),
            item.title,
            ", ".join(item.statement_ids),
            item.category.label if item.category else "not categorised",
            item.action_ref or "",
            item.added_by,
            item.url,
            f"{item.retired_at:%Y-%m-%d}: {item.retired_reason}" if item.retired_at else "",
        )
    out.print(table)
    return 0


async def _export(settings: Settings, fmt: PackFormat, statement: str | None, output: Path | None, err: Console) -> int:
    async with ready_database(settings.database_url) as sessions:
        pack = await service.load_pack(
            sessions, statement=statement, timezone=settings.timezone, today=utc_now().date()
        )
    if isinstance(pack, service.Outcome):
        err.print(pack.message, markup=False, highlight=False)
        return 1
    result = render_pack(pack, fmt)
    if output is None:
        sys.stdout.write(result.decode("utf-8"))
        return 0
    await asyncio.to_thread(_write, output, result)
    err.print(f"Wrote {output}", markup=False, highlight=False)
    return 0


def _write(output: Path, content: bytes) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(content)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The evidence library: add, list, retire, export a pack.", no_args_is_help=True)
    app.add_typer(group, name="evidence")

    @group.command("add")
    def add(
        title: Annotated[str, typer.Option(help="What the item is")],
        url: Annotated[str, typer.Option(help="Its https:// link (checked for shape, never fetched)")],
        statement: Annotated[list[str], typer.Option(help="A quality statement id it is evidence for (repeatable)")],
        category: Annotated[str, typer.Option(help=CATEGORY_HELP)],
        by: Annotated[str, typer.Option(help="Who is adding it (email of a person in the plan)")],
        on: Annotated[
            str | None, typer.Option("--date", help="The evidence's date, YYYY-MM-DD (default today)")
        ] = None,
    ) -> None:
        """Add an item to the library (audited)."""
        day = _date(on, "--date") or utc_now().date()
        request = service.EvidenceRequest(title, url, tuple(statement), category, day, by)
        raise typer.Exit(run_async(_add(load_settings(), request, out, err), err))

    @group.command("list")
    def list_items(
        statement: Annotated[str | None, typer.Option(help="Only this quality statement's items")] = None,
        category: Annotated[str | None, typer.Option(help=CATEGORY_HELP)] = None,
        since: Annotated[str | None, typer.Option(help="Only items dated on or after YYYY-MM-DD")] = None,
        retired: Annotated[bool, typer.Option(help="Include retired items")] = False,
    ) -> None:
        """The library's items, newest first."""
        chosen = parse_category(category) if category else None
        if category and chosen is None:
            raise typer.BadParameter(f"{category!r} is not a category: {CATEGORY_HELP}")
        raise typer.Exit(
            run_async(_list(load_settings(), statement, chosen, _date(since, "--since"), retired, out), err)
        )

    @group.command("retire")
    def retire(
        item_id: Annotated[int, typer.Argument(help="The item's id (see `cqcbot evidence list`)")],
        reason: Annotated[str, typer.Option(help="Why it is retired")],
        by: Annotated[str, typer.Option(help="The chair or an admin (email)")],
    ) -> None:
        """Retire an item: it leaves packs and counts but stays in the library's history (audited)."""
        raise typer.Exit(run_async(_retire(load_settings(), item_id, reason, by, out, err), err))

    @group.command("export")
    def export(
        fmt: Annotated[str, typer.Option("--format", help="xlsx, docx or csv")] = "docx",
        statement: Annotated[str | None, typer.Option(help="Only this quality statement")] = None,
        output: Annotated[Path | None, typer.Option(help="File to write (CSV: stdout if omitted)")] = None,
    ) -> None:
        """An evidence pack per quality statement, to answer a CQC information request."""
        try:
            chosen = PackFormat(fmt.lower())
        except ValueError:
            raise typer.BadParameter(f"--format must be xlsx, docx or csv, not {fmt!r}") from None
        if chosen.binary and output is None:
            raise typer.BadParameter(f"{chosen.value.upper()} is a binary file: give --output FILE.{chosen.value}")
        raise typer.Exit(run_async(_export(load_settings(), chosen, statement, output, err), err))
