"""Inbound speed: N owners submit progress concurrently through /api/messages, against the floor.

Starts, each as its own process: the fake Bot Connector (where any outgoing call would land, so
we can count them), `cqcbot serve` in local mode on a fresh migrated SQLite database holding a
generated plan of N owners each owning one action and known by their Entra object id, and a bare
botbuilder echo bot (`bench/echo_bot.py`), the framework's floor. Each owner is one client that
submits its action's progress card (an `adaptiveCard/action` invoke: Action.Execute
`progress.submit` in this month's open round, a fresh card id each time) round after round,
waiting for each answer before sending the next; the echo bot gets the same activities in the
same shape. After warm-up rounds on each, the two servers are measured in turns (blocks of
rounds), never at the same time: latency (p50/p99), requests per second, and the server
process's CPU time per request (utime+stime of all its threads, from /proc/PID/stat). It prints
both, their CPU ratio and whether the goals are met, then checks every submission was stored
exactly once and that the Bot Connector was not called.

    .venv/bin/python -m bench.inbound [--owners 50] [--rounds 20] [--warmup 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import os
import random
import resource
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml
from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector

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
    from storage.models import Cycle

    engine = new_engine(database_url)
    try:
        async with new_sessionmaker(engine).begin() as session:
            cycle = Cycle(
                kind="progress",
                month=f"{today:%Y-%m}",
                opened_at=datetime.now(UTC),
                deadline=today + timedelta(days=14),
                closed_at=None,
            )
            session.add(cycle)
            await session.flush()
            return cycle.id
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


# ---- the load -------------------------------------------------------------------------------


def submit_activity(owner: Owner, service_url: str, cycle_id: int, round_no: int) -> dict[str, Any]:
    """Action.Execute progress.submit from the owner's personal chat, as Teams sends it."""
    sender = {"id": owner.teams_id, "name": owner.name, "aadObjectId": owner.aad_object_id}
    data = {
        "cycle_id": cycle_id,
        "action_ref": owner.action_ref,
        "card_version": CARD_VERSION,
        "card_id": uuid.uuid4().hex,
        "rag": RAGS[(owner.number + round_no) % len(RAGS)],
        "narrative": (
            f"Round {round_no}: reviews allocated to the locality teams; the weekly panel "
            "now tracks the oldest cases and the waiting list is coming down."
        ),
        "evidence": f"https://bench.example/sites/asc/{owner.action_ref.lower()}/round-{round_no}.docx",
        "blockers": "Need sign-off for agency cover in the review team." if round_no % 2 else "",
        "revised_due": "",
    }
    return {
        "type": "invoke",
        "name": "adaptiveCard/action",
        "id": f"bench-{uuid.uuid4().hex}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "localTimezone": "Europe/London",
        "locale": "en-GB",
        "from": sender,
        "recipient": BOT_ACCOUNT,
        "conversation": {
            "id": f"a:bench-personal-{owner.number:03d}",
            "conversationType": "personal",
            "tenantId": TENANT_ID,
        },
        "channelData": {"tenant": {"id": TENANT_ID}, "source": {"name": "message"}},
        "replyToId": f"bench-card-{owner.number:03d}",
        "value": {
            "action": {"type": "Action.Execute", "verb": "progress.submit", "data": data},
            "trigger": "manual",
        },
    }


Check = Callable[[int, dict[str, Any]], str | None]


def receipt_check(status: int, body: dict[str, Any]) -> str | None:
    """None when the bot answered with the receipt card; otherwise what it answered."""
    if status != 200:
        return f"HTTP {status}"
    if body.get("statusCode") != 200 or body.get("type") != "application/vnd.microsoft.card.adaptive":
        return f"invoke {body.get('statusCode')} {body.get('type')}"
    if "Progress recorded" not in json.dumps(body.get("value"), ensure_ascii=False):
        return "a card that is not the receipt"
    return None


def echo_check(status: int, body: dict[str, Any]) -> str | None:
    return None if status == 200 and body.get("statusCode") == 200 else f"HTTP {status} {body.get('statusCode')}"


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


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass(frozen=True)
class Load:
    owners: Sequence[Owner]
    build: Callable[[Owner, int], dict[str, Any]]
    think: float  # mean seconds an owner waits between submits (0: none)


