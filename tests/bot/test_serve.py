"""`cqcbot serve` as a service, each test a real `cqcbot serve` subprocess: SIGTERM in the middle of
a fan-out hands the unsent claims back at once and exits 0, so a restart prompts every owner exactly
once; several worker processes share the port with one scheduler and one /metrics; several workers
on SQLite are refused."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import sys
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import ClientSession
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from tests import activities
from tests.bot.delivery.helpers import SENT, add_people, delivered, enqueue_prompts, rows, statuses
from tests.fakes.connector import FakeConnector
from tests.processes import free_port, read, wait_healthy

SHUTDOWN_BOUND = 10  # SHUTDOWN_GRACE_SECONDS' default: what a SIGTERM may take, plus start-up slack


def service_env(database_url: str, port: int, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("Microsoft", "PROMETHEUS"))}
    env.update(
        DATABASE_URL=database_url,
        MicrosoftAppId="",
        HOST="127.0.0.1",
        PORT=str(port),
        SCHEDULER_ENABLED="false",
        DELIVERY_ENABLED="true",
        COLUMNS="200",
    )
    env.update(extra)
    return env


@dataclass
class Service:
    process: asyncio.subprocess.Process
    url: str
    log: Path

    def output(self) -> str:
        return read(self.log)

    async def stop(self) -> int:
        """SIGTERM, as a platform sends it during a deployment; the exit status."""
        self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout=SHUTDOWN_BOUND + 20)


@asynccontextmanager
async def serving(
    command: Sequence[str], env: dict[str, str], log: Path, *, cwd: Path | None = None
) -> AsyncIterator[Service]:
    """`command` (a `cqcbot serve`) running until the block ends; killed if it is still running then."""
    with log.open("w") as sink:
        process = await asyncio.create_subprocess_exec(
            *command, cwd=cwd or log.parent, stdout=sink, stderr=sink, env=env
        )
    url = f"http://127.0.0.1:{env['PORT']}"
    try:
        await wait_healthy(url, process, log)
        yield Service(process, url, log)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def cqcbot_serve(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", "serve", *args]


async def answers_after_idle(url: str, *, idle_seconds: float) -> list[int | str]:
    """Two requests on one keep-alive connection with a pause between them: their status codes
    (or how the connection ended)."""
    host, port = url.removeprefix("http://").split(":")
    reader, writer = await asyncio.open_connection(host, int(port))
    statuses: list[int | str] = []
    try:
        for pause in (0, idle_seconds):
            await asyncio.sleep(pause)
            writer.write(f"GET /healthz HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            await writer.drain()
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
            statuses.append(int(head.split()[1]))
            length = re.search(rb"(?i)content-length: (\d+)", head)
            await reader.readexactly(int(length.group(1)) if length else 0)
    except (asyncio.IncompleteReadError, ConnectionError) as exc:
        statuses.append(f"closed: {exc.__class__.__name__}")
    finally:
        writer.close()
    return statuses


async def sent_count(connector: FakeConnector) -> int:
    return sum(delivered(connector).values())


@pytest.mark.slow
async def test_sigterm_mid_fan_out_then_restart_prompts_every_owner_exactly_once(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, tmp_path: Path
) -> None:
    people = await add_people(sessions, 200, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.delay(0.3, times=None, match="send|reply")  # each Teams call takes a while: a fan-out in flight
    env = service_env(database_url, free_port(), DELIVERY_CONCURRENCY="8", DELIVERY_BATCH="50")

    async with serving(cqcbot_serve(), env, tmp_path / "first.log") as first:
        await connector.wait_for(lambda c: len(delivered(c)) >= 30 or None, timeout=60, what="30 prompts sent")
        started = asyncio.get_running_loop().time()
        assert await first.stop() == 0, first.output()
        took = asyncio.get_running_loop().time() - started
    assert took < SHUTDOWN_BOUND, (took, first.output())
    midway = await rows(sessions)
    by_status = Counter(row.status for row in midway.values())
    # Nothing left claimed or mid-call for a lease to expire, nothing flagged unknown:
    assert set(by_status) == {SENT, "pending"}, by_status
    assert 30 <= by_status[SENT] < 200
    assert by_status[SENT] == len(delivered(connector))
    assert "delivery worker stopped" in first.output()

    connector.clear_faults()
    async with serving(cqcbot_serve(), env, tmp_path / "second.log") as second:
        for _ in range(600):
            if (await statuses(sessions))[SENT] == 200:
                break
            await asyncio.sleep(0.1)
        assert await second.stop() == 0, second.output()
    assert Counter(row.status for row in (await rows(sessions)).values()) == {SENT: 200}
    assert delivered(connector) == Counter(dict.fromkeys(keys, 1))  # every owner prompted exactly once


def test_several_workers_on_sqlite_are_refused_with_a_reason(tmp_path: Path) -> None:
    from bot.cli.main import app

    env = service_env(f"sqlite+aiosqlite:///{tmp_path}/bot.db", free_port())
    for args, extra in ((["serve", "--workers", "2"], {}), (["serve"], {"WEB_CONCURRENCY": "2"})):
        result = CliRunner().invoke(app, args, env={**env, **extra})
        assert result.exit_code == 2, result.output
        assert "Refusing to start" in result.output
        assert "2 workers on SQLite" in result.output and "postgresql+asyncpg://" in result.output
        assert "Traceback" not in result.output


@pytest.mark.slow
async def test_two_workers_share_the_port_with_one_scheduler_and_one_metrics(
    database_url: str, connector: FakeConnector, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several worker processes need PostgreSQL; SQLite is refused (test above)")
    env = service_env(
        database_url, free_port(), SCHEDULER_ENABLED="true", SHUTDOWN_GRACE_SECONDS="3", LOG_FORMAT="json",
        LOG_ACCESS="true",
    )  # fmt: skip
    async with serving(cqcbot_serve("--workers", "2"), env, tmp_path / "serve.log") as service:
        async with ClientSession() as http:
            for n in range(8):
                message = activities.personal_message(connector.base_url, "help", activities.user(f"29:user-{n}"))
                async with http.post(f"{service.url}/api/messages", json=message) as response:
                    assert response.status == 201
            async with http.get(f"{service.url}/metrics") as response:
                metrics = await response.text()
        # A connection left idle, as a proxy in front keeps it, is still open when reused.
        assert await answers_after_idle(service.url, idle_seconds=3) == [200, 200]
        # Every worker's counts in one scrape, whichever worker answered it.
        assert 'cqcbot_activities_received_total{result="201",type="message"} 8.0' in metrics, metrics
        schedulers = re.findall(r"worker (\d+): with the scheduler", service.output())
        assert len(schedulers) == 1, service.output()
        assert len(re.findall(r"worker \d+: web and delivery", service.output())) == 1
        assert service.output().count("scheduler started") == 1

        # The scheduling worker dies: its replacement schedules, and still only one does.
        os.kill(int(schedulers[0]), signal.SIGKILL)
        for _ in range(150):
            if len(re.findall(r"worker (\d+): with the scheduler", service.output())) == 2:
                break
            await asyncio.sleep(0.2)
        replacement = re.findall(r"worker (\d+): with the scheduler", service.output())
        assert len(replacement) == 2 and replacement[1] != schedulers[0], service.output()
        await wait_healthy(service.url, service.process, service.log)
        assert await service.stop() == 0, service.output()
    assert service.output().count("scheduler stopped") == 1
    # LOG_FORMAT=json: every line from every process is one JSON object, gunicorn's own and the
    # access lines (LOG_ACCESS=true) included.
    records = [json.loads(line) for line in service.output().splitlines() if line.strip()]
    assert all(set(r) >= {"time", "level", "event", "logger"} and "message" not in r for r in records)
    loggers = Counter(r["logger"] for r in records)
    assert loggers["gunicorn.error"] and loggers["bot.serve"], loggers
    assert any(r["logger"] == "gunicorn.access" and "/api/messages" in r["event"] for r in records), loggers
