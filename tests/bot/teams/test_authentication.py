"""Outside local mode every request without a valid Bot Framework token is a 401, on both edges."""

from __future__ import annotations

from collections.abc import AsyncIterator

import jwt
import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer

from bot.runtime import build_runtime
from bot.web.app import create_app
from tests import activities
from tests.conftest import test_settings as settings_for

APP_ID = "00000000-0000-4000-8000-0000000000aa"
TENANT = "00000000-0000-4000-8000-0000000000bb"


@pytest.fixture
async def deployed(database_url: str, edge: str) -> AsyncIterator[str]:
    """The bot with an app id (authentication on), on the edge under test."""
    settings = settings_for(
        database_url, MicrosoftAppId=APP_ID, MicrosoftAppPassword="secret", MicrosoftAppTenantId=TENANT, BOT_SDK=edge
    )
    server = TestServer(create_app(build_runtime(settings)), host="127.0.0.1")
    await server.start_server()
    yield str(server.make_url("/api/messages"))
    await server.close()


def _unsigned_token() -> str:
    # Signed with a shared secret and naming no key: nothing Teams would ever send.
    claims = {"aud": APP_ID, "iss": "https://api.botframework.com", "serviceurl": "http://127.0.0.1:1/"}
    return jwt.encode(claims, "not-the-bot-framework-key-at-all-32b", algorithm="HS256")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Basic dXNlcjpwYXNz", "Bearer", "Bearer not-a-jwt", "Bearer a b", "unsigned"],
    ids=["none", "empty", "basic", "bearer-alone", "garbage", "two-parts", "unsigned-hs256"],
)
async def test_a_request_without_a_valid_token_gets_401(deployed: str, edge: str, authorization: str | None) -> None:
    headers = {}
    if authorization is not None:
        headers["Authorization"] = f"Bearer {_unsigned_token()}" if authorization == "unsigned" else authorization
    async with ClientSession() as http:
        activity = activities.personal_message("http://127.0.0.1:1/", "help")
        response = await http.post(deployed, json=activity, headers=headers)
        assert response.status == 401, await response.text()
        assert (await response.json())["error"]["message"] == "Unauthorized"
