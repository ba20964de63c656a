"""Teams' limits: a 429's Retry-After pauses every sender (shared through the database), and the
limiter keeps per-conversation and per-app windows — checked on what the fake connector received."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.loop import Until, run_worker
from domain.outbox import MessageKind, Recipient
from domain.send_limits import Window
from storage import outbox
from storage.engine import new_engine, new_sessionmaker
from tests.bot.delivery.helpers import (
    FAST,
    SENT,
    add_channel,
    add_people,
    card,
    delivered,
    enqueue_prompts,
    rows,
    worker,
)
from tests.conftest import FakeClock
from tests.domain.test_outbox import overruns
from tests.fakes.connector import FakeConnector

SENDS = "send|reply|create_conversation"


async def test_retry_after_pauses_every_send_not_just_the_refused_one(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 3, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.fail(429, retry_after=0.3, times=1, match=SENDS)

    await run_worker(worker(sessions, database_url, replace(FAST, concurrency=1)), until=Until.EMPTY)

    calls = connector.calls_matching(SENDS)
    throttled, *after = calls
    assert throttled.status == 429 and [c.status for c in after] == [201, 201, 201]
    assert all(c.time - throttled.time >= 0.3 for c in after)  # the other people waited too
    assert delivered(connector) == dict.fromkeys(keys, 1)
    async with sessions() as session:
        paused_until = await outbox.paused_until(session)
    assert paused_until is not None and paused_until <= datetime.now(UTC)


async def test_the_pause_is_shared_by_every_instance_through_the_database(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 2, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.fail(429, retry_after=30, times=1, match=SENDS)
    engines = [new_engine(database_url) for _ in range(3)]
    first, second, third = (new_sessionmaker(e) for e in engines)
    try:
        await worker(first, database_url, replace(FAST, concurrency=1)).run_once()
        assert len(connector.calls) == 1  # the second message was handed back, not sent
        assert await worker(second, database_url).run_once() == {}  # another instance waits too
        assert len(connector.calls) == 1
        assert {r.status for r in (await rows(sessions)).values()} == {"pending"}

        half_a_minute_later = FakeClock(datetime.now(UTC) + timedelta(seconds=31))
        await worker(third, database_url, clock=half_a_minute_later).run_once()
    finally:
        for e in engines:
            await e.dispose()
    assert delivered(connector) == dict.fromkeys(keys, 1)


async def test_the_limiter_keeps_inside_teams_windows(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    app_rate = 20
    connector.throttle_teams_limits(app_rate=app_rate)  # the fake answers 429 to anything over
    channel = await add_channel(sessions, connector.base_url)
    people = await add_people(sessions, 30, connector.base_url)
    keys = []
    async with sessions.begin() as session:
        for n in range(10):  # ten posts to one channel: its 7/1 s and 8/2 s windows bite
            key = f"notice/2026-11/channel/{n}"
            await outbox.enqueue(
                session,
                key=key,
                recipient=Recipient.conversation(channel),
                kind=MessageKind.NOTICE,
                payload=card(key),
                now=datetime.now(UTC),
            )
            keys.append(key)
    keys += await enqueue_prompts(sessions, people, now=datetime.now(UTC))

    await run_worker(worker(sessions, database_url, replace(FAST, app_rate=app_rate)), until=Until.EMPTY)

    assert {r.status for r in (await rows(sessions)).values()} == {SENT}
    assert delivered(connector) == dict.fromkeys(keys, 1)
    assert [c.fault for c in connector.calls if c.fault] == [], connector.describe_calls()  # never throttled
    assert connector.window_violations() == []
    accepted = [c.time for c in connector.calls if c.ok]
    assert overruns(accepted, (Window(app_rate, 1.0),)) == []
    posts = sorted(c.time for c in connector.calls_matching("create_conversation"))
    assert posts[-1] - posts[0] >= 2.0  # ten posts to one channel: 8 per 2 s at most
