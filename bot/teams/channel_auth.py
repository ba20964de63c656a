"""Checking the Bot Framework's token on every inbound activity: 401 or 403, never a crash.

botbuilder 4.17's own check lets PyJWT's errors, an IndexError for an unknown key id and bare
``Exception``s escape (the app answered 500), and fetches the signing keys with blocking ``requests``
on the event loop. This module applies the same rules (see docs: RS256/384/512 only, issuer
api.botframework.com, audience = our app id, 5 minutes of clock skew, the channel in the key's
endorsements, the ``serviceurl`` claim = the activity's serviceUrl) with PyJWT and keys fetched with
aiohttp, and sorts every failure into:

* ``Unauthenticated`` (401): the token does not prove anything: missing, not a JWT, ``alg: none`` or
  HS256, unknown key, bad signature, expired, wrong issuer;
* ``Forbidden`` (403): a genuine Bot Framework token, but not for this bot, tenant or channel.

``TeamsChannelAuthentication`` puts it in front of botbuilder's BotFrameworkAuthentication, which
still makes the outbound clients: the adapter and the protocol are botbuilder's own.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol

import jwt
from aiohttp import ClientError, ClientSession, ClientTimeout
from botbuilder.schema import Activity, CallerIdConstants
from botframework.connector.auth import (
    AuthenticateRequestResult,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
    UserTokenClient,
)

log = logging.getLogger(__name__)

ALGORITHMS = ("RS256", "RS384", "RS512")
ISSUER = "https://api.botframework.com"
OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
CLOCK_SKEW_SECONDS = 5 * 60
TEAMS_CHANNEL = "msteams"
KEYS_MAX_AGE_SECONDS = 24 * 3600  # the Bot Framework rotates keys with notice; a day's cache is what the SDKs keep
UNKNOWN_KEY_REFRESH_SECONDS = 5 * 60  # at most this often for an unknown key id: forged ids cannot make us fetch


class Unauthenticated(PermissionError):
    """The token proves nothing: 401."""


class Forbidden(PermissionError):
    """A valid token, but not for this bot, tenant or channel: 403."""


class KeysUnavailable(RuntimeError):
    """The signing keys cannot be fetched now, so no token can be checked: 503, Teams retries."""


@dataclass(frozen=True)
class SigningKey:
    key: Any  # the public key PyJWT verifies with
    endorsements: frozenset[str]  # the channels the key may sign for


class KeySet(Protocol):
    async def find(self, key_id: str) -> SigningKey | None: ...


def signing_keys(jwks: Mapping[str, Any]) -> dict[str, SigningKey]:
    """The keys of a JSON Web Key Set by id; keys PyJWT cannot read are left out."""
    found: dict[str, SigningKey] = {}
    for entry in jwks.get("keys") or []:
        try:
            parsed = jwt.PyJWK(entry)
        except (jwt.PyJWTError, KeyError, TypeError, ValueError):
            continue
        if parsed.key_id:
            found[parsed.key_id] = SigningKey(parsed.key, frozenset(entry.get("endorsements") or ()))
    return found


class StaticKeys:
    """A fixed key set (a JWKS document already in hand)."""

    def __init__(self, jwks: Mapping[str, Any]) -> None:
        self._keys = signing_keys(jwks)

    async def find(self, key_id: str) -> SigningKey | None:
        return self._keys.get(key_id)


class OpenIdKeys:
    """The channel's signing keys, from its OpenID metadata document, cached and refreshed."""

    def __init__(self, metadata_url: str, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._url = metadata_url
        self._clock = clock
        self._keys: dict[str, SigningKey] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def find(self, key_id: str) -> SigningKey | None:
        if self._stale(KEYS_MAX_AGE_SECONDS) or (key_id not in self._keys and self._stale(UNKNOWN_KEY_REFRESH_SECONDS)):
            async with self._lock:  # one fetch for all the requests waiting on it
                if self._stale(UNKNOWN_KEY_REFRESH_SECONDS):
                    await self._refresh()
        return self._keys.get(key_id)

    def _stale(self, age: float) -> bool:
        return self._fetched_at is None or self._clock() - self._fetched_at > age

    async def _refresh(self) -> None:
        try:
            async with ClientSession(timeout=ClientTimeout(total=10)) as http:
                async with http.get(self._url) as response:
                    response.raise_for_status()
                    keys_url = (await response.json(content_type=None))["jwks_uri"]
                async with http.get(keys_url) as response:
                    response.raise_for_status()
                    keys = signing_keys(await response.json(content_type=None))
        except (ClientError, TimeoutError, ValueError, KeyError, TypeError) as exc:
            if not self._keys:
                raise KeysUnavailable(f"cannot fetch the Bot Framework's signing keys: {exc}") from exc
            log.warning("could not refresh the Bot Framework's signing keys (keeping the cached ones): %s", exc)
            self._fetched_at = self._clock()  # try again later, not on every request
            return
        self._keys, self._fetched_at = keys, self._clock()


@dataclass(frozen=True)
class Inbound:
    """What of the activity the token is checked against."""

    channel_id: str | None
    service_url: str | None
    tenant_id: str | None


class ChannelTokenValidator:
    def __init__(
        self, app_id: str, keys: KeySet, *, tenant_id: str = "", clock: Callable[[], float] = time.time
    ) -> None:
        self._app_id = app_id
        self._keys = keys
        self._tenant_id = tenant_id
        self._clock = clock

    async def claims(self, auth_header: str | None, inbound: Inbound) -> dict[str, Any]:
        """The token's claims, or Unauthenticated / Forbidden saying why not (never the token)."""
        scheme, _, token = (auth_header or "").partition(" ")
        if scheme != "Bearer" or not token.strip():
            raise Unauthenticated("no Bearer token")
        token = token.strip()
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("the token is not a JWT") from None
        algorithm, key_id = header.get("alg"), header.get("kid")
        if algorithm not in ALGORITHMS:
            raise Unauthenticated(f"signing algorithm {str(algorithm)[:16]!r} is not accepted")
        if not isinstance(key_id, str) or not key_id:
            raise Unauthenticated("the token names no signing key")
        key = await self._keys.find(key_id)
        if key is None:
            raise Unauthenticated("the token is signed with an unknown key")
        claims = self._verified(token, key, algorithm)
        self._check_audience(claims, key, inbound)
        return claims

    def _verified(self, token: str, key: SigningKey, algorithm: str) -> dict[str, Any]:
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key.key,
                algorithms=[algorithm],
                issuer=ISSUER,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": ["exp", "iss", "aud"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("the token has expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("the token is not valid yet") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("the token's signature does not verify") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("the token is not issued by the Bot Framework") from None
        except jwt.MissingRequiredClaimError as exc:
            raise Unauthenticated(f"the token has no {exc.claim!r} claim") from None
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise Unauthenticated(f"the token is invalid ({type(exc).__name__})") from None
        return claims

    def _check_audience(self, claims: Mapping[str, Any], key: SigningKey, inbound: Inbound) -> None:
        if claims.get("aud") != self._app_id:
            raise Forbidden("the token is for another bot")
        if inbound.channel_id != TEAMS_CHANNEL:
            raise Forbidden(f"this bot serves Microsoft Teams only, not channel {str(inbound.channel_id)[:32]!r}")
        if key.endorsements and inbound.channel_id not in key.endorsements:
            raise Forbidden("the signing key is not endorsed for Microsoft Teams")
        if claims.get("serviceurl") != inbound.service_url:
            raise Forbidden("the token is for another service URL")
        if self._tenant_id and inbound.tenant_id != self._tenant_id:
            raise Forbidden("the activity comes from another tenant")


def inbound_of(activity: Activity) -> Inbound:
    data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = data.get("tenant")
    tenant_id = tenant.get("id") if isinstance(tenant, dict) else None
    conversation = activity.conversation
    return Inbound(
        channel_id=activity.channel_id,
        service_url=activity.service_url,
        tenant_id=tenant_id or (conversation.tenant_id if conversation else None),
    )


class TeamsChannelAuthentication(BotFrameworkAuthentication):
    """botbuilder's authentication with the inbound token check above; outbound is unchanged."""

    def __init__(self, inner: BotFrameworkAuthentication, validator: ChannelTokenValidator) -> None:
        self._inner = inner
        self._validator = validator

    async def authenticate_request(self, activity: Activity, auth_header: str) -> AuthenticateRequestResult:
        claims = await self._validator.claims(auth_header, inbound_of(activity))
        identity = ClaimsIdentity(claims, True)
        result = AuthenticateRequestResult()
        result.claims_identity = identity
        result.audience = self._inner.get_originating_audience()
        result.caller_id = CallerIdConstants.public_azure_channel.value
        result.connector_factory = self._inner.create_connector_factory(identity)
        return result

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        raise Unauthenticated("streaming connections are not accepted")

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        raise Unauthenticated("channel requests are not accepted")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self._inner.create_user_token_client(claims_identity)

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()
