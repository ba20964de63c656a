"""Fan-out: N monthly prompts, one per person, from the outbox to the fake Bot Connector.

The fake runs as its own process, enforcing Teams' windows exactly (sliding, per conversation and
per app, every call counted on arrival; a call over a window is a violation) and failing a share
of calls at random with 429 (Retry-After: 1), 500 or 503. The delivery worker sends through the
production path (outbox rows → CloudAdapter → HTTP): in this process, or with `--instances N` as
N `cqcbot deliver` processes sharing the ceiling through the database (PostgreSQL). Prints the
overall rate against the ceiling — the headline — window violations, how many prompts were lost
or sent twice (from the fake's own record), wall time and memory. A benchmark: it prints figures,
it asserts nothing.

    .venv/bin/python -m bench.fanout [--people 1000] [--app-rate 50] [--failure-rate 0.1]
                                      [--database-url postgresql+asyncpg://...] [--instances 1] [--seed 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import sys
import tempfile
import time
import tracemalloc
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from bot.delivery.loop import Until, run_worker
from bot.delivery.worker import DeliveryConfig, DeliveryWorker
from bot.settings import Settings
from bot.teams.adapter import new_adapter
from bot.teams.gateway import BotFrameworkGateway
from domain.outbox import OPEN_STATUSES, MessageKind, Recipient, message_payload
from storage import delivery_instances, outbox
from storage.engine import new_engine, new_sessionmaker
from storage.migrate import upgrade
from storage.models import ConversationRef, OutboxMessage, Person
from tests.databases import private_postgres_database

ROOT = Path(__file__).resolve().parent.parent
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
IDLE_POLL = DeliveryConfig().idle_poll


def _args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--app-rate", type=float, default=50.0, help="the ceiling, requests/s (ours and the fake's)")
    parser.add_argument("--failure-rate", type=float, default=0.1)
    parser.add_argument("--failure-statuses", default="429,500,503", help="what the failures answer")
    parser.add_argument("--concurrency", type=int, default=16, help="calls in flight (≈ rate × latency)")
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--tracemalloc", action="store_true", help="also trace the Python heap (slower)")
    parser.add_argument(
        "--instances", type=int, default=1, help="delivery processes sharing the ceiling (more than 1: PostgreSQL)"
    )
    parser.add_argument(
        "--database-url",
        default=None,
        help="a PostgreSQL server to create a private database on (default: a new SQLite file)",
    )
    return parser.parse_args()


async def _start_fake(args: argparse.Namespace, dump: Path) -> tuple[asyncio.subprocess.Process, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.connector",
        "--port",
        "0",
        "--enforce-limits",
        "--failure-rate",
        str(args.failure_rate),
        "--failure-statuses",
        args.failure_statuses,
        "--app-rate",
        str(args.app_rate),
        "--seed",
        str(args.seed),
        "--dump",
        str(dump),
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    assert process.stdout is not None
    line = (await asyncio.wait_for(process.stdout.readline(), 30)).decode()
    if not line.startswith("LISTENING "):
        raise SystemExit(f"the fake connector did not start: {line!r}")
    return process, line.split()[1]


async def _seed(sessions: Any, people: int, service_url: str) -> list[int]:
    now = datetime.now(UTC)
    async with sessions.begin() as session:
        await session.execute(
            insert(Person),
            [
                {
                    "name": f"Person {n}",
                    "email": f"p{n}@council.gov.uk",
                    "aad_object_id": f"aad-{n}",
                    "roles": [],
                    "active": True,
                }
                for n in range(people)
            ],
        )
        ids = dict((await session.execute(select(Person.email, Person.id))).all())
        await session.execute(
            insert(ConversationRef),
            [
                {
                    "conversation_id": f"a:personal-{n}",
                    "kind": "personal",
                    "service_url": service_url,
                    "tenant_id": TENANT,
                    "channel_id": "msteams",
                    "bot_id": "28:bench-bot",
                    "user_id": f"29:u{n}",
                    "person_id": ids[f"p{n}@council.gov.uk"],
                    "installed": True,
                    "updated_at": now,
                }
                for n in range(people)
            ],
        )
    return [ids[f"p{n}@council.gov.uk"] for n in range(people)]


async def _enqueue(sessions: Any, person_ids: list[int], *, due_in: float = 0.0) -> list[str]:
    """The month's prompts, one per person, due now or `due_in` seconds from now."""
    now = datetime.now(UTC)
    due = now + timedelta(seconds=due_in) if due_in else None
    keys = []
    async with sessions.begin() as session:
        for person_id in person_ids:
            key = f"prompt/bench/person-{person_id}/0"
            card = {"type": "AdaptiveCard", "version": "1.5", "body": [{"type": "TextBlock", "text": key}]}
            await outbox.enqueue(
                session,
                key=key,
                recipient=Recipient.person(person_id),
                kind=MessageKind.PROMPT,
                payload=message_payload(card=card),
                now=now - timedelta(seconds=1),
                not_before=due,
            )
            keys.append(key)
    return keys


