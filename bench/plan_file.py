"""Plan files at size, and the YAML guards: how long a generated 2,000-action plan takes to read, preview,
import and export (YAML and XLSX, on SQLite in a temporary folder), and how fast and how small the
refusal of an alias bomb and of an oversized file is.

    .venv/bin/python -m bench.plan_file [--actions 2000]

Goals: an alias bomb refused within a second, in a few MiB; reading and importing a 2,000-action plan
in seconds, not minutes. Each figure is CPU and wall time of one run; peak memory from tracemalloc in a
separate run of the same step.
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from storage.engine import new_engine, new_sessionmaker
from storage.migrate import upgrade
from storage.plan_file import PlanFileInvalid, read_plan_file
from storage.plan_file.export import plan_document, to_xlsx, to_yaml
from storage.plan_import import import_plan
from storage.plan_queries import load_plan, plan_progress
from tests.storage import plan_files
from tests.storage.test_plan_export import generated_plan

NOW = datetime(2026, 3, 1, 9, tzinfo=UTC)


def timed(label: str, work: Callable[[], Any]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = work()
    print(f"  {label:<44} {time.perf_counter() - wall:7.3f} s wall  {time.process_time() - cpu:7.3f} s CPU")
    return result


def peak_mib(work: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        work()
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return peak / 2**20


def refused(path: Path) -> Callable[[], str]:
    def run() -> str:
        try:
            read_plan_file(path)
        except PlanFileInvalid as exc:
            return str(exc.errors[0])
        return "NOT REFUSED"

    return run


def bomb(folder: Path) -> Path:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 12)]
    path = folder / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


async def import_export(url: str, folder: Path, source: Path) -> None:
    engine = new_engine(url)
    sessions = new_sessionmaker(engine)
    try:
        read = timed(f"read {source.name}", lambda: read_plan_file(source))
        start = time.perf_counter()
        async with sessions() as session:
            await import_plan(session, read.plan, actor="bench", now=NOW)
            await session.rollback()
        print(f"  {'dry run (import rolled back), first import':<44} {time.perf_counter() - start:7.3f} s wall")
        start = time.perf_counter()
        async with sessions.begin() as session:
            await import_plan(session, read.plan, actor="bench", now=NOW)
        print(f"  {'first import':<44} {time.perf_counter() - start:7.3f} s wall")
        async with sessions() as session:
            plan = await load_plan(session)
            assert plan is not None
            document = plan_document(plan, await plan_progress(session, plan.timezone))
        xlsx = folder / "export.xlsx"
        xlsx.write_bytes(timed("export to XLSX", lambda: to_xlsx(document)))
        (folder / "export.yaml").write_text(timed("export to YAML", lambda: to_yaml(document)), "utf-8")
        for exported in (xlsx, folder / "export.yaml"):
            again = timed(f"read {exported.name}", partial(read_plan_file, exported))
            start = time.perf_counter()
            async with sessions.begin() as session:
                summary = await import_plan(session, again.plan, actor="bench", now=NOW)
            changed = "changes nothing" if not summary.changed else f"CHANGED {len(summary.changes)}"
            print(f"  {'re-import of ' + exported.name + ': ' + changed:<44} {time.perf_counter() - start:7.3f} s wall")
    finally:
        await engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--actions", type=int, default=2_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        print("YAML guards:")
        path = bomb(folder)
        print(f"  alias bomb ({path.stat().st_size:,} bytes): {timed('refused', refused(path))}")
        print(f"  peak memory refusing it: {peak_mib(refused(path)):.1f} MiB")
        big = folder / "big.yaml"
        big.write_bytes(b"organisation: x\n" + b"# padding\n" * 1_100_000)
        print(f"  {big.stat().st_size:,}-byte file: {timed('refused', refused(big))}")
        print(f"Plan of {args.actions:,} actions:")
        source = plan_files.write_yaml(folder / "plan.yaml", generated_plan(args.actions))
        print(f"  plan.yaml is {source.stat().st_size / 2**20:.2f} MiB")
        print(f"  peak memory reading it: {peak_mib(lambda: read_plan_file(source)):.1f} MiB")
        url = f"sqlite+aiosqlite:///{folder / 'bench.db'}"
        upgrade(url)
        asyncio.run(import_export(url, folder, source))


if __name__ == "__main__":
    main()
