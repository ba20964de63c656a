"""One ceiling for the deployment: instances beat in the database and each takes its share; when
one is killed, the other takes the whole ceiling within the dead one's lease. Real processes
(`cqcbot deliver`) on one PostgreSQL, against the fake Bot Connector enforcing the ceiling."""

from __future__ import annotations

import asyncio
import os
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.delivery_instances import LiveInstance, live_instances
from tests.bot.delivery.helpers import SENT, add_people, delivered, enqueue_prompts, rows
from tests.fakes.connector import FakeConnector

CEILING = 10.0  # requests/s for the whole deployment
LEASE = 2.0  # seconds an instance may miss its heartbeat before it counts as dead


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(
        DATABASE_URL=database_url,
        MicrosoftAppId="",
        SCHEDULER_ENABLED="false",
        DELIVERY_APP_RATE=str(CEILING),
        DELIVERY_INSTANCE_LEASE_SECONDS=str(LEASE),
        DELIVERY_CONCURRENCY="4",
        DELIVERY_BATCH="5",
    )
    return env


async def _instances_until(
    sessions: async_sessionmaker[AsyncSession], done: Callable[[list[LiveInstance]], bool], within: float
) -> list[LiveInstance]:
    """The live instances, read every 0.1 s until `done` says so (the heartbeats are in the
    database, which pushes nothing)."""
    async with asyncio.timeout(within):
        while True:
            async with sessions() as session:
                live = await live_instances(session, now=datetime.now(UTC))
            if done(live):
                return live
            await asyncio.sleep(0.1)


def _pid(instance: LiveInstance) -> int:
    return int(instance.name.split(":")[1])  # host:pid:random


@pytest.mark.slow
async def test_two_processes_share_the_ceiling_and_one_takes_it_all_when_the_other_is_killed(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, tmp_path: Path
) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances need PostgreSQL; SQLite serves one")
    people = await add_people(sessions, 150, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.throttle_teams_limits(app_rate=CEILING)  # any call over the ceiling is a violation
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "deliver",
            "--until-empty",
            cwd=tmp_path,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=(tmp_path / f"deliver-{n}.log").open("w"),
            env=_env(database_url),
        )
        for n in range(2)
    ]
    try:
        halves = await _instances_until(
            sessions, lambda live: len(live) == 2 and all(i.share == CEILING / 2 for i in live), within=60
        )
        victim = next(p for p in processes if p.pid == _pid(halves[0]))
        survivor = next(p for p in processes if p is not victim)
        victim.kill()  # SIGKILL: it never says goodbye
        killed_at = time.monotonic()
        await victim.wait()
        await _instances_until(
            sessions, lambda live: [(_pid(i), i.share) for i in live] == [(survivor.pid, CEILING)], within=30
        )
        taken_after = time.monotonic() - killed_at
        assert await asyncio.wait_for(survivor.wait(), timeout=120) == 0
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
                await process.wait()

    # Within the lease (plus the heartbeat that notices, and the one that reports it).
    assert taken_after < LEASE + 2 * LEASE / 4 + 1.0, taken_after
    assert connector.window_violations() == [], connector.describe_calls()
    after = sorted(c.time for c in connector.calls if c.time > killed_at + taken_after)
    span = after[-1] - after[0]
    assert len(after) >= 30 and len(after) / span >= 0.8 * CEILING  # the survivor used all of it
    # Nothing lost, nothing doubled: every prompt sent once, except the ones the killed process
    # was sending, which are `unknown` (maybe delivered, never twice).
    found = await rows(sessions)
    counts = delivered(connector)
    assert {r.status for r in found.values()} <= {SENT, "unknown"}
    assert all(counts[k] == 1 for k in keys if found[k].status == SENT)
    assert max(counts.values()) == 1 and set(counts) <= set(keys)
    assert Counter(r.status for r in found.values())["unknown"] <= 4  # its calls in flight at most
