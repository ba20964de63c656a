"""Stress: N malformed and mutated requests against `cqcbot serve`: latency, memory, 5xx, tracebacks.

Starts the fake Bot Connector and `cqcbot serve` (local mode, scheduler off, on a fresh migrated SQLite
database with a generated plan), then sends N requests from C concurrent clients, each built from a
well-formed Teams activity broken one way (in turn): JSON nested 100,000 deep, not JSON, NaN,
integers past 2**53, U+0000 and lone surrogates in text, fields of the wrong type (`channelData.tenant`
as a string), truncated bodies, the wrong content type, 2 MB bodies, invokes with no name or an
unknown verb, card data with a card id as a number, and random mutations of valid activities. It
prints the latency p50/p99, the statuses, the number of 5xx answers and of tracebacks in the
server's log, and the server's resident memory before, after and at its peak (VmHWM).

    .venv/bin/python -m bench.malformed [--requests 5000] [--clients 20] [--seed 13]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from aiohttp import ClientError, ClientSession, ClientTimeout, TCPConnector

from bench.inbound_setup import (
    BOT_ACCOUNT,
    TENANT_ID,
    Owner,
    Server,
    free_port,
    open_progress_round,
    plan_document,
    run_cli,
    start_connector,
)

Body = tuple[bytes, str]  # the raw body and its content type


def _activity(owner: Owner, service_url: str, **fields: Any) -> dict[str, Any]:
    account = {"id": owner.teams_id, "name": owner.name, "aadObjectId": owner.aad_object_id}
    activity = {
        "id": f"bench-{random.getrandbits(48):x}",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": account,
        "recipient": BOT_ACCOUNT,
        "conversation": {"id": f"a:{owner.teams_id}", "conversationType": "personal", "tenantId": TENANT_ID},
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    activity.update(fields)
    return activity


def _submit(owner: Owner, service_url: str, round_id: int, **data: Any) -> dict[str, Any]:
    values = {
        "cycle_id": round_id,
        "action_ref": owner.action_ref,
        "card_version": "progress-1",
        "card_id": f"c-{random.getrandbits(48):x}",
        "rag": "green",
        "narrative": "On track.",
    }
    values.update(data)
    action = {"type": "Action.Execute", "verb": "progress.submit", "data": values}
    return _activity(owner, service_url, type="invoke", name="adaptiveCard/action", value={"action": action})


def _json(value: Any) -> Body:
    return json.dumps(value).encode(), "application/json"


def _mutated(valid: dict[str, Any], rng: random.Random) -> Body:
    doc = copy.deepcopy(valid)
    keys = list(doc)
    key = rng.choice(keys)
    doc[key] = rng.choice([None, 2**64, -1, "", [], {}, "\ud800", "x\x00y", True, 1.5, ["a"], {"id": 7}])
    return _json(doc)


def _kinds(owner: Owner, service_url: str, round_id: int, rng: random.Random) -> list[Callable[[], Body]]:
    message = _activity(owner, service_url, type="message", text="status")
    tenant_as_text = _activity(owner, service_url, type="message", text="help", channelData={"tenant": TENANT_ID})
    return [
        lambda: (b'{"type":"message","value":' + b"[" * 100_000 + b"]" * 100_000 + b"}", "application/json"),
        lambda: (b"{not json", "application/json"),
        lambda: (b'{"type": "message", "n": NaN}', "application/json"),
        lambda: _json(_submit(owner, service_url, 2**70)),
        lambda: _json(_activity(owner, service_url, type="message", text="help \ud800 me")),
        lambda: _json(_submit(owner, service_url, round_id, narrative="nul \x00 here")),
        lambda: _json(tenant_as_text),
        lambda: (json.dumps(message).encode()[: rng.randrange(1, 200)], "application/json"),
        lambda: (json.dumps(message).encode(), "text/plain"),
        lambda: (b'{"type":"message","text":"' + b"a" * 2_000_000 + b'"}', "application/json"),
        lambda: _json(_activity(owner, service_url, type="invoke", value={})),
        lambda: _json(_activity(owner, service_url, type="invoke", name="adaptiveCard/action", value={"action": 1})),
        lambda: _json(_submit(owner, service_url, round_id, card_id=12345)),
        lambda: _mutated(message, rng),
        lambda: _mutated(_submit(owner, service_url, round_id), rng),
    ]


KINDS = (
    "nested 100,000 deep",
    "not JSON",
    "NaN",
    "integer past 2**53",
    "lone surrogate",
    "U+0000 in a narrative",
    "tenant as a string",
    "truncated",
    "wrong content type",
    "2 MB body",
    "invoke with no name",
    "value.action not an object",
    "card id as a number",
    "mutated message",
    "mutated submission",
)


def _rss_kib(pid: int) -> dict[str, int]:
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return found


async def _load(
    url: str, bodies: list[tuple[int, Body]], clients: int
) -> tuple[dict[int, list[float]], Counter[int], Counter[str]]:
    latencies: dict[int, list[float]] = {}
    at_gate: list[float] = []  # answered 4xx: refused before the bot
    past_gate: list[float] = []  # handled by the bot (2xx, 501)
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    queue: asyncio.Queue[tuple[int, Body]] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    async with ClientSession(connector=TCPConnector(limit=clients), timeout=ClientTimeout(total=60)) as http:

        async def client() -> None:
            while not queue.empty():
                kind, (data, content_type) = queue.get_nowait()
                started = time.perf_counter()
                try:
                    async with http.post(url, data=data, headers={"Content-Type": content_type}) as response:
                        await response.read()
                        statuses[response.status] += 1
                        refused = 400 <= response.status < 500
                except (ClientError, TimeoutError) as exc:
                    failures[type(exc).__name__] += 1
                    refused = False
                elapsed = time.perf_counter() - started
                latencies.setdefault(kind, []).append(elapsed)
                (at_gate if refused else past_gate).append(elapsed)

        await asyncio.gather(*(client() for _ in range(clients)))
    for label, times in (("refused at the gate (4xx)", at_gate), ("handled by the bot", past_gate)):
        if times:
            p50, p99 = (_percentile(times, share) * 1000 for share in (0.5, 0.99))
            print(f"  {label}: {len(times)} requests, p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    return latencies, statuses, failures


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def main_async(args: argparse.Namespace) -> int:
    rng = random.Random(args.seed)
    random.seed(args.seed)
    workdir = Path(tempfile.mkdtemp(prefix="cqcbot-malformed-"))
    database_url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.lower().startswith(("microsoftapp", "microsoft_app"))}
    env.update(
        {
            "DATABASE_URL": database_url,
            "HOST": "127.0.0.1",
            "PORT": str(port),
            "LOG_LEVEL": "INFO",
            "SCHEDULER_ENABLED": "false",
            "MicrosoftAppId": "",
            "PYTHONUNBUFFERED": "1",
        }
    )
    owners = [Owner(n) for n in range(1, 11)]
    today = datetime.now(UTC).date()
    run_cli(["db", "upgrade"], env)
    plan = workdir / "plan.yaml"
    plan.write_text(yaml.safe_dump(plan_document(owners, today), sort_keys=False), encoding="utf-8")
    run_cli(["plan", "import", str(plan)], env)
    round_id = await open_progress_round(database_url, today)
    connector, service_url = start_connector(workdir / "connector.log", workdir / "connector.json", env)
    server = Server.start(
        "cqcbot serve", [sys.executable, "-m", "bot", "serve"], env, workdir / "bot.log", f"http://127.0.0.1:{port}/"
    )
    try:
        async with ClientSession() as http:
            await server.wait_ready(http)
        makers = [
            (kind, maker) for owner in owners for kind, maker in enumerate(_kinds(owner, service_url, round_id, rng))
        ]
        bodies = [(makers[n % len(makers)][0], makers[n % len(makers)][1]()) for n in range(args.requests)]
        rng.shuffle(bodies)
        before = _rss_kib(server.process.pid)
        started = time.perf_counter()
        by_kind, statuses, failures = await _load(f"{server.base_url}api/messages", bodies, args.clients)
        latencies = [t for times in by_kind.values() for t in times]
        elapsed = time.perf_counter() - started
        after = _rss_kib(server.process.pid)
        async with ClientSession() as http, http.get(server.base_url + "readyz") as response:
            ready = response.status
    finally:
        server.stop()
        connector.send_signal(signal.SIGTERM)
        connector.wait(timeout=15)

    log = (workdir / "bot.log").read_text(encoding="utf-8", errors="replace")
    tracebacks = log.count("Traceback (most recent call last)")
    # 501 Not Implemented is the right answer to an invoke name the manifest never asks Teams to send.
    server_errors = sum(count for status, count in statuses.items() if status >= 500 and status != 501)
    print(
        f"{args.requests} malformed requests from {args.clients} clients in {elapsed:.1f} s "
        f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})"
    )
    p50, p99 = (_percentile(latencies, share) * 1000 for share in (0.5, 0.99))
    print(f"  latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    slowest = sorted(by_kind.items(), key=lambda item: -_percentile(item[1], 0.99))[:3]
    print("  slowest kinds (p99): " + ", ".join(f"{KINDS[k]} {_percentile(t, 0.99) * 1000:.0f} ms" for k, t in slowest))
    print(f"  statuses: {', '.join(f'{s} x {n}' for s, n in sorted(statuses.items()))}")
    if failures:
        print(f"  client errors: {dict(failures)}")
    print(f"  5xx answers: {server_errors}; tracebacks in the server's log: {tracebacks}; /readyz after: {ready}")
    print(
        f"  server RSS: {before['VmRSS'] / 1024:.0f} MiB before, {after['VmRSS'] / 1024:.0f} MiB after, "
        f"peak {after['VmHWM'] / 1024:.0f} MiB"
    )
    if args.keep:
        print(f"  kept {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0 if server_errors == 0 and ready == 200 else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--keep", action="store_true", help="keep the work folder (logs, database)")
    raise SystemExit(asyncio.run(main_async(parser.parse_args())))


if __name__ == "__main__":
    main()
