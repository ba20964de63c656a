"""Inbound tokens: every bad one is a 401 (a 403 when genuine but not for us), a good one passes.

The keys are a local RSA key set, served the way the Bot Framework publishes its own (an OpenID
metadata document naming a JWKS), from a loopback server.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import jwt
import pytest
from aiohttp import ClientSession, web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot.runtime import build_runtime
from bot.teams.channel_auth import (
    ISSUER,
    ChannelTokenValidator,
    Forbidden,
    Inbound,
    OpenIdKeys,
    StaticKeys,
    Unauthenticated,
)
from bot.web.app import create_app
from tests import activities, conftest

APP_ID = "00000000-0000-4000-8000-0000000000aa"
TENANT = activities.TENANT_ID
SERVICE_URL = "https://smba.trafficmanager.net/uk/"
INBOUND = Inbound(channel_id="msteams", service_url=SERVICE_URL, tenant_id=TENANT)
APP_PASSWORD = "the-client-secret-of-the-app-registration"


def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


OUR_KEY, FOREIGN_KEY = _rsa(), _rsa()


def jwks(*, endorsements: list[str] | None = None) -> dict[str, Any]:
    key = json.loads(RSAAlgorithm.to_jwk(OUR_KEY.public_key()))
    key.update({"kid": "key-1", "use": "sig", "endorsements": endorsements or ["msteams"]})
    return {"keys": [key]}


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    values = {"iss": ISSUER, "aud": APP_ID, "exp": now + 3600, "nbf": now - 60, "serviceurl": SERVICE_URL}
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def token(key: Any = OUR_KEY, kid: str = "key-1", algorithm: str = "RS256", **overrides: Any) -> str:
    return jwt.encode(claims(**overrides), key, algorithm=algorithm, headers={"kid": kid})


def validator(**options: Any) -> ChannelTokenValidator:
    return ChannelTokenValidator(APP_ID, StaticKeys(jwks(**options)), tenant_id=TENANT)


def _unsigned(**overrides: Any) -> str:
    header = jwt.utils.base64url_encode(json.dumps({"alg": "none", "kid": "key-1"}).encode()).decode()
    body = jwt.utils.base64url_encode(json.dumps(claims(**overrides)).encode()).decode()
    return f"{header}.{body}."


def _hs256_with_app_password() -> str:
    # PyJWT refuses to sign HS256 with a key that looks like a PEM public key, but an attacker would
    # use the app's password or the public key's bytes: either way the header says HS256.
    return jwt.encode(claims(), APP_PASSWORD, algorithm="HS256", headers={"kid": "key-1"})


async def test_a_correctly_signed_token_passes() -> None:
    found = await validator().claims(f"Bearer {token()}", INBOUND)
    assert found["aud"] == APP_ID and found["serviceurl"] == SERVICE_URL


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "no Bearer token"),
        ("", "no Bearer token"),
        ("Basic dXNlcjpwYXNz", "no Bearer token"),
        ("Bearer ", "no Bearer token"),
        ("Bearer not.a.jwt", "not a JWT"),
        ("Bearer " + "x" * 5000, "not a JWT"),
        (f"Bearer {_unsigned()}", "algorithm 'none'"),
        (f"Bearer {_hs256_with_app_password()}", "algorithm 'HS256'"),
        (f"Bearer {token(exp=int(time.time()) - 3600)}", "expired"),
        (f"Bearer {token(nbf=int(time.time()) + 3600)}", "not valid yet"),
        (f"Bearer {token(key=FOREIGN_KEY)}", "signature does not verify"),
        (f"Bearer {token(kid='key-unknown')}", "unknown key"),
        (f"Bearer {token(kid='')}", "names no signing key"),
        (f"Bearer {token(iss='https://sts.windows.net/attacker/')}", "not issued by the Bot Framework"),
        (f"Bearer {token(exp=None)}", "no 'exp' claim"),
        (f"Bearer {token()[:-6]}", "signature does not verify"),
    ],
)
async def test_every_token_that_fails_validation_is_unauthenticated(header: str | None, reason: str) -> None:
    with pytest.raises(Unauthenticated) as raised:
        await validator().claims(header, INBOUND)
    assert reason in str(raised.value)
    if header and len(header) > 20:
        assert header[7:] not in str(raised.value)  # the reason never carries the token


@pytest.mark.parametrize(
    ("overrides", "inbound", "reason"),
    [
        ({"aud": "11111111-2222-3333-4444-555555555555"}, INBOUND, "another bot"),
        ({}, Inbound("webchat", SERVICE_URL, TENANT), "Microsoft Teams only"),
        ({"serviceurl": "https://attacker.example/"}, INBOUND, "another service URL"),
        ({}, Inbound("msteams", SERVICE_URL, "99999999-0000-4000-8000-000000000000"), "another tenant"),
        ({}, Inbound("msteams", SERVICE_URL, None), "another tenant"),
    ],
)
async def test_a_valid_token_for_another_bot_tenant_or_channel_is_forbidden(
    overrides: dict[str, Any], inbound: Inbound, reason: str
) -> None:
    with pytest.raises(Forbidden) as raised:
        await validator().claims(f"Bearer {token(**overrides)}", inbound)
    assert reason in str(raised.value)


async def test_a_key_not_endorsed_for_teams_is_forbidden() -> None:
    with pytest.raises(Forbidden, match="not endorsed"):
        await validator(endorsements=["webchat"]).claims(f"Bearer {token()}", INBOUND)


# ---- over HTTP, with the keys fetched from an OpenID metadata document ---------------------------


@dataclass
class KeyServer:
    metadata_url: str
    fetches: list[str]


@pytest.fixture
async def key_server() -> AsyncIterator[KeyServer]:
    fetches: list[str] = []
    app = web.Application()

    async def metadata(request: web.Request) -> web.Response:
        fetches.append("metadata")
        return web.json_response({"issuer": ISSUER, "jwks_uri": str(request.url.with_path("/keys"))})

    async def keys(_request: web.Request) -> web.Response:
        fetches.append("keys")
        return web.json_response(jwks())

    app.router.add_get("/.well-known/openidconfiguration", metadata)
    app.router.add_get("/keys", keys)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    yield KeyServer(str(server.make_url("/.well-known/openidconfiguration")), fetches)
    await server.close()


async def test_unknown_key_ids_do_not_make_the_bot_fetch_keys_again_and_again(key_server: KeyServer) -> None:
    keys = OpenIdKeys(key_server.metadata_url)
    assert await keys.find("key-1") is not None
    for n in range(20):
        assert await keys.find(f"forged-{n}") is None
    assert key_server.fetches == ["metadata", "keys"]


@dataclass
class AuthServer:
    url: str
    http: ClientSession


@pytest.fixture
async def auth_server(database_url: str, key_server: KeyServer) -> AsyncIterator[AuthServer]:
    settings = conftest.test_settings(
        database_url,
        MicrosoftAppId=APP_ID,
        MicrosoftAppPassword=APP_PASSWORD,
        MicrosoftAppTenantId=TENANT,
        BOT_OPENID_METADATA_URL=key_server.metadata_url,
    )
    server = TestServer(create_app(build_runtime(settings)), host="127.0.0.1")
    await server.start_server()
    async with ClientSession() as http:
        yield AuthServer(str(server.make_url("/api/messages")), http)
    await server.close()


def _typing(tenant: str = TENANT) -> dict[str, Any]:
    # Nothing to answer and no one to look up: the turn makes no outbound call, which needs Entra.
    activity = activities.personal_message(SERVICE_URL, "")
    activity.update(type="typing", **{"from": {"name": "Rachel Ahmed"}})
    activity["channelData"]["tenant"]["id"] = tenant
    activity["conversation"]["tenantId"] = tenant
    return activity


async def _post(server: AuthServer, activity: dict[str, Any], bearer: str | None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
    async with server.http.post(server.url, json=activity, headers=headers) as response:
        return response.status, await response.text()


async def test_over_http_bad_tokens_get_401_and_others_403_with_one_log_line(
    auth_server: AuthServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.teams.botbuilder_edge")
    forged = token(key=FOREIGN_KEY)
    for bearer in (None, "not.a.jwt", _unsigned(), _hs256_with_app_password(), forged, token(kid="nope")):
        status, text = await _post(auth_server, _typing(), bearer)
        assert status == 401, (bearer, text)
        assert "Traceback" not in text
    status, _ = await _post(auth_server, _typing(), token(exp=int(time.time()) - 3600))
    assert status == 401
    status, _ = await _post(auth_server, _typing("99999999-0000-4000-8000-000000000000"), token())
    assert status == 403
    status, _ = await _post(auth_server, _typing(), token(aud="11111111-2222-3333-4444-555555555555"))
    assert status == 403
    refusals = [
        r for r in caplog.records if r.name == "bot.teams.botbuilder_edge" and "refused a request" in r.getMessage()
    ]
    assert len(refusals) == 9 and all(r.exc_info is None for r in refusals)
    assert not any(forged in r.getMessage() for r in caplog.records)


async def test_over_http_a_correctly_signed_token_reaches_the_bot(auth_server: AuthServer) -> None:
    status, text = await _post(auth_server, _typing(), token())
    assert status == 201, text
