"""Crashes and several workers: a delivering process killed with SIGKILL mid-batch loses nothing
silently and sends nothing twice; abandoned claims are recovered after their lease; two workers on
one database send every row exactly once."""

from __future__ import annotations

import asyncio
import os
import re
import sys
from collections import Counter
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.delivery.loop import Until, run_worker
from storage import outbox as ledger
from storage.engine import new_engine, new_sessionmaker
from storage.outbox_report import outbox_report
from tests.bot.delivery.helpers import FAST, SENT, add_people, delivered, enqueue_prompts, rows, worker
from tests.conftest import FakeClock
from tests.fakes.connector import FakeConnector
from tests.fakes.connector_faults import SEND_KINDS, RecordedCall

_SENT = re.compile(r"Sent (\d+);")
HELD_AFTER = 6  # calls after the sixth are delivered but their answers held: in flight at the kill


def _three_in_flight(connector: FakeConnector) -> list[RecordedCall] | None:
    held = [call for call in connector.calls if call.seq > HELD_AFTER]
    return held if len(held) >= 3 else None


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("Microsoft")}
    env.update(DATABASE_URL=database_url, MicrosoftAppId="", SCHEDULER_ENABLED="false", COLUMNS="200", **extra)
    return env


@pytest.mark.slow
async def test_kill_9_mid_batch_then_restart_sends_nothing_twice_and_flags_the_rest(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, tmp_path: Path
) -> None:
    people = await add_people(sessions, 24, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.delay(60, times=None, match=lambda c: c.kind in SEND_KINDS and c.seq > HELD_AFTER)
    log = (tmp_path / "deliver.log").open("w")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "deliver",
        "--until-empty",
        cwd=tmp_path,
        stdout=log,
        stderr=log,
        env=_env(database_url, DELIVERY_CONCURRENCY="3", DELIVERY_BATCH="8"),
    )
    try:
        held = await connector.wait_for(_three_in_flight, timeout=60, what="three calls in flight")
        process.kill()  # SIGKILL: no clean-up of any kind
        await process.wait()
    finally:
        if process.returncode is None:
            process.kill()
        log.close()
    connector.clear_faults()
    before = await rows(sessions)
    assert {r.status for r in before.values()} <= {"pending", "claimed", "sending", SENT}
    assert sum(r.status == "sending" for r in before.values()) >= len(held)

    # The restart: the operator knows the old process is dead, so no lease needs to run out.
    from bot.cli.main import app

    result = await asyncio.to_thread(
        CliRunner().invoke, app, ["deliver", "--until-empty", "--after-crash"], env=_env(database_url)
    )
    assert result.exit_code == 0, result.output
    assert "flagged unknown" in result.output

    after = await rows(sessions)
    counts = delivered(connector)
    assert set(after) == set(keys)
    assert {r.status for r in after.values()} <= {SENT, "unknown"}  # nothing silently lost
    assert max(counts.values()) == 1  # nothing sent twice
    assert all(counts[k] == 1 for k, r in after.items() if r.status == SENT)
    unknown = [k for k, r in after.items() if r.status == "unknown"]
    assert 3 <= len(unknown) <= 3 + 3  # at most the calls in flight, and commits caught mid-way
    assert {x.json["attachments"][0]["content"]["body"][0]["text"] for x in held} <= set(unknown)


async def test_abandoned_claims_are_recovered_when_their_lease_runs_out(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 3, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    now = datetime.now(UTC)
    lease = FAST.lease
    async with sessions.begin() as session:  # a worker claims all three and starts sending the first...
        items = await ledger.claim_due(session, now=now, limit=10, worker="dead", lease=lease)
        assert await ledger.mark_sending(session, items[0].id, worker="dead", now=now, lease=lease)
    # ...then dies. Within the lease nobody touches its rows:
    assert await worker(sessions, database_url).run_once() == {}
    assert connector.calls == []

    later = FakeClock(now + lease + timedelta(seconds=1))
    outcome = await worker(sessions, database_url, clock=later).run_once()

    assert outcome == {SENT: 2}
    found = await rows(sessions)
    assert [found[k].status for k in keys] == ["unknown", SENT, SENT]
    assert delivered(connector) == {keys[1]: 1, keys[2]: 1}  # the first is never re-sent blindly
    async with sessions() as session:
        report = await outbox_report(session, now=later())
    [flagged] = report.problems
    assert (flagged.key, flagged.status) == (keys[0], "unknown")
    assert "may or may not have been sent" in (flagged.last_error or "")
    async with sessions.begin() as session:  # the dead worker's answer, should it ever arrive, still counts
        assert await ledger.settle(session, items[0].id, worker="dead", status=ledger.S.SENT, now=later())


async def test_two_workers_on_one_database_send_every_row_exactly_once(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 60, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.fail(503, times=4, match="send|reply")  # some retries in the mix
    connector.throttle_teams_limits(app_rate=20)  # one ceiling for both
    engines = [new_engine(database_url) for _ in range(2)]
    config = replace(FAST, batch=5, concurrency=8, app_rate=20)
    workers = [worker(new_sessionmaker(e), database_url, config) for e in engines]
    try:
        await asyncio.gather(*(run_worker(w, until=Until.EMPTY) for w in workers))
    finally:
        for e in engines:
            await e.dispose()

    assert {r.status for r in (await rows(sessions)).values()} == {SENT}
    assert delivered(connector) == Counter(dict.fromkeys(keys, 1))
    assert all(w.tally[SENT] > 0 for w in workers), [w.tally for w in workers]
    assert sum(w.tally[SENT] for w in workers) == 60
    assert connector.window_violations() == [], connector.describe_calls()


@pytest.mark.slow
async def test_two_processes_on_postgresql_send_every_row_exactly_once(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, tmp_path: Path
) -> None:
    """Two real bot processes draining one PostgreSQL outbox (SQLite is one instance only)."""
    if not database_url.startswith("postgresql"):
        pytest.skip("several instances need PostgreSQL; SQLite serves one")
    people = await add_people(sessions, 60, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.fail(503, times=3, match="send|reply")
    connector.throttle_teams_limits(app_rate=10)  # the ceiling is the deployment's, not each process's
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "deliver",
            "--until-empty",
            cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=_env(
                database_url,
                DELIVERY_CONCURRENCY="4",
                DELIVERY_BATCH="5",
                DELIVERY_APP_RATE="10",
                DELIVERY_INSTANCE_LEASE_SECONDS="2",
            ),
        )
        for _ in range(2)
    ]
    try:
        outputs = await asyncio.wait_for(asyncio.gather(*(p.communicate() for p in processes)), timeout=120)
    finally:
        for process in processes:
            if process.returncode is None:
                process.kill()
    texts = [stdout.decode() for stdout, _ in outputs]
    assert [p.returncode for p in processes] == [0, 0], texts
    assert {r.status for r in (await rows(sessions)).values()} == {SENT}
    assert delivered(connector) == Counter(dict.fromkeys(keys, 1))
    sent = [int(_SENT.search(text)[1]) for text in texts]  # type: ignore[index]
    assert sum(sent) == 60 and all(sent), sent  # both processes took part, and shared the work
    assert connector.window_violations() == [], connector.describe_calls()
