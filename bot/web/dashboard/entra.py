"""Checking the Entra ID token Teams gives the tab (``authentication.getAuthToken()``).

The token is a JWT signed by the tenant's keys: RS256 only, against the tenant's published key set
(fetched by PyJWT's JWKS client and cached), unexpired and already valid, for this app (its id or
its ``api://`` URI), from the tenant's issuer, with ``tid`` our tenant and the ``access_as_user``
scope. Anything else is refused with a reason that is logged, never the token itself.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import jwt

from bot.settings import Settings

log = logging.getLogger(__name__)

SCOPE = "access_as_user"
LOGIN_HOST = "https://login.microsoftonline.com"
LEEWAY_SECONDS = 60  # clock skew between Entra and this server


@dataclass(frozen=True)
class EntraConfig:
    tenant_id: str
    audiences: tuple[str, ...]
    issuers: tuple[str, ...]
    jwks_url: str

    @classmethod
    def for_tenant(cls, tenant_id: str, app_id: str, public_url: str, *, login: str = LOGIN_HOST) -> EntraConfig:
        host = urlsplit(public_url).netloc if public_url else ""
        audiences = (app_id, f"api://{host}/{app_id}") if host else (app_id,)
        return cls(
            tenant_id=tenant_id,
            audiences=audiences,
            # v2.0 tokens name the first, v1.0 tokens the second.
            issuers=(f"{login}/{tenant_id}/v2.0", f"https://sts.windows.net/{tenant_id}/"),
            jwks_url=f"{login}/{tenant_id}/discovery/v2.0/keys",
        )


def entra_config(settings: Settings) -> EntraConfig | None:
    """From the bot's own registration; None in local mode (the tab then offers a developer sign-in)."""
    if not settings.dashboard_in_teams:
        return None
    return EntraConfig.for_tenant(settings.app_tenant_id, settings.app_id, settings.public_url)


@dataclass(frozen=True)
class SignedInUser:
    object_id: str
    usernames: tuple[str, ...]  # preferred_username, upn, email: whichever the token carries
    name: str


class TokenRefused(Exception):
    """The token is not one this app accepts; the message says why (for the log, not the user)."""


class EntraTokenValidator:
    def __init__(self, config: EntraConfig, *, cache_seconds: int = 3600) -> None:
        self.config = config
        # Keys are cached; an unknown kid makes the client fetch the set again (key rollover).
        self._keys = jwt.PyJWKClient(config.jwks_url, cache_keys=True, lifespan=cache_seconds, timeout=10)

    async def validate(self, token: str) -> SignedInUser:
        # The JWKS client fetches with urllib (blocking): off the event loop.
        return await asyncio.to_thread(self._validate, token)

    def _validate(self, token: str) -> SignedInUser:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenRefused(f"not a JWT: {exc}") from exc
        if header.get("alg") != "RS256":
            raise TokenRefused(f"algorithm {header.get('alg')!r} is not RS256")
        try:
            key = self._keys.get_signing_key_from_jwt(token)
        except jwt.PyJWKClientError as exc:
            raise TokenRefused(f"no signing key: {exc}") from exc
        try:
            claims = jwt.decode(
                token,
                key.key,
                algorithms=["RS256"],
                audience=list(self.config.audiences),
                issuer=list(self.config.issuers),
                leeway=LEEWAY_SECONDS,
                options={"require": ["exp", "nbf", "iat", "aud", "iss", "tid", "oid"]},
            )
        except jwt.PyJWTError as exc:
            raise TokenRefused(str(exc)) from exc
        if claims.get("tid") != self.config.tenant_id:
            raise TokenRefused("the token is for another tenant")
        if SCOPE not in str(claims.get("scp", "")).split():
            raise TokenRefused(f"the token lacks the {SCOPE} scope")
        usernames = tuple(str(claims[k]) for k in ("preferred_username", "upn", "email") if claims.get(k))
        return SignedInUser(str(claims["oid"]), usernames, str(claims.get("name", "")))
