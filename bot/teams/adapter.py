"""The real Bot Framework CloudAdapter, configured from our settings."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.core import InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse
from botframework.connector.auth import BotFrameworkAuthentication
from msrest.universal_http.requests import ClientRetryPolicy

from bot.settings import AppType, Settings
from bot.teams.answers import ERROR_CONTENT_TYPE, apology, failed_card_action
from bot.teams.channel_auth import ChannelTokenValidator, OpenIdKeys, TeamsChannelAuthentication
from bot.teams.turn_log import fields_of

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _AdapterConfig:
    """The attribute names ConfigurationBotFrameworkAuthentication reads."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str


def speed_up_msrest_retry_policy() -> None:
    """msrest builds its retry status list by testing 999 codes against a 500-item *list*, for each
    of the two clients CloudAdapter makes on every turn: ~10 ms of CPU per activity. The same codes
    in a frozenset give the same policy at a fraction of the cost. msrest is no longer maintained,
    so this cannot be fixed upstream; the test suite checks the policy is unchanged."""
    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        # msrest annotates the attribute as a list; it only ever tests membership in it.
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]


def new_adapter(settings: Settings) -> CloudAdapter:
    config = _AdapterConfig(
        APP_ID=settings.app_id,
        APP_PASSWORD=settings.app_password,
        # botbuilder's SingleTenant factory insists on an app id; its MultiTenant one is the
        # documented way to run with authentication disabled (local mode).
        APP_TYPE=AppType.MULTI_TENANT.value if settings.local_mode else settings.app_type.value,
        APP_TENANTID=settings.app_tenant_id,
    )
    speed_up_msrest_retry_policy()
    authentication: BotFrameworkAuthentication = ConfigurationBotFrameworkAuthentication(config)
    if not settings.local_mode:
        keys = OpenIdKeys(settings.bot_openid_metadata_url)
        validator = ChannelTokenValidator(settings.app_id, keys, tenant_id=settings.app_tenant_id)
        authentication = TeamsChannelAuthentication(authentication, validator)
    adapter = CloudAdapter(authentication)
    adapter.on_turn_error = _on_turn_error
    return adapter


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    # Logged once, with its traceback, under an id the person is given; never a stack trace for them.
    reference = uuid.uuid4().hex[:12]
    activity = context.activity
    log.error(
        "error %s while handling a %s activity", reference, activity.type, exc_info=error, extra=fields_of(activity)
    )
    try:
        if activity.type == ActivityTypes.invoke:
            # An invoke is answered in the HTTP response: the card shows the error, not a 501.
            failed = failed_card_action(reference)
            await context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=invoke_error(failed.status_code, failed.value))
            )
        else:
            await context.send_activity(apology(reference))
    except Exception:  # the connector itself may be what failed
        log.warning("error %s: could not tell the user about it", reference, exc_info=True)


def invoke_error(status: int, error: Mapping[str, Any]) -> InvokeResponse:
    """A Universal Actions error answer: HTTP 200 carrying the error for the card to show."""
    return InvokeResponse(
        status=200, body=AdaptiveCardInvokeResponse(status_code=status, type=ERROR_CONTENT_TYPE, value=dict(error))
    )
