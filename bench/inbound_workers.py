"""`bench.inbound --workers N`: the same owners' submits against `cqcbot serve --workers 1` and
`cqcbot serve --workers N`, on one private PostgreSQL database (SQLite is one writer: refused),
measured in turns. Prints submits per second and p50/p99 for each and their ratio, then checks
every submission was stored exactly once.

    .venv/bin/python -m bench.inbound --workers 2 --database-url postgresql+asyncpg://postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import signal
import sys
import tempfile
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import yaml
from sqlalchemy import text

from bench.inbound_figures import Figures
from bench.inbound_setup import Owner, Server, free_port, open_progress_round, plan_document, run_cli, start_connector
from storage.engine import new_engine
from tests.databases import private_postgres_database


class ProcessTree(Server):
    """A server whose work is done by child processes (gunicorn's workers): CPU of them all."""

    def cpu(self) -> float:
        from bench.inbound_setup import cpu_seconds

        total = 0.0
        for pid in _tree(self.process.pid):
            try:
                total += cpu_seconds(pid)
            except FileNotFoundError:  # a worker that has just exited
                continue
        return total


def _tree(pid: int) -> list[int]:
    children: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(c) for c in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return [pid, *(p for child in children for p in _tree(child))]


async def stored_exactly_once(url: str, sent_ids: Sequence[str], per_action: int) -> tuple[bool, str]:
    engine = new_engine(url)
    try:
        async with engine.connect() as connection:
            stored: Counter[str] = Counter(
                dict(
                    (
                        await connection.execute(
                            text(
                                "SELECT activity_id, COUNT(*) FROM progress_update WHERE source = 'teams'"
                                " GROUP BY activity_id"
                            )
                        )
                    ).all()
                )
            )
            by_action = (
                await connection.scalars(
                    text("SELECT COUNT(*) FROM progress_update WHERE source = 'teams' GROUP BY action_id")
                )
            ).all()
    finally:
        await engine.dispose()
    missing = [i for i in sent_ids if stored.get(i, 0) == 0]
    doubled = [i for i, n in stored.items() if n > 1]
    uneven = [n for n in by_action if n != per_action]
    ok = not (missing or doubled or uneven) and sum(stored.values()) == len(sent_ids)
    summary = f"{sum(stored.values())} progress updates stored for {len(sent_ids)} submissions"
    if not ok:
        summary += f"; missing {len(missing)}, stored twice {len(doubled)}, actions with a wrong count {len(uneven)}"
    return ok, summary


async def main_async(args: argparse.Namespace, database_url: str) -> int:
    from bench.inbound import Load, Target, _environment, bench, receipt_check, submit_activity

    workdir = Path(tempfile.mkdtemp(prefix="cqcbot-bench-workers-"))
    owners = [Owner(n) for n in range(1, args.owners + 1)]
    today = datetime.now(UTC).date()
    ports = free_port(), free_port()
    envs = [_environment(database_url, port, args.log_level) for port in ports]
    print(
        f"{args.owners} owners x ({args.warmup} warm-up + {args.rounds} measured) submits each against 1 and "
        f"{args.workers} workers on PostgreSQL; {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}"
    )
    run_cli(["db", "upgrade"], envs[0])
    plan = workdir / "plan.yaml"
    plan.write_text(yaml.safe_dump(plan_document(owners, today), sort_keys=False, allow_unicode=True), "utf-8")
    run_cli(["plan", "import", str(plan)], envs[0])
    round_id = await open_progress_round(database_url, today)
    connector, service_url = start_connector(workdir / "connector.log", workdir / "connector.json", envs[0])
    load = Load(owners, partial(submit_activity, service_url=service_url, round_id=round_id), args.think_ms / 1000)
    servers: list[Server] = []
    try:
        for count, env, port in zip((1, args.workers), envs, ports, strict=True):
            argv = [sys.executable, "-m", "bot", "serve", "--workers", str(count)]
            log = workdir / f"bot-{count}.log"
            servers.append(ProcessTree.start(f"{count} worker(s)", argv, env, log, f"http://127.0.0.1:{port}/"))
        targets = [Target(server, receipt_check, load) for server in servers]
        await bench(targets, args.warmup, args.rounds, args.blocks)
    finally:
        for server in servers:
            server.stop()
        connector.send_signal(signal.SIGTERM)
        connector.wait(timeout=15)

    one, many = (Figures.of(t.measured) for t in targets)
    for label, figures in (("1 worker", one), (f"{args.workers} workers", many)):
        print(
            f"  {label:>10}: {figures.per_second:7.1f} submits/s, p50 {figures.p50_ms:6.1f} ms, "
            f"p99 {figures.p99_ms:6.1f} ms, {figures.errors} errors; CPU per submit: bot {figures.cpu_ms:.1f} ms "
            f"(all its processes), load generator {figures.client_cpu_ms:.1f} ms, everything else (PostgreSQL) "
            f"{figures.other_cpus / figures.per_second * 1000:.1f} ms"
        )
    for target in targets:
        problems = target.measured.problems + target.warmup_problems
        if problems:
            print(f"  {target.server.name}: " + "; ".join(f"{n} × {what}" for what, n in problems.most_common()))
    ratio = many.per_second / one.per_second
    print(f"Throughput {args.workers} workers / 1: {ratio:.2f}x (goal >= 1.7x at the same p99)")
    # The machine's ceiling: every CPU busy, each submit costing what it cost in the N-worker run
    # (bot, load generator and PostgreSQL all share this machine's CPUs).
    per_submit = many.cpu_ms + many.client_cpu_ms + many.other_cpus / many.per_second * 1000
    cpus = os.cpu_count() or 1
    ceiling = cpus * 1000 / per_submit
    print(
        f"This machine's ceiling with everything on its {cpus} CPUs: {ceiling:.0f} submits/s "
        f"({per_submit:.1f} ms of CPU per submit in all), {ceiling / one.per_second:.2f}x one worker; "
        f"{args.workers} workers reached {many.per_second / ceiling:.0%} of it"
    )
    sent = [i for t in targets for i in t.sent_ids]
    ok, summary = await stored_exactly_once(database_url, sent, 2 * (args.warmup + args.rounds))
    print(f"Stored exactly once: {'yes' if ok else 'NO'} — {summary}")
    clean = ok and one.errors == 0 and many.errors == 0 and not any(t.warmup_problems for t in targets)
    if clean and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"Logs kept in {workdir}")
    return 0 if clean else 1


def run(args: argparse.Namespace) -> int:
    if not args.database_url or not args.database_url.startswith("postgresql+asyncpg://"):
        print("--workers needs --database-url postgresql+asyncpg://… (SQLite has one writer)", file=sys.stderr)
        return 2
    with private_postgres_database(args.database_url) as url:
        return asyncio.run(main_async(args, url))
