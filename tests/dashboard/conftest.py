"""The dashboard tab served by the real app over loopback: in local mode (developer sign-in) and
with Teams SSO checked against a local key set, on the example plan with two months of history
(and its readiness: self-assessments, evidence, sign-off) and one withdrawn action."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiohttp import ClientResponse, ClientSession, CookieJar
from aiohttp.test_utils import TestServer
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from yarl import URL

from bot.runtime import build_runtime
from bot.web.app import create_app
from storage.models import ImprovementAction, Person
from tests import conftest
from tests.conftest import FakeClock
from tests.dashboard.entra_keys import APP_ID, TENANT, LocalEntra, local_entra
from tests.digest.history import AS_OF, add_history

CHAIR = "helen.carter@halton.example"  # chair and owner
ADMIN = "priya.shah@halton.example"
OWNER = "nadia.rahman@halton.example"  # an owner only: overdue on two actions in April
CHAIR_OID = "aad-helen-carter"
NAMES = {CHAIR: "Helen Carter", ADMIN: "Priya Shah", OWNER: "Nadia Rahman"}
WITHDRAWN = "STR-01"  # a stretch action withdrawn: the plan page marks it both ways


@pytest.fixture
async def tab_history(sessions: async_sessionmaker[AsyncSession], example_plan: None) -> None:
    async with sessions.begin() as session:
        await add_history(session)
        await session.execute(
            update(ImprovementAction).where(ImprovementAction.ref == WITHDRAWN).values(status="withdrawn")
        )
        await session.execute(update(Person).where(Person.email == CHAIR).values(aad_object_id=CHAIR_OID))


@dataclass
class Tab:
    url: str
    http: ClientSession

    async def get(self, path: str, **kwargs: Any) -> ClientResponse:
        return await self.http.get(self.url + path, allow_redirects=False, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> ClientResponse:
        return await self.http.post(self.url + path, allow_redirects=False, **kwargs)

    async def sign_in_as(self, email: str) -> None:
        """The local developer sign-in, as a person would use it: the form, its CSRF token, the cookie."""
        page = await (await self.get("/tab/sign-in")).text()
        csrf = re.search(r'name="csrf" value="([^"]+)"', page)
        assert csrf
        chosen = self.person_id(email, page)
        answer = await self.post("/tab/sign-in", data={"csrf": csrf.group(1), "person": chosen, "next": "/tab/plan"})
        assert answer.status == 303, await answer.text()

    @staticmethod
    def person_id(email: str, page: str) -> str:
        found = re.search(rf'<option value="(\d+)">{NAMES[email]}', page)
        assert found, email
        return found.group(1)


def _jar(url: str) -> CookieJar:
    # The session cookie is Secure (Teams serves tabs over https); the test server is http on loopback.
    return CookieJar(unsafe=True, treat_as_secure_origin=[URL(url)])


@pytest.fixture
async def local_tab(database_url: str, tab_history: None, clock: FakeClock) -> AsyncIterator[Tab]:
    clock.now = AS_OF
    runtime = build_runtime(conftest.test_settings(database_url), clock=clock)
    server = TestServer(create_app(runtime), host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    async with ClientSession(cookie_jar=_jar(url)) as http:
        yield Tab(url, http)
    await server.close()


@pytest.fixture
async def entra() -> AsyncIterator[LocalEntra]:
    async with local_entra() as served:
        yield served


def sso_settings(database_url: str) -> Any:
    return conftest.test_settings(
        database_url,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword="test-secret",
        MicrosoftAppTenantId=TENANT,
        PUBLIC_URL="https://cqcbot.example.gov.uk",
    )


@pytest.fixture
async def sso_tab(database_url: str, tab_history: None, clock: FakeClock, entra: LocalEntra) -> AsyncIterator[Tab]:
    clock.now = AS_OF
    runtime = build_runtime(sso_settings(database_url), clock=clock)
    server = TestServer(create_app(runtime, tab_entra=entra.config()), host="127.0.0.1")
    await server.start_server()
    url = str(server.make_url("")).rstrip("/")
    async with ClientSession(cookie_jar=_jar(url)) as http:
        yield Tab(url, http)
    await server.close()
