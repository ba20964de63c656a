"""The framework's floor: a bare botbuilder bot served the way `cqcbot serve` serves ours.

CloudAdapter (local mode, no authentication, like our bot without MicrosoftAppId) and an
ActivityHandler that answers an invoke with a tiny Universal Actions response and a message with
nothing at all. No database, no validation of our own. `bench/inbound.py` starts it as a separate
process and sends it the same invoke activities it sends our bot.

    python -m bench.echo_bot --port 3979
"""

from __future__ import annotations

import argparse
import logging
import os
from dataclasses import dataclass

from aiohttp import web
from botbuilder.core import ActivityHandler, InvokeResponse, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import AdaptiveCardInvokeResponse

from bench.echo_card import TINY_CARD


@dataclass(frozen=True)
class _LocalModeConfig:
    """What ConfigurationBotFrameworkAuthentication reads; an empty app id turns auth off."""

    APP_ID: str = ""
    APP_PASSWORD: str = ""
    APP_TYPE: str = "MultiTenant"
    APP_TENANTID: str = ""


class EchoBot(ActivityHandler):
    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse:
        # The smallest Universal Actions answer that is the same kind as ours: a one-line card.
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(
                status_code=200,
                type="application/vnd.microsoft.card.adaptive",
                value=TINY_CARD,
            ),
        )

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        return None  # nothing sent: no connector call


def create_app() -> web.Application:
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(_LocalModeConfig()))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.StreamResponse:
        return await adapter.process(request, bot) or web.Response(status=201)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.echo_bot",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    # Logged like `cqcbot serve` (same LOG_LEVEL, same aiohttp access log), so both pay the same.
    logging.basicConfig(
        level=os.environ.get("LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    web.run_app(create_app(), host=args.host, port=args.port, print=None)


if __name__ == "__main__":
    main()
