"""Blocked, uninstalled or vanished recipients: marked unreachable, reported to the chair, not
retried — until a new install event makes them reachable again."""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime

from aiohttp.test_utils import TestServer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from typer.testing import CliRunner

from bot.delivery.loop import Until, run_worker
from bot.runtime import build_runtime
from bot.web.app import create_app
from domain.conversations import MemberIdentity
from storage.conversations import link_person
from storage.models import ConversationRef, Person
from storage.outbox_report import outbox_report
from tests.bot.delivery.helpers import SENT, add_people, delivered, enqueue_prompts, rows, worker
from tests.conftest import test_settings as settings_for
from tests.fakes.connector import FakeConnector

SENDS = "send|reply"


async def _person(sessions: async_sessionmaker[AsyncSession], person_id: int) -> Person:
    async with sessions() as session:
        person = await session.get(Person, person_id)
        assert person is not None
        return person


async def test_a_blocked_person_is_unreachable_reported_and_not_retried(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    [blocked, other] = await add_people(sessions, 2, connector.base_url)
    first = await enqueue_prompts(sessions, [blocked, other])
    connector.fail(403, code="ConversationBlockedByUser", times=None, match=lambda c: "personal-1/" in c.path)
    w = worker(sessions, database_url, edge=edge)

    await run_worker(w, until=Until.EMPTY)
    later = await enqueue_prompts(sessions, [blocked], scope="2026-12")  # e.g. next month's prompt
    await run_worker(w, until=Until.EMPTY)

    found = await rows(sessions)
    assert (found[first[0]].status, found[first[0]].last_status_code) == ("unreachable", 403)
    assert found[first[1]].status == SENT
    assert found[later[0]].status == "unreachable" and found[later[0]].attempts == 0  # Teams not asked again
    assert len([c for c in connector.calls_matching(SENDS) if "personal-1/" in c.path]) == 1
    person = await _person(sessions, blocked)
    assert person.unreachable_since is not None
    assert person.unreachable_reason == "Teams answered 403 ConversationBlockedByUser"

    async with sessions() as session:
        report = await outbox_report(session, now=datetime.now(UTC))
    assert [(p.email, p.reason) for p in report.unreachable_people] == [
        ("person1@council.gov.uk", "Teams answered 403 ConversationBlockedByUser")
    ]
    assert {m.key for m in report.problems} == {first[0], later[0]}
    assert all(m.recipient == "Person 1 <person1@council.gov.uk>" for m in report.problems)


async def test_a_vanished_conversation_is_unreachable_and_no_longer_used(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    [person] = await add_people(sessions, 1, connector.base_url)
    [key] = await enqueue_prompts(sessions, [person])
    connector.fail(404, code="ConversationNotFound", times=None, match=SENDS)

    await run_worker(worker(sessions, database_url, edge=edge), until=Until.EMPTY)

    assert (await rows(sessions))[key].status == "unreachable"
    async with sessions() as session:
        chat = await session.scalar(select(ConversationRef).where(ConversationRef.person_id == person))
    assert chat is not None and chat.installed is False
    assert (await _person(sessions, person)).unreachable_reason == "Teams answered 404 ConversationNotFound"


async def test_a_new_install_makes_them_reachable_again(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    [person] = await add_people(sessions, 1, connector.base_url)
    await enqueue_prompts(sessions, [person])
    connector.fail(403, code="Forbidden", sub_code="MessageWritesBlocked", times=1, match=SENDS)
    w = worker(sessions, database_url, edge=edge)
    await run_worker(w, until=Until.EMPTY)
    blocked = await _person(sessions, person)
    assert blocked.unreachable_since is not None
    assert blocked.unreachable_reason == "Teams answered 403 Forbidden MessageWritesBlocked"  # the subCode

    # What the bot does on an installationUpdate or a message from them (bot/teams/handler.py).
    async with sessions.begin() as session:
        chat = await session.scalar(select(ConversationRef).where(ConversationRef.person_id == person))
        assert chat is not None
        await link_person(session, chat, MemberIdentity("29:user-1", aad_object_id="aad-0001"), now=datetime.now(UTC))
    [again] = await enqueue_prompts(sessions, [person], scope="2026-12")
    await run_worker(w, until=Until.EMPTY)

    assert (await rows(sessions))[again].status == SENT
    assert delivered(connector)[again] == 1
    assert (await _person(sessions, person)).unreachable_since is None


async def test_the_running_bot_delivers_the_outbox(database_url: str, connector: FakeConnector, edge: str) -> None:
    runtime = build_runtime(settings_for(database_url, DELIVERY_ENABLED=True, BOT_SDK=edge))
    server = TestServer(create_app(runtime), host="127.0.0.1")
    await server.start_server()  # the worker starts with the app...
    try:
        [person] = await add_people(runtime.sessions, 1, connector.base_url)
        [key] = await enqueue_prompts(runtime.sessions, [person])
        await connector.wait_for(lambda c: delivered(c)[key] == 1, timeout=10, what="the prompt")
    finally:
        await server.close()  # ...and stops with it, before the engine is disposed


async def test_the_chair_report_on_the_command_line(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    [blocked, fine] = await add_people(sessions, 2, connector.base_url)
    keys = await enqueue_prompts(sessions, [blocked, fine])
    connector.fail(403, code="BotNotInConversationRoster", times=None, match=lambda c: "personal-1/" in c.path)
    connector.fail(500, times=None, match=lambda c: "personal-2/" in c.path)
    await worker(sessions, database_url, edge=edge).run_once()

    from bot.cli.main import app

    env = {"DATABASE_URL": database_url, "MicrosoftAppId": "", "COLUMNS": "250"}
    result = await asyncio.to_thread(CliRunner().invoke, app, ["outbox"], env={**os.environ, **env})
    assert result.exit_code == 0, result.output
    text = result.output
    assert "1 waiting" in text and "unreachable 1" in text
    assert "person1@council.gov.uk" in text and "BotNotInConversationRoster" in text
    assert keys[0] in text and keys[1] in text  # the unreachable one, and the one waiting to be retried
    assert "Waiting to be retried" in text and "500" in text
