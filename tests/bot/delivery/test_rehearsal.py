"""Rehearsing a month: `cqcbot deliver --as-of T` sends what a simulated calendar queued for T."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.delivery import simulated_clock
from tests.bot.delivery.helpers import SENT, add_people, delivered, enqueue_prompts, rows
from tests.fakes.connector import FakeConnector

REHEARSED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # later than the machine's clock


async def _cli(database_url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "MicrosoftAppId": "", "COLUMNS": "200"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, output.decode()


async def test_deliver_as_of_sends_what_the_rehearsed_moment_queued(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 2, connector.base_url)
    keys = await enqueue_prompts(sessions, people, scope="progress-2027-01", now=REHEARSED)

    code, output = await _cli(database_url, "deliver")
    assert code == 0 and "Sent 0" in output, output  # not due yet by the machine's clock
    code, output = await _cli(database_url, "deliver", "--as-of", "2027-01-04T09:00")
    assert code == 0 and "Sent 2" in output, output
    assert {key: row.status for key, row in (await rows(sessions)).items()} == dict.fromkeys(keys, SENT)
    assert delivered(connector) == dict.fromkeys(keys, 1)
    code, output = await _cli(database_url, "deliver", "--as-of", "2027-01-04T09:05")
    assert "Sent 0" in output  # each key once


def test_the_simulated_clock_starts_at_the_moment_and_runs_on() -> None:
    ticks = iter([100.0, 100.0, 161.5])
    clock = simulated_clock(REHEARSED, monotonic=lambda: next(ticks))
    assert clock() == REHEARSED
    assert (clock() - REHEARSED).total_seconds() == 61.5
