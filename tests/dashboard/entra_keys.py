"""A stand-in for Entra ID: a local RSA key pair, its JWKS served on loopback, and tokens shaped
as Teams' getAuthToken() returns them (v2.0: aud = the app id, scp access_as_user)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
from aiohttp import web
from aiohttp.test_utils import TestServer
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.web.dashboard.entra import EntraConfig

TENANT = "7d5c9a1e-0b3f-4c2a-9e8d-2f6b1a0c4d3e"
APP_ID = "00000000-0000-4000-8000-00000000a11b"
KID = "test-key-1"


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass
class LocalEntra:
    """The key set and its server; ``fetches`` counts JWKS downloads (the validator caches them)."""

    url: str
    key: rsa.RSAPrivateKey
    fetches: list[datetime] = field(default_factory=list)

    @property
    def issuer(self) -> str:
        return f"{self.url}/{TENANT}/v2.0"

    def config(self) -> EntraConfig:
        return EntraConfig.for_tenant(TENANT, APP_ID, "https://cqcbot.example.gov.uk", login=self.url)

    def token(
        self,
        *,
        oid: str = "aad-unknown",
        username: str = "someone@halton.example",
        name: str = "Some One",
        key: rsa.RSAPrivateKey | None = None,
        kid: str = KID,
        algorithm: str = "RS256",
        now: datetime | None = None,
        **claims: Any,
    ) -> str:
        moment = now or datetime.now(UTC)
        body: dict[str, Any] = {
            "aud": APP_ID,
            "iss": self.issuer,
            "tid": TENANT,
            "oid": oid,
            "preferred_username": username,
            "name": name,
            "scp": "access_as_user",
            "iat": int(moment.timestamp()) - 10,
            "nbf": int(moment.timestamp()) - 10,
            "exp": int((moment + timedelta(hours=1)).timestamp()),
        }
        body.update(claims)
        body = {k: v for k, v in body.items() if v is not None}
        if algorithm == "none":
            return jwt.encode(body, None, algorithm="none", headers={"kid": kid})
        return jwt.encode(body, key or self.key, algorithm=algorithm, headers={"kid": kid})


def jwks(key: rsa.RSAPrivateKey) -> dict[str, Any]:
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return {"keys": [public | {"kid": KID, "use": "sig", "alg": "RS256"}]}


@asynccontextmanager
async def local_entra() -> AsyncIterator[LocalEntra]:
    key = new_key()
    app = web.Application()
    entra = LocalEntra("", key)

    async def keys(_request: web.Request) -> web.Response:
        entra.fetches.append(datetime.now(UTC))
        return web.json_response(jwks(key))

    app.router.add_get(f"/{TENANT}/discovery/v2.0/keys", keys)
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    entra.url = str(server.make_url("")).rstrip("/")
    try:
        yield entra
    finally:
        await server.close()
