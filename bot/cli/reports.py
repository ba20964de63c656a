"""`cqcbot digest` and `cqcbot report`: the monthly digest and the board appendix.

Heavy imports (matplotlib, python-docx) happen inside the commands, so other `cqcbot` commands
stay quick to start.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bot.cli.console import AS_OF_HELP, err, load_settings, out, run_async
from bot.settings import Settings
from domain.words import counted

MONTH_HELP = "The month, YYYY-MM (default: the latest progress round's month)"
FORMAT_HELP = "docx, md, csv or html"


def register(app: typer.Typer) -> None:
    """Adds this feature's commands to `cqcbot`."""

    @app.command()
    def digest(
        month: Annotated[str | None, typer.Option(help=MONTH_HELP)] = None,
        as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
        post: Annotated[bool, typer.Option(help="Queue it for the group channel and the chair, once")] = False,
        card: Annotated[bool, typer.Option("--json", help="Print the Adaptive Card JSON instead")] = False,
    ) -> None:
        """Preview the monthly digest in the terminal, or post it (--post)."""
        raise typer.Exit(run_async(_digest(load_settings(), month, as_of, post, card, out, err), err))

    @app.command()
    def report(
        fmt: Annotated[str, typer.Option("--format", help=FORMAT_HELP)] = "docx",
        month: Annotated[str | None, typer.Option(help=MONTH_HELP)] = None,
        as_of: Annotated[str | None, typer.Option(help=AS_OF_HELP)] = None,
        output: Annotated[Path | None, typer.Option(help="File to write (text formats: stdout if omitted)")] = None,
    ) -> None:
        """Write the board report's appendix: per theme "Improvement requirement | Progress", the
        waiting-list and DoLS table with charts, the nine CQC scores and a short summary."""
        raise typer.Exit(run_async(_report(load_settings(), fmt, month, as_of, output, out, err), err))


def _check_month(month: str | None, err: Console) -> bool:
    from domain.months import MONTH

    if month is not None and not MONTH.fullmatch(month):
        err.print(f"[red]--month must be YYYY-MM between 2000-01 and 2099-12, e.g. 2026-03, not {month!r}[/red]")
        return False
    return True


async def _digest(
    settings: Settings,
    month: str | None,
    as_of: str | None,
    post: bool,
    as_json: bool,
    out: Console,
    err: Console,
) -> int:
    from bot.cli.console import parse_as_of
    from bot.services.digest import digest_messages, enqueue_digest
    from bot.services.report_links import links_for
    from bot.services.reporting import card_links, default_month, load_month_report
    from dialogs.digest_readiness import build_digest_with_readiness, readiness_text
    from dialogs.digest_text import render_digest_text
    from domain.digest import not_begun
    from domain.months import month_label
    from storage.schema_check import NoPlanYet, ready_database

    if not _check_month(month, err):
        return 2
    now = parse_as_of(as_of, settings.timezone)
    async with ready_database(settings.database_url) as sessions, sessions.begin() as session:
        chosen = month or await default_month(session, now, settings.timezone)
        loaded = await load_month_report(session, chosen, now)
        if loaded is None:
            raise NoPlanYet
        metric_ids = [s.metric.id for s in loaded.data.metrics]
        links = card_links(links_for(settings), chosen, metric_ids)
        card = build_digest_with_readiness(loaded.digest, links, loaded.readiness)
        if post and not_begun(chosen, loaded.data.as_of):
            err.print(
                f"[red]{month_label(chosen)} has not begun: a month's digest is posted once, so posted now it "
                f"would stop {month_label(chosen)}'s own digest. Leave out --post to see it.[/red]"
            )
            return 2
        if post:
            messages = await digest_messages(session, chosen, card)
            queued = await enqueue_digest(session, messages, now=now)
    if post:
        if not messages:
            err.print("Nobody to send it to: the bot is not in a channel and the plan names no chair.")
            return 1
        out.print(
            f"{queued} of {counted(len(messages), 'digest message')} queued for {chosen}; "
            f"{len(messages) - queued} already queued before.",
            markup=False,
            highlight=False,
        )
        for message in messages:
            out.print(f"  {message.key}", markup=False, highlight=False)
        return 0
    sys.stdout.write(
        json.dumps(card, indent=2, ensure_ascii=False) + "\n"
        if as_json
        else render_digest_text(loaded.digest) + readiness_text(loaded.readiness)
    )
    return 0


async def _report(
    settings: Settings,
    fmt: str,
    month: str | None,
    as_of: str | None,
    output: Path | None,
    out: Console,
    err: Console,
) -> int:
    from bot.cli.console import parse_as_of
    from bot.reports.export import ReportFormat, render_report, write_report
    from bot.services.reporting import default_month, load_month_report
    from storage.schema_check import NoPlanYet, ready_database

    try:
        chosen_format = ReportFormat(fmt.lower())
    except ValueError:
        err.print(f"[red]--format must be one of docx, md, csv, html, not {fmt!r}[/red]")
        return 2
    if chosen_format.binary and output is None:
        err.print("[red]DOCX is a binary file: give --output FILE.docx[/red]")
        return 2
    if not _check_month(month, err):
        return 2
    now = parse_as_of(as_of, settings.timezone)
    async with ready_database(settings.database_url) as sessions, sessions() as session:
        chosen = month or await default_month(session, now, settings.timezone)
        loaded = await load_month_report(session, chosen, now)
    if loaded is None:
        raise NoPlanYet
    rendered = render_report(loaded, chosen_format, output=output)
    if output is None:
        sys.stdout.write(rendered.content.decode("utf-8"))
        return 0
    for path in write_report(rendered, output):
        err.print(f"Wrote {path}", markup=False, highlight=False)
    return 0
