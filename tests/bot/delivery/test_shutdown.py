"""Stopping the delivery loop (SIGTERM's path): calls already made get the grace to finish; past it
they are flagged `unknown` at once, and every claimed row not yet sent goes back to `pending` at
once — nothing waits for a lease to run out."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.loop import run_worker
from tests.bot.delivery.helpers import FAST, add_people, enqueue_prompts, rows, worker
from tests.fakes.connector import FakeConnector


async def test_past_the_grace_unanswered_calls_are_unknown_and_the_rest_go_back_at_once(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 12, connector.base_url)
    await enqueue_prompts(sessions, people)
    connector.delay(60, times=None, match="send|reply")  # Teams never answers in time
    config = replace(FAST, batch=12, concurrency=3, shutdown_grace=0.5)
    stop = asyncio.Event()
    running = asyncio.create_task(run_worker(worker(sessions, database_url, config), stop))
    await connector.wait_for(lambda c: len(c.calls) >= 3 or None, timeout=30, what="three calls in flight")
    loop = asyncio.get_running_loop()
    began = loop.time()
    stop.set()
    await asyncio.wait_for(running, timeout=10)
    assert loop.time() - began < 3  # the grace, not the call timeout or the lease

    found = await rows(sessions)
    assert Counter(r.status for r in found.values()) == {"unknown": 3, "pending": 9}
    for row in found.values():
        assert row.claimed_by is None or row.status == "unknown"
        if row.status == "unknown":
            assert "shut down before Teams answered" in (row.last_error or "")
        else:
            assert row.attempts == 0  # handed back, not counted as a try
