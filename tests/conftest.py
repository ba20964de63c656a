"""Fixtures every test layer shares: databases on both backends, the fake Bot Connector, the running bot."""

from __future__ import annotations

import logging
import socket
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession
from aiohttp.test_utils import TestServer
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.log_config import QUIET
from bot.runtime import Runtime, build_runtime
from bot.settings import Settings
from bot.web.app import create_app
from storage.engine import new_engine, new_sessionmaker
from storage.migrate import upgrade
from storage.plan_file import load_plan_file
from storage.plan_import import import_plan
from tests import databases
from tests.fakes.connector import FakeConnector

EXAMPLE_PLAN = Path(__file__).resolve().parent.parent / "examples" / "halton-plan.yaml"


@pytest.fixture(autouse=True)
def _loopback_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests cannot reach the network by construction: only loopback addresses connect."""
    real_connect = socket.socket.connect

    def guarded(sock: socket.socket, address: Any) -> Any:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if not (host.startswith("127.") or host in {"::1", "localhost"}):
                raise AssertionError(f"test tried to reach {address!r}: only loopback is allowed")
        return real_connect(sock, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return databases.migrated_sqlite_template(tmp_path_factory.mktemp("sqlite-template"))


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str | None]:
    admin = databases.postgres_admin_url()
    if admin is None:
        yield None
        return
    with databases.private_postgres_database(admin) as url:
        upgrade(url)
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(
    request: pytest.FixtureRequest, sqlite_template: Path, postgres_url: str | None, tmp_path: Path
) -> str:
    """A migrated, empty database: every test that uses it runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return databases.fresh_sqlite_copy(sqlite_template, tmp_path)
    if postgres_url is None:
        pytest.skip(f"set {databases.PG_ENV} to run the PostgreSQL variant")
    await databases.empty_postgres_tables(postgres_url)
    return postgres_url


EDGES = ["botbuilder", "agents"]


@pytest.fixture(params=EDGES)
def edge(request: pytest.FixtureRequest) -> str:
    """The Teams edge (BOT_SDK): every test that drives /api/messages or the gateway runs on both SDKs."""
    return str(request.param)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = new_engine(database_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return new_sessionmaker(engine)


@pytest.fixture
async def example_plan(sessions: async_sessionmaker[AsyncSession]) -> None:
    plan = load_plan_file(EXAMPLE_PLAN)
    async with sessions.begin() as session:
        await import_plan(session, plan, actor="test", now=datetime(2026, 2, 12, tzinfo=UTC))


@dataclass
class FakeClock:
    now: datetime = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def connector() -> AsyncIterator[FakeConnector]:
    async with FakeConnector() as fake:
        yield fake


def test_settings(database_url: str, **overrides: Any) -> Settings:
    # The background workers are off: a test drives the scheduler and the outbox itself.
    values: dict[str, Any] = {
        "DATABASE_URL": database_url,
        "MicrosoftAppId": "",
        "SCHEDULER_ENABLED": False,
        "DELIVERY_ENABLED": False,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class BotServer:
    """The real aiohttp app on a loopback port, spoken to over HTTP."""

    url: str
    http: ClientSession
    runtime: Runtime
    connector: FakeConnector

    @property
    def service_url(self) -> str:
        return self.connector.base_url

    async def post(self, activity: Any, *, content_type: str = "application/json") -> ClientResponse:
        import json

        body = activity if isinstance(activity, bytes | str) else json.dumps(activity)
        return await self.http.post(f"{self.url}/api/messages", data=body, headers={"Content-Type": content_type})


@pytest.fixture
async def bot_server(
    database_url: str, edge: str, connector: FakeConnector, clock: FakeClock
) -> AsyncIterator[BotServer]:
    runtime = build_runtime(test_settings(database_url, BOT_SDK=edge), clock=clock)
    server = TestServer(create_app(runtime), host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as http:
        yield BotServer(str(server.make_url("")).rstrip("/"), http, runtime, connector)
    await server.close()


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A command run in-process (`serve`'s logging set-up) must not leave its handlers behind: they
    would write to a captured stream that is closed once the test ends."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    levels = {name: logging.getLogger(name).level for name in QUIET}
    yield
    root.handlers[:], root.level = handlers, level
    for name, value in levels.items():
        logging.getLogger(name).setLevel(value)
