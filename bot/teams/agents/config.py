"""The Bot Framework settings (MicrosoftAppId, …) as the Agents SDK's service connection.

The SDK reads `CONNECTIONS__SERVICE_CONNECTION__SETTINGS__CLIENTID` and friends; users set the
names they already know, and this module maps them, so one set of settings configures both edges.
"""

from __future__ import annotations

from typing import Any

from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.core import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization import AuthTypes

from bot.settings import AppType, Settings

# Multi-tenant bots take their tokens from the Bot Framework's own tenant, as botbuilder does.
MULTI_TENANT_AUTHORITY_TENANT = "botframework.com"

_AUTH_TYPES = {
    AppType.SINGLE_TENANT: AuthTypes.client_secret,
    AppType.MULTI_TENANT: AuthTypes.client_secret,
    AppType.USER_ASSIGNED_MSI: AuthTypes.user_managed_identity,
}


def service_connection(settings: Settings) -> dict[str, Any]:
    """The SETTINGS of CONNECTIONS__SERVICE_CONNECTION, as the SDK's environment loader would build them."""
    if settings.local_mode:
        # No app id: requests without a token are let in (ANONYMOUS_ALLOWED), as botbuilder does.
        return {"ANONYMOUS_ALLOWED": True}
    tenant = (
        MULTI_TENANT_AUTHORITY_TENANT
        if settings.app_type is AppType.MULTI_TENANT and not settings.app_tenant_id
        else settings.app_tenant_id
    )
    values: dict[str, Any] = {
        "AUTHTYPE": _AUTH_TYPES[settings.app_type],
        "CLIENTID": settings.app_id,
        "TENANTID": tenant,
        # botbuilder insists the token comes from the Bot Framework (or the tenant); so do we.
        "VALIDATE_ISSUER": True,
    }
    if settings.app_type is not AppType.USER_ASSIGNED_MSI:
        values["CLIENTSECRET"] = settings.app_password
    return values


def auth_configuration(settings: Settings) -> AgentAuthConfiguration:
    """What the JWT middleware validates inbound tokens against."""
    return AgentAuthConfiguration(**service_connection(settings))


def connection_manager(settings: Settings) -> MsalConnectionManager:
    """Outbound tokens (MSAL: client secret or managed identity) for the service connection."""
    return MsalConnectionManager(CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": service_connection(settings)}})
