"""A database written while running on one edge is served by the other, with no migration: the
conversation an install captured on one SDK is where the other SDK delivers the queued prompt."""

from __future__ import annotations

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.loop import Until, run_worker
from bot.runtime import build_runtime
from bot.web.app import create_app
from tests import activities
from tests.bot.delivery.helpers import SENT, add_people, enqueue_prompts, key_of, rows, worker
from tests.conftest import test_settings as settings_for
from tests.fakes.connector import FakeConnector


async def _install_over_http(database_url: str, edge: str, install: dict) -> None:
    server = TestServer(create_app(build_runtime(settings_for(database_url, BOT_SDK=edge))), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            response = await http.post(server.make_url("/api/messages"), json=install)
            assert response.status in (200, 201), await response.text()
    finally:
        await server.close()


@pytest.mark.parametrize(("first", "then"), [("botbuilder", "agents"), ("agents", "botbuilder")])
async def test_prompts_queued_on_one_edge_are_delivered_by_the_other(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, first: str, then: str
) -> None:
    [person] = await add_people(sessions, 1, connector.base_url, chats=False)
    sender = activities.user("29:user-1", "Person 1", aad="aad-0001")
    install = activities.personal_install(connector.base_url, sender)
    await _install_over_http(database_url, first, install)  # the chat is captured and linked on `first`
    [key] = await enqueue_prompts(sessions, [person])

    await run_worker(worker(sessions, database_url, edge=then), until=Until.EMPTY)

    assert (await rows(sessions))[key].status == SENT
    [welcome, prompt] = connector.sent(install["conversation"]["id"])  # the install's help, then the prompt
    assert "my actions" in welcome["text"]
    assert key_of(prompt) == key
    assert prompt["recipient"]["id"] == "29:user-1" and prompt["from"]["id"] == activities.BOT_ID
