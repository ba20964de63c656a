"""bench.inbound's set-up: the generated plan, the open round, and the processes it measures."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from aiohttp import ClientSession

REPO = Path(__file__).resolve().parent.parent
TENANT_ID = "6f0d5a3e-2c4b-4f7e-9a1d-3b5c7e9f1a2b"
BOT_ACCOUNT = {"id": "28:bench-bot", "name": "CQC Improvement"}
CARD_VERSION = "progress-1"  # dialogs.progress.PROGRESS_CARD_VERSION
RAGS = ("green", "amber", "red")
CPU_GOAL_RATIO = 1.5
P99_GOAL_MS = 100.0
READY_TIMEOUT_S = 30.0


# ---- the generated plan ---------------------------------------------------------------------


@dataclass(frozen=True)
class Owner:
    number: int

    @property
    def email(self) -> str:
        return f"owner{self.number:03d}@bench.example"

    @property
    def name(self) -> str:
        return f"Bench Owner {self.number:03d}"

    @property
    def aad_object_id(self) -> str:
        return f"00000000-0000-4000-8000-{self.number:012d}"

    @property
    def teams_id(self) -> str:
        return f"29:bench-owner-{self.number:03d}"

    @property
    def action_ref(self) -> str:
        return f"BENCH-{self.number:03d}"


def plan_document(owners: Sequence[Owner], today: date) -> dict[str, Any]:
    """A plan in the plan-file format: one theme, one quality statement, one action per owner."""
    return {
        "organisation": "Benchmark Borough Council — Adults Directorate",
        "timezone": "Europe/London",
        "people": [
            {"name": o.name, "email": o.email, "aad_object_id": o.aad_object_id, "roles": ["owner"]} for o in owners
        ],
        "themes": [
            {
                "id": "working-with-people",
                "name": "Working with People",
                "quality_statements": [{"id": "assessing-needs", "name": "Assessing people's needs", "score": 2}],
            }
        ],
        "actions": [
            {
                "ref": o.action_ref,
                "theme": "working-with-people",
                "quality_statement": "assessing-needs",
                "requirement": "Reduce the waiting list for care plan reviews",
                "owner": o.email,
                "due": (today + timedelta(days=180)).isoformat(),
                "status": "in_progress",
                "rag": "amber",
                # An earlier update, as in a real plan: the card shows last month's narrative.
                "progress": [
                    {
                        "date": (today - timedelta(days=30)).isoformat(),
                        "rag": "amber",
                        "narrative": "Baseline agreed with the improvement group.",
                    }
                ],
            }
            for o in owners
        ],
    }


async def open_progress_round(database_url: str, today: date) -> int:
    """This month's progress round, open, as `cqcbot cycle open` would leave it. Returns its id."""
    from storage.engine import new_engine, new_sessionmaker
    from storage.models import RoundRow

    engine = new_engine(database_url)
    try:
        async with new_sessionmaker(engine).begin() as session:
            round_ = RoundRow(
                kind="progress",
                month=f"{today:%Y-%m}",
                opened_at=datetime.now(UTC),
                deadline=today + timedelta(days=14),
                closed_at=None,
            )
            session.add(round_)
            await session.flush()
            return round_.id
    finally:
        await engine.dispose()


# ---- processes ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process (all its threads), from /proc/PID/stat."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the command name may hold spaces
    utime, stime = int(fields[11]), int(fields[12])  # fields 14 and 15 of proc(5)
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time used by everything on the machine (all CPUs), from /proc/stat."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


@dataclass
class Server:
    """A server process whose output goes to a log file (a full pipe would stall it)."""

    name: str
    process: subprocess.Popen[bytes]
    base_url: str
    log: Path

    @classmethod
    def start(cls, name: str, argv: list[str], env: dict[str, str], log: Path, base_url: str) -> Server:
        with log.open("wb") as out:
            process = subprocess.Popen(argv, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
        return cls(name, process, base_url, log)

    async def wait_ready(self, session: ClientSession) -> None:
        deadline = time.monotonic() + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log}")
            try:
                async with session.get(self.base_url + "healthz") as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            await asyncio.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {READY_TIMEOUT_S}s; see {self.log}")

    def cpu(self) -> float:
        return cpu_seconds(self.process.pid)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_connector(log: Path, dump: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], str]:
    """The fake Bot Connector as a process; returns it and its serviceUrl."""
    with log.open("wb") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.fakes.connector", "--port", "0", "--dump", str(dump)],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    assert process.stdout is not None
    line = process.stdout.readline().decode().strip()  # printed once, then nothing more
    if not line.startswith("LISTENING "):
        process.kill()
        raise RuntimeError(f"the fake connector did not start: {line!r}; see {log}")
    return process, line.split(" ", 1)[1]


def run_cli(argv: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"cqcbot {' '.join(argv)} failed:\n{result.stdout}{result.stderr}")
