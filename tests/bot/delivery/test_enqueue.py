"""Enqueueing: once per key, inside the caller's transaction, on both databases."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.outbox import MessageKind, PayloadInvalid, Recipient
from storage import outbox
from storage.engine import new_engine, new_sessionmaker
from storage.models import OutboxMessage
from tests.bot.delivery.helpers import T0, add_people, card, rows


async def _count(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions() as session:
        return await session.scalar(select(func.count()).select_from(OutboxMessage)) or 0


async def test_the_same_key_twice_is_one_message(sessions: async_sessionmaker[AsyncSession]) -> None:
    [person] = await add_people(sessions, 1, "http://127.0.0.1:9/")
    key = f"prompt/2026-11/person-{person}/0"
    results = []
    for text in ("first", "second"):
        async with sessions.begin() as session:
            results.append(
                await outbox.enqueue(
                    session,
                    key=key,
                    recipient=Recipient.person(person),
                    kind=MessageKind.PROMPT,
                    payload=card(key, text),
                    now=T0,
                )
            )
    assert results == [True, False]
    [row] = (await rows(sessions)).values()
    assert (row.status, row.attempts, row.payload["card"]["body"][1]["text"]) == ("pending", 0, "first")
    assert row.next_attempt_at == T0 and row.person_id == person


async def test_enqueue_belongs_to_the_callers_transaction(sessions: async_sessionmaker[AsyncSession]) -> None:
    [person] = await add_people(sessions, 1, "http://127.0.0.1:9/")
    with pytest.raises(RuntimeError):
        async with sessions.begin() as session:
            await outbox.enqueue(
                session,
                key="k/1",
                recipient=Recipient.person(person),
                kind=MessageKind.NOTICE,
                payload=card("k/1"),
                now=T0,
            )
            raise RuntimeError("the caller's work failed")
    assert await _count(sessions) == 0


async def test_concurrent_planners_add_a_key_once(engine: AsyncEngine, database_url: str) -> None:
    sessions = new_sessionmaker(engine)
    [person] = await add_people(sessions, 1, "http://127.0.0.1:9/")
    others = [new_engine(database_url) for _ in range(3)]

    async def plan(e: AsyncEngine) -> bool:
        async with new_sessionmaker(e).begin() as session:
            return await outbox.enqueue(
                session,
                key="prompt/x/1",
                recipient=Recipient.person(person),
                kind=MessageKind.PROMPT,
                payload=card("prompt/x/1"),
                now=T0,
            )

    try:
        results = await asyncio.gather(*(plan(e) for e in others))
    finally:
        for e in others:
            await e.dispose()
    assert sorted(results) == [False, False, True]
    assert await _count(sessions) == 1


async def test_a_later_start_and_updates_of_unknown_messages(sessions: async_sessionmaker[AsyncSession]) -> None:
    [person] = await add_people(sessions, 1, "http://127.0.0.1:9/")
    later = T0.replace(hour=18)
    async with sessions.begin() as session:
        await outbox.enqueue(
            session,
            key="r/1",
            recipient=Recipient.person(person),
            kind=MessageKind.REMINDER,
            payload=card("r/1"),
            now=T0,
            not_before=later,
        )
        with pytest.raises(LookupError):
            await outbox.enqueue_update(session, key="r/1/upd", original_key="nope", payload=card("x"), now=T0)
        assert await outbox.enqueue_update(session, key="r/1/upd", original_key="r/1", payload=card("y"), now=T0)
    found = await rows(sessions)
    assert found["r/1"].next_attempt_at == later
    assert found["r/1/upd"].update_of_id == found["r/1"].id and found["r/1/upd"].person_id == person


async def test_oversized_or_malformed_payloads_are_refused(sessions: async_sessionmaker[AsyncSession]) -> None:
    [person] = await add_people(sessions, 1, "http://127.0.0.1:9/")
    huge = {"card": {"type": "AdaptiveCard", "body": [{"type": "TextBlock", "text": "x" * 60_000}]}}
    async with sessions.begin() as session:
        for payload in (huge, {"html": "<b>no</b>"}):
            with pytest.raises(PayloadInvalid):
                await outbox.enqueue(
                    session,
                    key="n/1",
                    recipient=Recipient.person(person),
                    kind=MessageKind.NOTICE,
                    payload=payload,
                    now=T0,
                )
    assert await _count(sessions) == 0