async def run_phase(session: ClientSession, server: Server, load: Load, rounds: range, check: Check) -> Phase:
    """Every owner submits once per round, one request at a time, all owners at once."""
    phase = Phase()
    url = server.base_url + "api/messages"
    start = asyncio.Event()

    async def owner_loop(owner: Owner) -> None:
        await start.wait()
        pace = random.Random(owner.number)
        for round_no in rounds:
            if load.think:
                await asyncio.sleep(pace.expovariate(1 / load.think))
            activity = load.build(owner, round_no)
            payload = json.dumps(activity).encode()
            phase.sent_ids.append(activity["id"])  # sent, whatever comes back
            began = time.perf_counter()
            try:
                async with session.post(url, data=payload, headers={"Content-Type": "application/json"}) as response:
                    raw = await response.read()
                    status = response.status
            except (OSError, TimeoutError, ClientError) as exc:
                phase.latencies.append(time.perf_counter() - began)
                phase.problems[f"{exc.__class__.__name__}"] += 1
                continue
            phase.latencies.append(time.perf_counter() - began)
            try:
                body = json.loads(raw) if raw else {}
            except json.JSONDecodeError:
                body = {}
            problem = check(status, body if isinstance(body, dict) else {})
            if problem:
                phase.problems[problem] += 1

    tasks = [asyncio.create_task(owner_loop(o)) for o in load.owners]
    await asyncio.sleep(0)  # every owner waiting at the line
    cpu_before, client_before, machine_before = server.cpu(), _own_cpu(), machine_cpu_seconds()
    began = time.perf_counter()
    start.set()
    await asyncio.gather(*tasks)
    phase.wall = time.perf_counter() - began
    phase.server_cpu, phase.client_cpu = server.cpu() - cpu_before, _own_cpu() - client_before
    phase.other_cpu = max(0.0, machine_cpu_seconds() - machine_before - phase.server_cpu - phase.client_cpu)
    return phase


@dataclass
class Target:
    """One server under test, with what it has been through so far."""

    server: Server
    check: Check
    measured: Phase = field(default_factory=Phase)
    sent_ids: list[str] = field(default_factory=list)
    warmup_problems: Counter[str] = field(default_factory=Counter)

    async def run(self, session: ClientSession, load: Load, rounds: range, *, warmup: bool) -> None:
        phase = await run_phase(session, self.server, load, rounds, self.check)
        self.sent_ids += phase.sent_ids
        if warmup:
            self.warmup_problems += phase.problems
        else:
            self.measured.add(phase)


async def bench(targets: Sequence[Target], load: Load, warmup: int, rounds: int, blocks: int) -> None:
    """Warm every server up, then measure them in turn, block by block.

    Taking turns in blocks spreads any drift in the machine's other load over all of them,
    so the CPU ratio is not skewed by what else happened to run during one server's turn.
    """
    async with ClientSession(connector=TCPConnector(limit=0), timeout=ClientTimeout(total=60)) as session:
        for target in targets:
            await target.server.wait_ready(session)
            await target.run(session, load, range(1, warmup + 1), warmup=True)
        per_block = math.ceil(rounds / blocks)
        for first in range(warmup + 1, warmup + rounds + 1, per_block):
            block = range(first, min(first + per_block, warmup + rounds + 1))
            for target in targets:
                await target.run(session, load, block, warmup=False)


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


def report(ours: Figures, echo: Figures, owners: int) -> None:
    rows = [
        ("requests measured", f"{ours.requests}", f"{echo.requests}"),
        ("errors", f"{ours.errors}", f"{echo.errors}"),
        ("throughput (requests/s)", f"{ours.per_second:.1f}", f"{echo.per_second:.1f}"),
        ("latency p50 (ms)", f"{ours.p50_ms:.1f}", f"{echo.p50_ms:.1f}"),
        ("latency p99 (ms)", f"{ours.p99_ms:.1f}", f"{echo.p99_ms:.1f}"),
        ("latency max (ms)", f"{ours.max_ms:.1f}", f"{echo.max_ms:.1f}"),
        ("server CPU per request (ms)", f"{ours.cpu_ms:.2f}", f"{echo.cpu_ms:.2f}"),
        (
            "load generator CPU per request (ms)",
            f"{ours.client_cpu_ms:.2f}",
            f"{echo.client_cpu_ms:.2f}",
        ),
        ("other processes' load (CPUs busy)", f"{ours.other_cpus:.2f}", f"{echo.other_cpus:.2f}"),
    ]
    print()
    print(f"{'':38}{'CQC bot submit':>16}{'echo bot':>12}")
    for label, a, b in rows:
        print(f"{label:38}{a:>16}{b:>12}")
    ratio = ours.cpu_ms / echo.cpu_ms if echo.cpu_ms else float("inf")
    print()
    print(f"CPU per submit / CPU per echo activity: {ratio:.2f}x")
    met = "met" if ratio <= CPU_GOAL_RATIO else "NOT met"
    print(f"Goal: CPU per submit <= {CPU_GOAL_RATIO}x the echo bot's: {met} ({ratio:.2f}x)")
    print(
        f"Goal: p99 < {P99_GOAL_MS:.0f} ms at {owners} concurrent owners on SQLite: "
        f"{'met' if ours.p99_ms < P99_GOAL_MS else 'NOT met'} ({ours.p99_ms:.1f} ms)"
    )
    busy = max(ours.other_cpus, echo.other_cpus)
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


