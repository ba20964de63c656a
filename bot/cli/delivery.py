"""`cqcbot deliver` drains the outbox with a progress bar; `cqcbot outbox` is the chair's report:
who cannot be reached, which messages failed or may not have arrived, what is still waiting."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import time
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Annotated
from zoneinfo import ZoneInfo

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from bot.cli.console import err, load_settings, out, parse_as_of
from bot.delivery.loop import Until, run_worker
from bot.runtime import Runtime, build_runtime, utc_now
from bot.settings import Settings
from domain.outbox import DeliveryStatus
from storage.outbox import status_counts
from storage.outbox_report import OutboxReport, outbox_report
from storage.schema_check import SchemaNotReady, require_current_schema

S = DeliveryStatus
UNTIL_EMPTY_HELP = "Keep going until nothing is left to send, waiting out retries (default: what is due now)"
AFTER_CRASH_HELP = (
    "The last delivering process died and no other is running: flag its in-flight messages "
    "'unknown' and hand back its unsent claims now, without waiting for their leases"
)


AS_OF_DELIVER_HELP = (
    "Deliver as if it were this moment (ISO 8601, as for `tick --as-of`): what a rehearsed month queued "
    "for then is due, and the clock runs on from it for retries"
)


def simulated_clock(start: datetime, monotonic: Callable[[], float] = time.monotonic) -> Callable[[], datetime]:
    """A clock that reads ``start`` now and runs on in real time: rehearsing a month, what the planner
    queued at a simulated moment is due, and backoff and leases still pass as they would."""
    origin = monotonic()
    return lambda: start + timedelta(seconds=monotonic() - origin)


def deliver_now(settings: Settings, as_of: str | None, *, until_empty: bool = False, after_crash: bool = False) -> int:
    """`cqcbot deliver`, also run by `cqcbot tick --deliver` with the same --as-of."""
    clock = simulated_clock(parse_as_of(as_of, settings.timezone)) if as_of else utc_now
    return asyncio.run(_with_runtime(settings, err, lambda rt: _deliver(rt, until_empty, after_crash, out), clock))


def register(app: typer.Typer) -> None:
    @app.command()
    def deliver(
        until_empty: Annotated[bool, typer.Option("--until-empty", help=UNTIL_EMPTY_HELP)] = False,
        after_crash: Annotated[bool, typer.Option("--after-crash", help=AFTER_CRASH_HELP)] = False,
        as_of: Annotated[str | None, typer.Option(help=AS_OF_DELIVER_HELP)] = None,
    ) -> None:
        """Send the outbox's due messages to Teams now, under the rate limits."""
        raise typer.Exit(deliver_now(load_settings(), as_of, until_empty=until_empty, after_crash=after_crash))

    @app.command("outbox")
    def outbox() -> None:
        """The chair's report: unreachable people, failed and unknown messages, what is waiting."""
        raise typer.Exit(asyncio.run(_with_runtime(load_settings(), err, lambda rt: _report(rt, out))))


async def _with_runtime(
    settings: Settings,
    err: Console,
    work: Callable[[Runtime], Awaitable[int]],
    clock: Callable[[], datetime] = utc_now,
) -> int:
    runtime = build_runtime(settings, clock=clock)
    try:
        try:
            await require_current_schema(runtime.engine, settings.database_url)
        except SchemaNotReady as exc:
            err.print(f"[red]{exc}[/red]")
            return 2
        return await work(runtime)
    finally:
        await runtime.close()


class _ProgressEvents:
    """Advances the bar once per message settled; a retry handed back to pending is not yet done."""

    def __init__(self, progress: Progress, bar: TaskID) -> None:
        self._progress = progress
        self._bar = bar

    def settled(self, status: DeliveryStatus, code: str) -> None:
        if status is not S.PENDING:
            self._progress.advance(self._bar)

    def paused(self, seconds: float) -> None:
        pass


async def _deliver(runtime: Runtime, until_empty: bool, after_crash: bool, out: Console) -> int:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    with contextlib.suppress(RuntimeError, ValueError, NotImplementedError):  # main thread only
        for sig in signals:  # on Ctrl-C: finish the calls in flight, hand the rest back
            loop.add_signal_handler(sig, stop.set)
    columns = (TextColumn("Delivering"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    progress = Progress(*columns, console=out)
    bar = progress.add_task("outbox", total=None)
    worker = runtime.delivery_worker(events=_ProgressEvents(progress, bar))
    if after_crash:
        recovered = await worker.recover(ignore_leases=True)
        handed, unknown = recovered.requeued, recovered.unknown
        out.print(f"After the crash: {handed} handed back, {unknown} flagged unknown.")
    async with runtime.sessions() as session:
        before = await outbox_report(session, now=runtime.clock())
    # Everything open, or what is due now; rows a live worker is sending are its to finish.
    todo = before.counts[S.PENDING] + before.counts[S.CLAIMED] if until_empty else before.due_now
    progress.update(bar, total=todo)
    with progress:
        await run_worker(worker, stop, until=Until.EMPTY if until_empty else Until.IDLE)
    for sig in signals:
        loop.remove_signal_handler(sig)
    async with runtime.sessions() as session:
        waiting = (await status_counts(session))[S.PENDING]
    tally = worker.tally
    out.print(
        f"Sent {tally[S.SENT]}; failed {tally[S.FAILED]}; unreachable {tally[S.UNREACHABLE]}; "
        f"unknown {tally[S.UNKNOWN]}. {waiting} waiting for a later try."
    )
    if tally[S.FAILED] or tally[S.UNREACHABLE] or tally[S.UNKNOWN] or waiting:
        out.print("See `cqcbot outbox` for who and why.")
    return 0


async def _report(runtime: Runtime, out: Console) -> int:
    now = runtime.clock()
    async with runtime.sessions() as session:
        report = await outbox_report(session, now=now)
    render_report(report, ZoneInfo(runtime.settings.timezone), out)
    return 0


def render_report(report: OutboxReport, zone: ZoneInfo, out: Console) -> None:
    c = report.counts

    def when(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%d %b %Y %H:%M") if moment else ""

    out.print(
        f"[bold]Outbox[/bold]: {report.pending} waiting ({report.due_now} due now, "
        f"{c[S.SENDING]} being sent); sent {c[S.SENT]}; failed {c[S.FAILED]}; "
        f"unreachable {c[S.UNREACHABLE]}; unknown {c[S.UNKNOWN]}."
    )
    if report.unreachable_people:
        table = Table(title="People the bot cannot reach (until they install or open the app)")
        for column in ("Name", "Email", "Since", "Why"):
            table.add_column(column)
        for person in report.unreachable_people:
            table.add_row(person.name, person.email, when(person.since), person.reason)
        out.print(table)
    if report.problems:
        table = Table(title="Messages that need a look (unknown: may or may not have arrived; never re-sent)")
        for column in ("Status", "Message", "To", "Tries", "Last answer", "When"):
            table.add_column(column)
        for m in report.problems:
            answer = m.last_error or str(m.last_status_code or "")
            table.add_row(m.status.value, m.key, m.recipient, str(m.attempts), answer, when(m.updated_at))
        out.print(table)
    if report.retrying:
        table = Table(title="Waiting to be retried")
        for column in ("Message", "To", "Tries", "Last answer", "Next try"):
            table.add_column(column)
        for m in report.retrying:
            answer = m.last_error or str(m.last_status_code or "")
            table.add_row(m.key, m.recipient, str(m.attempts), answer, when(m.next_attempt_at))
        out.print(table)
    if not (report.unreachable_people or report.problems or report.retrying):
        out.print("Nothing needs attention.")