def _key(call: dict[str, Any]) -> str | None:
    try:
        return call["json"]["attachments"][0]["content"]["body"][0]["text"]
    except (KeyError, IndexError, TypeError):
        return None


def main() -> None:
    args = _args()
    workdir = Path(tempfile.mkdtemp(prefix="fanout-"))
    if args.database_url:
        with private_postgres_database(args.database_url) as url:
            asyncio.run(_run(args, workdir, url))
    else:
        asyncio.run(_run(args, workdir, f"sqlite+aiosqlite:///{workdir / 'fanout.db'}"))


async def _run(args: argparse.Namespace, workdir: Path, url: str) -> None:
    await asyncio.to_thread(upgrade, url)
    dump = workdir / "connector.json"
    fake, service_url = await _start_fake(args, dump)
    engine = new_engine(url)
    sessions = new_sessionmaker(engine)
    try:
        people = await _seed(sessions, args.people, service_url)
        if args.instances > 1:
            keys, run = await _deliver_in_servers(args, url, workdir, sessions, people)
        else:
            keys = await _enqueue(sessions, people)
            run = await _deliver_here(args, url, sessions)
        async with sessions() as session:
            statuses = Counter((await session.scalars(select(OutboxMessage.status))).all())
    finally:
        await engine.dispose()
        fake.send_signal(signal.SIGTERM)
        await fake.wait()
    _report(args, keys, json.loads(dump.read_text()), statuses, run)


async def _deliver_here(args: argparse.Namespace, url: str, sessions: Any) -> Run:
    settings = Settings(_env_file=None, DATABASE_URL=url, MicrosoftAppId="")
    gateway = BotFrameworkGateway(new_adapter(settings), "")
    config = DeliveryConfig(app_rate=args.app_rate, batch=args.batch, concurrency=args.concurrency)
    worker = DeliveryWorker(sessions, gateway, config)
    if args.tracemalloc:  # exact Python heap peak, but it slows every allocation down
        tracemalloc.start()
    started, cpu_started = time.monotonic(), time.process_time()
    await run_worker(worker, until=Until.EMPTY)
    wall, cpu = time.monotonic() - started, time.process_time() - cpu_started
    peak = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return Run(wall, cpu, peak, rss_mb, worker.rate_cuts(), *worker.paused_total())


