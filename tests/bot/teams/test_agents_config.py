"""The Bot Framework settings configure the Agents SDK edge: one set of names for users."""

from __future__ import annotations

import pytest
from microsoft_agents.hosting.core.authorization import AuthTypes
from microsoft_agents.hosting.core.connector import get_product_info
from microsoft_agents.hosting.core.connector.client import connector_client, user_token_client

from bot.settings import Settings
from bot.teams.agents.clients import remember_product_info
from bot.teams.agents.config import auth_configuration, connection_manager, service_connection

APP = "11111111-2222-3333-4444-555555555555"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def settings(**values: str) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (
            {"MicrosoftAppType": "SingleTenant", "MicrosoftAppPassword": "s", "MicrosoftAppTenantId": TENANT},
            {"AUTHTYPE": AuthTypes.client_secret, "CLIENTID": APP, "TENANTID": TENANT, "CLIENTSECRET": "s"},
        ),
        (
            {"MicrosoftAppType": "MultiTenant", "MicrosoftAppPassword": "s"},
            {"AUTHTYPE": AuthTypes.client_secret, "CLIENTID": APP, "TENANTID": "botframework.com", "CLIENTSECRET": "s"},
        ),
        (
            # A managed identity has no client secret: report links need their own (the hardening issue).
            {"MicrosoftAppType": "UserAssignedMSI", "MicrosoftAppTenantId": TENANT, "REPORT_LINK_SECRET": "k" * 32},
            {"AUTHTYPE": AuthTypes.user_managed_identity, "CLIENTID": APP, "TENANTID": TENANT},
        ),
    ],
    ids=["single-tenant", "multi-tenant", "user-assigned-managed-identity"],
)
def test_the_bot_framework_names_become_the_service_connection(values: dict[str, str], expected: dict) -> None:
    connection = service_connection(settings(MicrosoftAppId=APP, **values))
    assert connection == {**expected, "VALIDATE_ISSUER": True}
    # The SDK itself accepts it: the JWT middleware's configuration and the outbound token provider.
    config = auth_configuration(settings(MicrosoftAppId=APP, **values))
    assert (APP, expected["TENANTID"], expected["AUTHTYPE"]) == (config.CLIENT_ID, config.TENANT_ID, config.AUTH_TYPE)
    assert not config.ANONYMOUS_ALLOWED and config.VALIDATE_ISSUER
    connection_manager(settings(MicrosoftAppId=APP, **values)).get_default_connection()


def test_local_mode_lets_requests_without_a_token_in() -> None:
    config = auth_configuration(settings())
    assert config.ANONYMOUS_ALLOWED and config.CLIENT_ID is None


def test_the_remembered_user_agent_is_the_sdks_own() -> None:
    expected = get_product_info()
    remember_product_info()
    remember_product_info()  # idempotent
    for _ in range(2):
        assert connector_client.get_product_info() == expected == user_token_client.get_product_info()
    assert connector_client.get_product_info.cache_info().hits >= 1  # type: ignore[attr-defined]
