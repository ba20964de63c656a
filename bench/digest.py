"""Digest and board report speed on a generated plan: 2,000 actions with 36 months of history.

Generates, on a fresh migrated database (SQLite in a temporary folder, or --database-url), a plan
of N actions over 4 themes and 200 people, 36 monthly progress rounds with a request and an
update for every action in each (N × 36 updates), and 5 measures with 36 monthly figures. Then,
for the newest month, it times building the digest card (load + compose + card) and the board
report (load + compose + 5 charts + DOCX), counting the SQL statements each sends (a
before_cursor_execute listener on the engine) and the peak Python memory (tracemalloc, in a
separate run so it does not slow the timed one). It repeats the count on a plan a tenth the
size, to show the number of queries does not grow with the plan.

The first run of each is timed too, and shown apart ("first"): it is cold — it imports what it
needs beyond the database layer (matplotlib and python-docx for the report), loads the fonts and
makes the chart canvas, as the first digest or report after the bot starts does. The charts'
cache is cleared before every run, so each draws all five.

    .venv/bin/python -m bench.digest [--actions 2000] [--months 36] [--database-url URL]

Goal: at most 1 s each, and the same query count for both plan sizes.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
import tracemalloc
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bench.digest_plan import generate, on_the_plan_and_a_tenth, plan_size_arguments
from storage.engine import new_engine, new_sessionmaker
from storage.migrate import upgrade

GOAL_SECONDS = 1.0


async def digest_card(sessions: async_sessionmaker[AsyncSession], month: str, as_of: datetime) -> int:
    # The jobs import what they use, so the first run pays for it, as the first digest or report
    # in a process does.
    from bot.services.reporting import card_links, load_month_report
    from dialogs.digest import build_digest_card

    async with sessions() as session:
        report = await load_month_report(session, month, as_of)
    assert report is not None
    card = build_digest_card(report.digest, card_links(None, month, []))
    return len(card["body"])


async def board_report(sessions: async_sessionmaker[AsyncSession], month: str, as_of: datetime) -> int:
    from bot.reports import charts
    from bot.reports.charts import charts_for
    from bot.reports.docx_file import render_docx
    from bot.services.reporting import load_month_report

    async with sessions() as session:
        report = await load_month_report(session, month, as_of)
    assert report is not None
    charts.clear_cache()  # draw the charts every run, as a new month's report would
    return len(render_docx(report.appendix, charts_for(report)))


class Counter:
    def __init__(self, engine: AsyncEngine) -> None:
        self.count = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: object) -> None:
        self.count += 1


async def measure(name: str, job: Callable[[], Awaitable[int]], counter: Counter, runs: int) -> dict[str, float]:
    times, cpu, queries = [], [], []
    for _ in range(runs + 1):
        before = counter.count
        start, start_cpu = time.perf_counter(), time.process_time()
        await job()
        times.append(time.perf_counter() - start)
        # CPU time of this process (SQLite runs in its thread here): steadier than wall time
        # when other work shares the machine.
        cpu.append(time.process_time() - start_cpu)
        queries.append(counter.count - before)
    tracemalloc.start()
    await job()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    # The first run (imports, fonts, connection pool) is reported apart from the warm ones.
    return {
        "first_s": times[0],
        "first_cpu_s": cpu[0],
        "cpu_s": statistics.median(cpu[1:]),
        "median_s": statistics.median(times[1:]),
        "max_s": max(times[1:]),
        "queries": queries[-1],
        "peak_mib": peak / 2**20,
    }


async def bench(url: str, actions: int, months: int, runs: int) -> dict[str, dict[str, float]]:
    await asyncio.to_thread(upgrade, url)
    engine = new_engine(url)
    try:
        sessions = new_sessionmaker(engine)
        started = time.perf_counter()
        month = await generate(sessions, actions, months)
        async with engine.connect() as connection:
            updates = (await connection.execute(text("SELECT count(*) FROM progress_update"))).scalar_one()
        sys.stderr.write(f"generated {actions} actions, {updates} updates in {time.perf_counter() - started:.1f} s\n")
        counter = Counter(engine)
        as_of = datetime(2026, 4, 20, 8, tzinfo=UTC)
        return {
            "digest": await measure("digest", lambda: digest_card(sessions, month, as_of), counter, runs),
            "report": await measure("report", lambda: board_report(sessions, month, as_of), counter, runs),
        }
    finally:
        await engine.dispose()


def main() -> None:
    args = plan_size_arguments(__doc__)
    results = on_the_plan_and_a_tenth(
        args.actions, args.database_url, lambda url, size: bench(url, size, args.months, args.runs)
    )
    print(
        f"{'plan':>12} {'what':>7} {'first':>9} {'cpu':>9} {'median':>9} {'max':>9} {'cpu':>9} "
        f"{'queries':>8} {'peak MiB':>9}"
    )
    for size, figures in results.items():
        for what, f in figures.items():
            print(
                f"{size:>6} acts {what:>7} {f['first_s']:>8.3f}s {f['first_cpu_s']:>8.3f}s "
                f"{f['median_s']:>8.3f}s {f['max_s']:>8.3f}s "
                f"{f['cpu_s']:>8.3f}s {f['queries']:>8.0f} "
                f"{f['peak_mib']:>9.1f}"
            )
    print("first: the first run in the process (wall, CPU); median, max, cpu: the runs after it")
    big = results[args.actions]
    ok_time = all(max(f["first_s"], f["max_s"]) <= GOAL_SECONDS for f in big.values())
    same = len(results) < 2 or all(results[s][w]["queries"] == big[w]["queries"] for s in results for w in big)
    print(f"load average now: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"goal ≤ {GOAL_SECONDS:.0f} s each (wall, worst run, first included): "
        f"{'met' if ok_time else 'NOT met'}; "
        f"query count independent of plan size: {'yes' if same else 'NO'}"
    )


if __name__ == "__main__":
    main()
