"""The real Bot Framework CloudAdapter, configured from our settings."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from botbuilder.core import TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from msrest.universal_http.requests import ClientRetryPolicy

from bot.settings import AppType, Settings

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
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    adapter.on_turn_error = _on_turn_error
    return adapter


async def _on_turn_error(context: TurnContext, error: Exception) -> None:
    # Logged with its traceback for us; the person gets a plain sentence, never a stack trace.
    log.exception("error while handling a %s activity", context.activity.type, exc_info=error)
    try:
        await context.send_activity(
            "Sorry — something went wrong on our side and I couldn't finish that. "
            "Please try again in a minute; if it keeps happening, tell the plan's admin."
        )
    except Exception:  # the connector itself may be what failed
        log.warning("could not tell the user about the error", exc_info=True)
