"""bench.inbound's figures: percentiles, the printed comparison, and the stored-exactly-once check."""

from __future__ import annotations

import math
import os
import sqlite3
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.inbound_setup import CPU_GOAL_RATIO, P99_GOAL_MS


@dataclass
class Phase:
    latencies: list[float] = field(default_factory=list)  # seconds, one per request
    problems: Counter[str] = field(default_factory=Counter)
    sent_ids: list[str] = field(default_factory=list)
    wall: float = 0.0
    server_cpu: float = 0.0
    client_cpu: float = 0.0
    other_cpu: float = 0.0  # CPU used by other processes on the machine meanwhile

    def add(self, other: Phase) -> None:
        self.latencies += other.latencies
        self.problems += other.problems
        self.sent_ids += other.sent_ids
        self.wall += other.wall
        self.server_cpu += other.server_cpu
        self.client_cpu += other.client_cpu
        self.other_cpu += other.other_cpu


# ---- figures --------------------------------------------------------------------------------


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Figures:
    requests: int
    errors: int
    per_second: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    cpu_ms: float  # server CPU per request
    client_cpu_ms: float
    other_cpus: float  # CPUs' worth of other processes' work during the measured window

    @classmethod
    def of(cls, phase: Phase) -> Figures:
        n = len(phase.latencies)
        return cls(
            requests=n,
            errors=sum(phase.problems.values()),
            per_second=n / phase.wall,
            p50_ms=percentile(phase.latencies, 50) * 1000,
            p99_ms=percentile(phase.latencies, 99) * 1000,
            max_ms=max(phase.latencies) * 1000,
            cpu_ms=phase.server_cpu / n * 1000,
            client_cpu_ms=phase.client_cpu / n * 1000,
            other_cpus=phase.other_cpu / phase.wall,
        )


def report(edges: dict[str, tuple[Figures, Figures]], owners: int, *, paced: bool) -> None:
    """Each edge's submit beside its own SDK's bare echo bot, edges side by side."""
    columns = [c for edge, (ours, echo) in edges.items() for c in ((f"{edge} submit", ours), (f"{edge} echo", echo))]
    rows = [
        ("requests measured", lambda f: f"{f.requests}"),
        ("errors", lambda f: f"{f.errors}"),
        ("throughput (requests/s)", lambda f: f"{f.per_second:.1f}"),
        ("latency p50 (ms)", lambda f: f"{f.p50_ms:.1f}"),
        ("latency p99 (ms)", lambda f: f"{f.p99_ms:.1f}"),
        ("latency max (ms)", lambda f: f"{f.max_ms:.1f}"),
        ("server CPU per request (ms)", lambda f: f"{f.cpu_ms:.2f}"),
        ("load generator CPU per request (ms)", lambda f: f"{f.client_cpu_ms:.2f}"),
        ("other processes' load (CPUs busy)", lambda f: f"{f.other_cpus:.2f}"),
    ]
    print()
    print(f"{'':38}" + "".join(f"{label:>19}" for label, _ in columns))
    for label, cell in rows:
        print(f"{label:38}" + "".join(f"{cell(f):>19}" for _, f in columns))
    print()
    for edge, (ours, echo) in edges.items():
        ratio = ours.cpu_ms / echo.cpu_ms if echo.cpu_ms else float("inf")
        met = "met" if ratio <= CPU_GOAL_RATIO else "NOT met"
        print(f"{edge}: CPU per submit / CPU per echo activity {ratio:.2f}x (goal <= {CPU_GOAL_RATIO}x: {met})")
        goal = f"{edge}: goal p99 < {P99_GOAL_MS:.0f} ms at {owners} concurrent owners on SQLite"
        if paced:
            print(f"{goal}: {'met' if ours.p99_ms < P99_GOAL_MS else 'NOT met'} ({ours.p99_ms:.1f} ms)")
        else:
            # Owners read and type between submits; with none of that every request queues behind
            # the others (Little's law), the echo bot's too, so this load cannot judge latency.
            print(
                f"{goal}: judged at a person's pace, rerun with --think-ms 10000. Back to back every "
                f"request queues: p99 {ours.p99_ms:.0f} ms here, {echo.p99_ms:.0f} ms for the echo bot."
            )
    busy = max(f.other_cpus for _, f in columns)
    if busy > 0.25:
        print(
            f"Warning: other processes kept {busy:.1f} of the {os.cpu_count()} CPUs busy "
            "while measuring: latency and throughput are not this server's alone; "
            "CPU per request is less affected."
        )


def stored_exactly_once(database: Path, sent_ids: Sequence[str], per_action: int) -> tuple[bool, str]:
    """Every submission is one progress update: one row per activity id, `per_action` per action."""
    with sqlite3.connect(database) as db:
        stored = Counter(
            dict(
                db.execute(
                    "SELECT activity_id, COUNT(*) FROM progress_update WHERE source = 'teams' GROUP BY activity_id"
                )
            )
        )
        by_action = [
            n for (n,) in db.execute("SELECT COUNT(*) FROM progress_update WHERE source = 'teams' GROUP BY action_id")
        ]
    total = sum(stored.values())
    missing = [i for i in sent_ids if stored.get(i, 0) == 0]
    doubled = [i for i, n in stored.items() if n > 1]
    unexpected = set(stored) - set(sent_ids)
    uneven = [n for n in by_action if n != per_action]
    ok = not (missing or doubled or unexpected or uneven) and total == len(sent_ids)
    text = f"{total} progress updates stored for {len(sent_ids)} submissions ({len(by_action)} actions x {per_action})"
    if not ok:
        text += (
            f"; missing {len(missing)}, stored twice {len(doubled)}, not sent {len(unexpected)}, "
            f"actions with a wrong count {len(uneven)}"
        )
    return ok, text
