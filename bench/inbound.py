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
    .venv/bin/python -m bench.inbound --workers 2 --database-url postgresql+asyncpg://…   (bench/inbound_workers.py)
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
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import yaml
from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector

from bench.inbound_figures import Figures, Phase, report, stored_exactly_once
from bench.inbound_setup import (
    BOT_ACCOUNT,
    CARD_VERSION,
    RAGS,
    TENANT_ID,
    Owner,
    Server,
    free_port,
    machine_cpu_seconds,
    open_progress_round,
    plan_document,
    run_cli,
    start_connector,
)

# ---- the load -------------------------------------------------------------------------------


def submit_activity(owner: Owner, round_no: int, *, service_url: str, round_id: int) -> dict[str, Any]:
    """Action.Execute progress.submit from the owner's personal chat, as Teams sends it."""
    sender = {"id": owner.teams_id, "name": owner.name, "aadObjectId": owner.aad_object_id}
    data = {
        "cycle_id": round_id,
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
    load: Load
    measured: Phase = field(default_factory=Phase)
    sent_ids: list[str] = field(default_factory=list)
    warmup_problems: Counter[str] = field(default_factory=Counter)

    async def run(self, session: ClientSession, rounds: range, *, warmup: bool) -> None:
        phase = await run_phase(session, self.server, self.load, rounds, self.check)
        self.sent_ids += phase.sent_ids
        if warmup:
            self.warmup_problems += phase.problems
        else:
            self.measured.add(phase)


async def bench(targets: Sequence[Target], warmup: int, rounds: int, blocks: int) -> None:
    """Warm every server up, then measure them in turn, block by block.

    Taking turns in blocks spreads any drift in the machine's other load over all of them,
    so the CPU ratio is not skewed by what else happened to run during one server's turn.
    """
    async with ClientSession(connector=TCPConnector(limit=0), timeout=ClientTimeout(total=60)) as session:
        for target in targets:
            await target.server.wait_ready(session)
            await target.run(session, range(1, warmup + 1), warmup=True)
        per_block = math.ceil(rounds / blocks)
        for first in range(warmup + 1, warmup + rounds + 1, per_block):
            block = range(first, min(first + per_block, warmup + rounds + 1))
            for target in targets:
                await target.run(session, block, warmup=False)


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


ECHO_BOTS = {"botbuilder": "bench.echo_bot", "agents": "bench.echo_agents"}


@dataclass
class Edge:
    """One Teams edge under test: our bot on it (its own database) and that SDK's bare echo bot."""

    name: str
    database: Path
    ours: Target
    floor: Target


def _load_plan(folder: Path, owners: Sequence[Owner], env: dict[str, str]) -> None:
    """A migrated SQLite database in `folder` with the generated plan."""
    folder.mkdir()
    run_cli(["db", "upgrade"], env)
    plan = folder / "plan.yaml"
    plan.write_text(
        yaml.safe_dump(plan_document(owners, datetime.now(UTC).date()), sort_keys=False, allow_unicode=True),
        encoding="utf-8",
    )
    run_cli(["plan", "import", str(plan)], env)


async def main_async(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="cqcbot-bench-"))
    owners = [Owner(n) for n in range(1, args.owners + 1)]
    names = list(ECHO_BOTS) if args.edge == "both" else [args.edge]
    print(
        f"{args.owners} owners x ({args.warmup} warm-up + {args.rounds} measured) submits each, "
        f"think time {args.think_ms:g} ms, edges {', '.join(names)}; {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}; in {workdir}"
    )
    connector, service_url = start_connector(
        workdir / "connector.log", workdir / "connector.json", _environment("sqlite+aiosqlite://", 0, args.log_level)
    )
    servers: list[Server] = []
    edges: list[Edge] = []
    try:
        for name in names:
            database = workdir / name / "bench.db"
            bot_port, echo_port = free_port(), free_port()
            env = {**_environment(f"sqlite+aiosqlite:///{database}", bot_port, args.log_level), "BOT_SDK": name}
            _load_plan(database.parent, owners, env)
            round_id = await open_progress_round(env["DATABASE_URL"], datetime.now(UTC).date())
            bot = Server.start(
                f"cqcbot serve ({name})",
                [sys.executable, "-m", "bot", "serve"],
                env,
                workdir / name / "bot.log",
                f"http://127.0.0.1:{bot_port}/",
            )
            servers.append(bot)
            echo = Server.start(
                f"{name} echo bot",
                [sys.executable, "-m", ECHO_BOTS[name], "--port", str(echo_port)],
                env,
                workdir / name / "echo.log",
                f"http://127.0.0.1:{echo_port}/",
            )
            servers.append(echo)
            load = Load(
                owners, partial(submit_activity, service_url=service_url, round_id=round_id), args.think_ms / 1000
            )
            edges.append(Edge(name, database, Target(bot, receipt_check, load), Target(echo, echo_check, load)))
        await bench([t for e in edges for t in (e.ours, e.floor)], args.warmup, args.rounds, args.blocks)
    finally:
        for server in servers:
            server.stop()
        connector.send_signal(signal.SIGTERM)
        connector.wait(timeout=15)

    report(
        {e.name: (Figures.of(e.ours.measured), Figures.of(e.floor.measured)) for e in edges},
        args.owners,
        paced=args.think_ms > 0,
    )
    clean = True
    for edge in edges:
        for label, target in ((f"CQC bot on {edge.name}", edge.ours), (f"{edge.name} echo bot", edge.floor)):
            for problem, count in target.measured.problems.most_common(5):
                print(f"  {label}: {count} x {problem}")
            for problem, count in target.warmup_problems.most_common(5):
                print(f"  {label} (warm-up): {count} x {problem}")
            clean = clean and not target.measured.problems and not target.warmup_problems
        ok, text = stored_exactly_once(edge.database, edge.ours.sent_ids, args.warmup + args.rounds)
        print(f"Stored exactly once on {edge.name}: {'yes' if ok else 'NO'} — {text}")
        clean = clean and ok
    dump = json.loads((workdir / "connector.json").read_text(encoding="utf-8"))
    calls = dump["summary"]["calls"]
    print(
        f"Bot Connector calls during the run: {calls}"
        + (f" ({dict(dump['summary']['by_kind'])})" if calls else " (the invoke path makes none)")
    )
    clean = clean and calls == 0
    if clean and not args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"Logs (bot.log, echo.log per edge, connector.json) and the databases kept in {workdir}")
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
    parser.add_argument(
        "--edge",
        choices=["botbuilder", "agents", "both"],
        default="both",
        help="the Teams edge(s) to measure (BOT_SDK), each against its own SDK's echo bot (default both)",
    )
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL for both servers (default INFO, as deployed)")
    parser.add_argument("--keep", action="store_true", help="keep the database and logs even when all is well")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="compare `cqcbot serve --workers N` with one worker instead of the echo bot (needs --database-url)",
    )
    parser.add_argument("--database-url", default=None, help="PostgreSQL server for --workers (a private database)")
    args = parser.parse_args(argv)
    if args.owners < 1 or args.rounds < 1 or args.warmup < 0 or args.blocks < 1 or args.think_ms < 0:
        parser.error("--owners, --rounds and --blocks must be at least 1; --warmup and --think-ms at least 0")
    if args.workers:
        from bench.inbound_workers import run

        sys.exit(run(args))
    sys.exit(asyncio.run(main_async(args)))


if __name__ == "__main__":
    main()