# ---- the run --------------------------------------------------------------------------------


def _environment(database_url: str, port: int, log_level: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith(("microsoftapp", "microsoft_app"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "LOG_LEVEL": log_level,
            "SCHEDULER_ENABLED": "false",
            "TIMEZONE": "Europe/London",
            "MicrosoftAppId": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="cqcbot-bench-"))
    database = workdir / "bench.db"
    database_url = f"sqlite+aiosqlite:///{database}"
    bot_port, echo_port = free_port(), free_port()
    env = _environment(database_url, bot_port, args.log_level)
    owners = [Owner(n) for n in range(1, args.owners + 1)]
    today = datetime.now(UTC).date()
    print(
        f"{args.owners} owners x ({args.warmup} warm-up + {args.rounds} measured) submits each, "
        f"think time {args.think_ms:g} ms; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; in {workdir}"
    )

    run_cli(["db", "upgrade"], env)
    plan = workdir / "plan.yaml"
    plan.write_text(
        yaml.safe_dump(plan_document(owners, today), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    run_cli(["plan", "import", str(plan)], env)
    cycle_id = await open_progress_round(database_url, today)

    connector, service_url = start_connector(workdir / "connector.log", workdir / "connector.json", env)
    load = Load(
        owners,
        lambda owner, n: submit_activity(owner, service_url, cycle_id, n),
        args.think_ms / 1000,
    )
    servers: list[Server] = []
    try:
        servers.append(
            Server.start(
                "cqcbot serve",
                [sys.executable, "-m", "bot", "serve"],
                env,
                workdir / "bot.log",
                f"http://127.0.0.1:{bot_port}/",
            )
        )
        servers.append(
            Server.start(
                "echo bot",
                [sys.executable, "-m", "bench.echo_bot", "--port", str(echo_port)],
                env,
                workdir / "echo.log",
                f"http://127.0.0.1:{echo_port}/",
            )
        )
        ours, floor = Target(servers[0], receipt_check), Target(servers[1], echo_check)
        await bench([ours, floor], load, args.warmup, args.rounds, args.blocks)
    finally:
        for server in servers:
            server.stop()
        connector.send_signal(signal.SIGTERM)
        connector.wait(timeout=15)

    ours_figures, echo_figures = Figures.of(ours.measured), Figures.of(floor.measured)
    report(ours_figures, echo_figures, args.owners)
    for label, target in (("CQC bot", ours), ("echo bot", floor)):
        for problem, count in target.measured.problems.most_common(5):
            print(f"  {label}: {count} x {problem}")
        for problem, count in target.warmup_problems.most_common(5):
            print(f"  {label} (warm-up): {count} x {problem}")

    ok, text = stored_exactly_once(database, ours.sent_ids, args.warmup + args.rounds)
    print(f"Stored exactly once: {'yes' if ok else 'NO'} — {text}")
    dump = json.loads((workdir / "connector.json").read_text(encoding="utf-8"))
    calls = dump["summary"]["calls"]
    print(
        f"Bot Connector calls during the run: {calls}"
        + (f" ({dict(dump['summary']['by_kind'])})" if calls else " (the invoke path makes none)")
    )
    clean = (
        ok
        and calls == 0
        and ours_figures.errors == 0
        and echo_figures.errors == 0
        and not ours.warmup_problems
        and not floor.warmup_problems
    )
    if clean and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"Logs (bot.log, echo.log, connector.json) and the database kept in {workdir}")
    return 0 if clean else 1


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.inbound",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--owners", type=int, default=50, help="concurrent owners (default 50)")
    parser.add_argument("--rounds", type=int, default=20, help="measured submits per owner (default 20)")
    parser.add_argument("--warmup", type=int, default=3, help="warm-up submits per owner (default 3)")
    parser.add_argument(
        "--blocks",
        type=int,
        default=4,
        help="measure the two servers in turn, in this many blocks of rounds (default 4)",
    )
    parser.add_argument(
        "--think-ms",
        type=float,
        default=0.0,
        help="mean pause of an owner between submits, exponential (default 0: back to back)",
    )
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL for both servers (default INFO, as deployed)")
    parser.add_argument("--keep", action="store_true", help="keep the database and logs even when all is well")
    args = parser.parse_args(argv)
    if args.owners < 1 or args.rounds < 1 or args.warmup < 0 or args.blocks < 1 or args.think_ms < 0:
        parser.error("--owners, --rounds and --blocks must be at least 1; --warmup and --think-ms at least 0")
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
