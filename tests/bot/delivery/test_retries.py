"""Retries: transient answers are retried with backoff until they succeed or run out; requests
Teams will never accept (400, 401, 413) are not retried at all."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.loop import Until, run_worker
from tests.bot.delivery.helpers import FAST, SENT, add_people, delivered, enqueue_prompts, rows, worker
from tests.fakes.connector import FakeConnector

SENDS = "send|reply"  # proactive sends are replies to a made-up activity id


async def test_a_transient_failure_is_retried_then_sent_once(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    people = await add_people(sessions, 2, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.fail(503, times=2, match=lambda c: c.kind in {"send", "reply"} and "personal-1" in c.path)

    await run_worker(worker(sessions, database_url, edge=edge), until=Until.EMPTY)

    found = await rows(sessions)
    assert [found[k].status for k in keys] == [SENT, SENT]
    assert found[keys[0]].attempts == 3 and found[keys[0]].last_status_code == 503
    assert found[keys[1]].attempts == 1
    assert delivered(connector) == {keys[0]: 1, keys[1]: 1}
    assert [c.status for c in connector.calls_matching(SENDS) if "personal-1" in c.path] == [503, 503, 201]
    assert found[keys[0]].activity_id and found[keys[0]].conversation_id == "a:personal-1"


async def test_out_of_attempts_is_failed_and_says_why(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    [person] = await add_people(sessions, 1, connector.base_url)
    [key] = await enqueue_prompts(sessions, [person])
    connector.fail(502, times=None, match=SENDS)

    await run_worker(worker(sessions, database_url, replace(FAST, max_attempts=3), edge=edge), until=Until.EMPTY)

    row = (await rows(sessions))[key]
    assert (row.status, row.attempts, row.last_status_code) == ("failed", 3, 502)
    assert "HTTP 502" in (row.last_error or "")
    assert len(connector.calls_matching(SENDS)) == 3 and delivered(connector) == {}


async def test_bad_requests_are_never_retried(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    people = await add_people(sessions, 3, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    for n, (status, code) in enumerate([(400, "BadArgument"), (413, "MessageSizeTooBig"), (401, "BotNotRegistered")]):
        connector.fail(status, code=code, times=None, match=lambda c, n=n: f"personal-{n + 1}/" in c.path)
    w = worker(sessions, database_url, edge=edge)

    await run_worker(w, until=Until.EMPTY)
    await w.run_once()  # nothing is left to try

    found = await rows(sessions)
    assert [(found[k].status, found[k].last_status_code, found[k].attempts) for k in keys] == [
        ("failed", 400, 1),
        ("failed", 413, 1),
        ("failed", 401, 1),
    ]
    assert "MessageSizeTooBig" in (found[keys[1]].last_error or "")
    assert len(connector.calls_matching(SENDS)) == 3