async def _deliver_in_servers(
    args: argparse.Namespace, url: str, workdir: Path, sessions: Any, people: list[int]
) -> tuple[list[str], Run]:
    """N `cqcbot serve` instances, as a deployment runs them: up and sharing the ceiling before
    the round opens (their start-up is not the fan-out's), then the prompts are queued."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(
        DATABASE_URL=url,
        MicrosoftAppId="",
        SCHEDULER_ENABLED="false",
        DELIVERY_APP_RATE=str(args.app_rate),
        DELIVERY_CONCURRENCY=str(args.concurrency),
        DELIVERY_BATCH=str(args.batch),
        LOG_LEVEL="WARNING",
    )
    servers = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "serve",
            cwd=workdir,
            env={**env, "PORT": str(_free_port())},
            stdout=asyncio.subprocess.DEVNULL,
            stderr=(workdir / f"serve-{n}.log").open("w"),
        )
        for n in range(args.instances)
    ]
    try:
        await _until(sessions, lambda s: _all_sharing(s, args.instances, args.app_rate), within=120)
        started = time.monotonic()
        # Due a little later, as a round opening at 09:00 is: every instance, polling the outbox
        # while idle (every 2 s), sees when and wakes for it, rather than one polling late.
        keys = await _enqueue(sessions, people, due_in=IDLE_POLL + 0.5)
        await _until(sessions, _nothing_open, within=600)
        wall = time.monotonic() - started
    finally:
        for server in servers:
            if server.returncode is None:
                server.send_signal(signal.SIGTERM)
        await asyncio.gather(*(server.wait() for server in servers))
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return keys, Run(wall, usage.ru_utime + usage.ru_stime, None, usage.ru_maxrss / 1024, None, None, None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _until(sessions: Any, done: Callable[[Any], Awaitable[bool]], *, within: float) -> None:
    async with asyncio.timeout(within):
        while True:
            async with sessions() as session:
                if await done(session):
                    return
            await asyncio.sleep(0.25)


async def _all_sharing(session: Any, instances: int, ceiling: float) -> bool:
    """Every instance is live and pacing at its share (as of its last heartbeat)."""
    live = await delivery_instances.live_instances(session, now=datetime.now(UTC))
    return len(live) == instances and all(i.share == ceiling / instances for i in live)


async def _nothing_open(session: Any) -> bool:
    counts = await outbox.status_counts(session)
    return not any(counts[s] for s in OPEN_STATUSES)


@dataclass(frozen=True)
class Run:
    wall: float  # seconds, delivery only (with --instances: from queueing the prompts to the last outcome)
    cpu: float  # seconds of CPU: this process, or the delivery processes (and the fake)
    peak: int | None  # bytes of Python heap, with --tracemalloc
    rss_mb: float  # max RSS: this process, or the largest child process
    rate_cuts: int | None  # AIMD decreases of the app rate (in-process only)
    pauses: int | None  # whole-app pauses for repeated app-level 429s (in-process only)
    paused: float | None  # seconds they covered


def _report(
    args: argparse.Namespace,
    keys: list[str],
    record: dict[str, Any],
    statuses: Counter[str],
    run: Run,
) -> None:
    calls = record["calls"]
    deliveries = Counter(_key(c) for c in calls if c.get("delivered_id"))
    lost = [k for k in keys if deliveries[k] == 0]
    duplicated = [k for k in keys if deliveries[k] > 1]
    refused = Counter(f"{c['fault']} {c['status']}" for c in calls if c.get("fault"))
    delivered = len(keys) - len(lost)
    ceiling = args.app_rate
    arrivals = sorted(c["time"] for c in calls)
    # From the first request Teams saw to the last: the instances' start-up is not delivery time.
    span = arrivals[-1] - arrivals[0] if len(arrivals) > 1 else run.wall
    overall = len(calls) / span / ceiling if span > 0 else 0.0
    violations = len(record["window_violations"])

    def line(label: str, value: str) -> None:
        print(f"  {label:<24}{value}")

    print(
        f"fan-out of {args.people} prompts; ceiling {ceiling:g} requests/s shared by {args.instances} instance(s); "
        f"{args.failure_rate:.0%} of calls fail ({args.failure_statuses}); "
        f"concurrency {args.concurrency}, batch {args.batch}"
    )
    rate = f"{len(calls)} requests in {span:.1f} s = {len(calls) / span:.1f}/s"
    line("OVERALL RATIO", f"{overall:.3f} of the ceiling ({rate})")
    line("prompts delivered", f"{delivered} = {delivered / span:.1f}/s")
    line("window violations", f"{violations}  (calls over an app or conversation window, as Teams counts them)")
    line("refused by the fake", f"{dict(refused) or 'none'}  (random: injected; throttled: over a window)")
    if run.rate_cuts is not None:
        line("429 handling", f"{run.rate_cuts} app-rate cut(s); {run.pauses} whole-app pause(s), {run.paused:.1f} s")
    line("lost", f"{len(lost)}  (never delivered; outbox: {dict(statuses)})")
    line("duplicated", str(len(duplicated)))
    line("wall time", f"{run.wall:.1f} s  ({run.cpu:.1f} s of CPU)")
    heap = f", Python heap peak {run.peak / 1e6:.1f} MB" if run.peak is not None else ""
    line("peak memory", f"{run.rss_mb:.0f} MB max RSS{heap}")
    goal = 0.9 if args.failure_rate > 0 else 0.95
    met = overall >= goal and not violations and not lost and not duplicated
    print(f"goal (overall >= {goal}, 0 window violations, 0 lost, 0 duplicated): {'met' if met else 'NOT met'}")


if __name__ == "__main__":
    main()
