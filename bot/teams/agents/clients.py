"""Outbound Bot Connector clients for the Agents SDK edge, with Teams' refusals kept whole.

The SDK's connector raises aiohttp's ClientResponseError, mostly without the response body, so
Teams' error code and subCode (which tell a blocked person from an uninstalled app) would be lost.
Each client's session is built here with a `raise_for_status` check that reads the body first.
Local mode (no app id) sends without a token, for proactive turns as for replies.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from aiohttp import ClientResponse, ClientSession
from microsoft_agents.hosting.core import RestChannelServiceClientFactory, TurnContext
from microsoft_agents.hosting.core.authorization import ClaimsIdentity, Connections
from microsoft_agents.hosting.core.connector import ConnectorClientBase
from microsoft_agents.hosting.core.connector.client import UserTokenClient, connector_client, user_token_client
from microsoft_agents.hosting.core.connector.teams import TeamsConnectorClient

from domain.conversations import MemberIdentity


def remember_product_info() -> None:
    """Every connector and user-token client the SDK builds (two a turn) works out its User-Agent
    afresh, scanning every installed package's metadata for one that is not there: about a
    millisecond of CPU a turn. The answer cannot change while the process runs, so it is
    remembered; the test suite checks it is the same string."""
    for module in (connector_client, user_token_client):
        if not hasattr(module.get_product_info, "cache_info"):
            module.get_product_info = functools.cache(module.get_product_info)  # type: ignore[attr-defined]


class TeamsRefused(Exception):
    """Teams answered a Bot Connector call with an error status."""

    def __init__(self, status: int, headers: Mapping[str, str], body: str) -> None:
        super().__init__(f"Teams answered {status}")
        self.status = status
        self.headers = dict(headers)
        self.body = body


async def _raise_refusal(response: ClientResponse) -> None:
    if response.status >= 400:
        raise TeamsRefused(response.status, response.headers, await response.text(errors="replace"))


def teams_client(context: TurnContext) -> TeamsConnectorClient | None:
    """The turn's connector client, as built by TeamsClients below."""
    # The SDK keys its services by the abstract base class, which mypy will not take as a type argument.
    client = context.services.get(ConnectorClientBase)  # type: ignore[type-abstract]
    return client if isinstance(client, TeamsConnectorClient) else None


async def read_members(
    client: TeamsConnectorClient, conversation_id: str, tail: str, params: Mapping[str, str] | None = None
) -> Any:
    """A member read (`members/{id}`, `pagedmembers`) as plain JSON.

    The SDK's TeamsChannelAccount refuses the nulls Teams sends for missing fields (a guest's email,
    an aadObjectId not yet known), failing the whole roster page; read by hand, each field is optional.
    """
    path = f"v3/conversations/{quote(conversation_id, safe='')}/{tail}"
    async with client.client.get(path, params=params) as response:
        return await response.json()


def member_identity(member: Mapping[str, Any], user_id: str | None = None) -> MemberIdentity | None:
    found = user_id or member.get("id")
    if not isinstance(found, str) or not found:
        return None

    def text(key: str) -> str | None:
        value = member.get(key)
        return value if isinstance(value, str) and value else None

    return MemberIdentity(
        user_id=found,
        aad_object_id=text("aadObjectId"),
        email=text("email"),
        upn=text("userPrincipalName"),
        name=text("name"),
    )


class TeamsClients(RestChannelServiceClientFactory):
    def __init__(self, connections: Connections, *, local_mode: bool) -> None:
        super().__init__(connections)
        remember_product_info()
        self._connections = connections
        self._local_mode = local_mode
        if local_mode:
            # The adapter makes a user-token client every turn and, with no app id, warns each time
            # that sign-in may not work; the bot signs no one in, so that warning is only noise.
            logging.getLogger(UserTokenClient.__module__).setLevel(logging.ERROR)

    async def create_connector_client(
        self,
        context: TurnContext | None,
        claims_identity: ClaimsIdentity,
        service_url: str,
        audience: str,
        scopes: list[str] | None = None,
        use_anonymous: bool = False,
    ) -> ConnectorClientBase:
        token = ""
        if not (self._local_mode or use_anonymous):
            provider = self._connections.get_token_provider(claims_identity, service_url)
            token = await provider.get_access_token(audience, scopes or claims_identity.get_token_scope())
        endpoint = service_url if service_url.endswith("/") else service_url + "/"
        session = ClientSession(base_url=endpoint, raise_for_status=_raise_refusal)
        return TeamsConnectorClient(endpoint=endpoint, token=token, session=session)

    async def create_user_token_client(
        self, context: TurnContext, claims_identity: ClaimsIdentity, use_anonymous: bool = False
    ) -> UserTokenClient:
        return await super().create_user_token_client(context, claims_identity, use_anonymous or self._local_mode)
