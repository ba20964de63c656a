"""/metrics: scraped after a small run — chat messages, a card invoke, a bad request, a fan-out
with a 503 and a 429 — it shows exactly the counts the run produced; only loopback or the token."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.runtime import build_runtime
from bot.web.app import create_app
from bot.web.metrics import Metrics, may_scrape
from domain.outbox import DeliveryStatus
from tests import activities
from tests.bot.delivery.helpers import SENT, add_people, enqueue_prompts, statuses
from tests.conftest import test_settings as settings_for
from tests.fakes.connector import FakeConnector

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    return found.get((name, frozenset(labels.items())), 0.0)


class Served:
    def __init__(self, url: str, http: ClientSession) -> None:
        self.url = url
        self.http = http

    async def post(self, activity: object) -> int:
        async with self.http.post(f"{self.url}/api/messages", json=activity) as response:
            return response.status


async def settled(sessions: async_sessionmaker[AsyncSession], count: int) -> None:
    """The worker runs in the server: wait (up to 30 s) until it has recorded every prompt sent."""
    for _ in range(300):
        if (await statuses(sessions))[SENT] == count:
            return
        await asyncio.sleep(0.1)
    raise AssertionError(await statuses(sessions))


async def serve(database_url: str, **overrides: object) -> AsyncIterator[Served]:
    settings = settings_for(database_url, DELIVERY_ENABLED=True, **overrides)
    server = TestServer(create_app(build_runtime(settings)), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            yield Served(str(server.make_url("")).rstrip("/"), http)
    finally:
        await server.close()


@pytest.fixture
async def served(database_url: str) -> AsyncIterator[Served]:
    async for found in serve(database_url):
        yield found


async def test_a_scrape_after_a_small_run_shows_what_the_run_did(
    served: Served, sessions: async_sessionmaker[AsyncSession], connector: FakeConnector
) -> None:
    for text in ("help", "status"):  # answered in the turn, before the faults below are set
        assert await served.post(activities.personal_message(connector.base_url, text)) == 201
    invoke = activities.card_invoke(connector.base_url, activities.user(), "progress.refresh", {})
    assert await served.post(invoke) == 200
    not_json = {"Content-Type": "application/json"}
    async with served.http.post(f"{served.url}/api/messages", data=b"{not json", headers=not_json) as bad:
        assert bad.status == 400
    people = await add_people(sessions, 6, connector.base_url)
    connector.fail(503, times=1, match="send|reply")
    connector.fail(429, times=1, match="send|reply", retry_after=0.2)
    await enqueue_prompts(sessions, people)

    await settled(sessions, 6)

    async with served.http.get(f"{served.url}/metrics") as response:
        assert response.status == 200
        assert response.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        found = samples(await response.text())

    assert value(found, "cqcbot_activities_received_total", type="message", result="201") == 2
    assert value(found, "cqcbot_activities_received_total", type="invoke", result="200") == 1
    assert value(found, "cqcbot_activities_received_total", type="other", result="400") == 1
    assert value(found, "cqcbot_invoke_duration_seconds_count") == 1
    assert value(found, "cqcbot_sends_total", outcome="sent", code="2xx") == 6
    assert value(found, "cqcbot_sends_total", outcome="pending", code="503") == 1
    assert value(found, "cqcbot_sends_total", outcome="pending", code="429") == 1
    # One 429 holds only its own conversation (the delivery rule): no pause of all sending.
    assert value(found, "cqcbot_delivery_pauses_total") == 0
    assert value(found, "cqcbot_delivery_paused_seconds_total") == 0
    assert value(found, "cqcbot_outbox_messages", state="sent") == 6
    for state in DeliveryStatus:
        if state is not DeliveryStatus.SENT:
            assert value(found, "cqcbot_outbox_messages", state=state.value) == 0
    assert value(found, "cqcbot_outbox_oldest_due_age_seconds") == 0


async def test_the_oldest_due_message_s_age_is_reported(
    sessions: async_sessionmaker[AsyncSession], connector: FakeConnector, database_url: str
) -> None:
    # A row due 20 minutes ago, and no delivery worker running: it waits.
    people = await add_people(sessions, 1, connector.base_url, chats=False)
    await enqueue_prompts(sessions, people, now=datetime.now(UTC) - timedelta(minutes=20))
    metrics = Metrics()
    runtime = build_runtime(settings_for(database_url))
    try:
        found = samples((await metrics.exposition(runtime.sessions, datetime.now(UTC))).decode())
    finally:
        await runtime.close()
    assert value(found, "cqcbot_outbox_messages", state="pending") == 1
    assert 20 * 60 <= value(found, "cqcbot_outbox_oldest_due_age_seconds") < 21 * 60


async def test_with_a_token_only_the_bearer_token_scrapes(database_url: str) -> None:
    async for served in serve(database_url, METRICS_TOKEN="s3cret-token"):
        async with served.http.get(f"{served.url}/metrics") as response:
            assert response.status == 401
            assert response.headers["WWW-Authenticate"] == "Bearer"
            assert "METRICS_TOKEN" in (await response.json())["error"]
        wrong = {"Authorization": "Bearer guess"}
        async with served.http.get(f"{served.url}/metrics", headers=wrong) as response:
            assert response.status == 401
        right = {"Authorization": "Bearer s3cret-token"}
        async with served.http.get(f"{served.url}/metrics", headers=right) as response:
            assert response.status == 200
            assert "cqcbot_outbox_messages" in await response.text()


@pytest.mark.parametrize(
    ("remote", "authorization", "token", "allowed"),
    [
        ("127.0.0.1", "", "", True),
        ("::1", "", "", True),
        ("10.0.0.4", "", "", False),  # another machine, and no token configured
        ("10.0.0.4", "Bearer t", "t", True),
        ("127.0.0.1", "", "t", False),  # a token, once set, is asked of everyone (a proxy may be local)
        (None, "", "", False),
        ("not-an-address", "", "", False),
    ],
)
def test_who_may_scrape(remote: str | None, authorization: str, token: str, allowed: bool) -> None:
    assert may_scrape(remote, authorization, token) is allowed
