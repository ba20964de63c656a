"""Outbound clients built once, not per message.

For every proactive turn botbuilder builds a new ConnectorClient and a new UserTokenClient; msrest's
set-up of each costs ~25 ms of CPU on the event loop (it computes its retry status list from
scratch), which caps a process near 20 sends/s and opens a new connection each time. This wrapper
keeps the app's own authentication and reuses one client per (app, service URL, audience). The
credentials still sign every request afresh, from MSAL's token cache.
"""

from __future__ import annotations

from typing import Any

from botframework.connector.auth import (
    AuthenticationConstants,
    BotFrameworkAuthentication,
    ClaimsIdentity,
    ConnectorFactory,
)


class _ReusedFactory(ConnectorFactory):
    def __init__(self, inner: ConnectorFactory) -> None:
        self._inner = inner
        self._clients: dict[tuple[str, str | None], Any] = {}

    async def create(self, service_url: str, audience: str | None = None) -> Any:
        key = (service_url, audience)
        if key not in self._clients:
            self._clients[key] = await self._inner.create(service_url, audience)
        return self._clients[key]


class ReusedClients(BotFrameworkAuthentication):
    """The app's BotFrameworkAuthentication, with connector and token clients kept per app id."""

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner
        self._factories: dict[tuple[str | None, ...], _ReusedFactory] = {}
        self._token_clients: dict[str | None, Any] = {}

    @staticmethod
    def _app_of(claims: ClaimsIdentity) -> str | None:
        return claims.claims.get(AuthenticationConstants.APP_ID_CLAIM)

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        key = (
            self._app_of(claims_identity),
            claims_identity.claims.get(AuthenticationConstants.AUDIENCE_CLAIM),
        )
        if key not in self._factories:
            self._factories[key] = _ReusedFactory(self._inner.create_connector_factory(claims_identity))
        return self._factories[key]

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> Any:
        app = self._app_of(claims_identity)
        if app not in self._token_clients:
            self._token_clients[app] = await self._inner.create_user_token_client(claims_identity)
        return self._token_clients[app]

    async def authenticate_request(self, activity: Any, auth_header: str) -> Any:
        return await self._inner.authenticate_request(activity, auth_header)

    async def authenticate_streaming_request(self, auth_header: str, channel_id_header: str) -> Any:
        return await self._inner.authenticate_streaming_request(auth_header, channel_id_header)

    def create_bot_framework_client(self) -> Any:
        return self._inner.create_bot_framework_client()

    def get_originating_audience(self) -> str:
        return self._inner.get_originating_audience()

    async def authenticate_channel_request(self, auth_header: str) -> ClaimsIdentity:
        return await self._inner.authenticate_channel_request(auth_header)
