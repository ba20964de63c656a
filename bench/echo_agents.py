"""The Agents SDK's floor: a bare Microsoft 365 Agents SDK bot, served as the SDK's samples serve one.

The SDK's JWT middleware (anonymous allowed: local mode, like our bot without MicrosoftAppId), its
CloudAdapter and an AgentApplication that answers an adaptiveCard/action invoke with a tiny
Universal Actions response and a message with nothing at all. No database, no validation of our
own. `bench/inbound.py --edge agents` starts it as a separate process and sends it the same
invoke activities it sends our bot running with BOT_SDK=agents.

    python -m bench.echo_agents --port 3979
"""

from __future__ import annotations

import argparse
import logging
import os

from aiohttp import web
from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.authentication.msal import MsalConnectionManager
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_middleware, start_agent_process
from microsoft_agents.hosting.core import AgentApplication, ApplicationOptions, MemoryStorage, TurnContext, TurnState

from bench.echo_card import TINY_CARD


def create_app() -> web.Application:
    connections = MsalConnectionManager(CONNECTIONS={"SERVICE_CONNECTION": {"SETTINGS": {"ANONYMOUS_ALLOWED": True}}})
    adapter = CloudAdapter(connection_manager=connections)
    agent: AgentApplication[TurnState] = AgentApplication(
        ApplicationOptions(storage=MemoryStorage(), start_typing_timer=False), connection_manager=connections
    )

    async def card_action(context: TurnContext, state: TurnState) -> None:
        body = {"statusCode": 200, "type": "application/vnd.microsoft.card.adaptive", "value": TINY_CARD}
        await context.send_activity(
            Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body))
        )

    agent.invoke("adaptiveCard/action")(card_action)

    async def messages(request: web.Request) -> web.StreamResponse:
        return await start_agent_process(request, agent, adapter) or web.Response(status=201)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application(middlewares=[jwt_authorization_middleware])
    app["agent_configuration"] = connections.get_default_connection_configuration()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m bench.echo_agents",
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
