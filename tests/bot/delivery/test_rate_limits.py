"""Teams' limits: a 429 holds the conversation it names; 429s from many conversations cut the app's
rate and, repeated, pause every instance (through the database); and the limiter keeps the
per-conversation and per-app windows — checked on what the fake connector received."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.loop import Until, run_worker
from domain.outbox import MessageKind, Recipient
from domain.send_limits import Window
from storage import outbox
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
from tests.domain.test_send_limits import overruns
from tests.fakes.connector import FakeConnector
from tests.fakes.connector_faults import SEND_KINDS, RecordedCall

SENDS = "send|reply|create_conversation"


async def test_a_429_holds_its_conversation_for_its_retry_after_while_the_others_go_on(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 4, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    connector.fail(429, retry_after=0.5, times=1, match=lambda c: c.kind in SEND_KINDS and "personal-1/" in c.path)

    await run_worker(worker(sessions, database_url, replace(FAST, concurrency=1)), until=Until.EMPTY)

    calls = connector.calls_matching(SENDS)
    throttled, *after = calls
    assert throttled.status == 429 and "personal-1/" in throttled.path
    retry = next(c for c in after if "personal-1/" in c.path)
    others = [c for c in after if c is not retry]
    assert retry.time - throttled.time >= 0.5  # the named conversation waited its Retry-After
    assert [c.status for c in others] == [201, 201, 201]
    assert all(c.time - throttled.time < 0.5 for c in others)  # the others did not
    assert delivered(connector) == dict.fromkeys(keys, 1)
    async with sessions() as session:
        assert await outbox.paused_until(session) is None  # one conversation's 429 pauses nobody


async def test_429s_from_many_conversations_cut_the_rate_and_a_repeat_pauses_every_instance(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    """Being over the app's limit looks like this: most calls, to every conversation, are refused."""
    people = await add_people(sessions, 30, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    first: list[float] = []  # Teams throttles the whole app for 3.5 s from the first send

    def app_throttled(call: RecordedCall) -> bool:
        if call.kind not in SEND_KINDS:
            return False
        first[:] = first or [call.time]
        return call.time < first[0] + 3.5

    connector.fail(429, retry_after=0.3, times=None, match=app_throttled)
    w = worker(sessions, database_url, replace(FAST, app_rate=20, backoff_cap=0.05))

    await run_worker(w, until=Until.EMPTY)

    assert w.rate_cuts() >= 2 and w.paused_total()[0] >= 1  # cut, cut again: then everyone paused
    async with sessions() as session:
        assert await outbox.paused_until(session) is not None  # recorded for the other instances
    assert delivered(connector) == dict.fromkeys(keys, 1)
    assert {r.status for r in (await rows(sessions)).values()} == {SENT}


async def test_a_pause_another_instance_recorded_holds_this_one_too(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 2, connector.base_url)
    keys = await enqueue_prompts(sessions, people)
    async with sessions.begin() as session:
        now = datetime.now(UTC)
        await outbox.pause(session, until=now + timedelta(seconds=30), reason="HTTP 429 Throttled", now=now)

    assert await worker(sessions, database_url).run_once() == {}
    assert connector.calls == [] and {r.status for r in (await rows(sessions)).values()} == {"pending"}

    half_a_minute_later = FakeClock(datetime.now(UTC) + timedelta(seconds=31))
    await worker(sessions, database_url, clock=half_a_minute_later).run_once()
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
