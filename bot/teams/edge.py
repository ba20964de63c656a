"""The seam between the app and a Teams SDK: one inbound door and one outbound gateway.

The composition root (bot.runtime) builds one edge from BOT_SDK; the web layer hands it each
well-formed JSON request on /api/messages, the delivery worker sends through its gateway.
Nothing above this module knows which SDK is underneath.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from aiohttp import web

from domain.outbox import TeamsGateway


class TeamsEdge(Protocol):
    def install(self, app: web.Application) -> None:
        """Anything the edge needs on the web application, before it starts."""
        ...

    async def receive(self, request: web.Request, body: object) -> web.StreamResponse:
        """Authenticate and answer one inbound activity (`body` is the request's parsed JSON)."""
        ...

    def gateway(self, clock: Callable[[], datetime]) -> TeamsGateway:
        """The outbound gateway the delivery worker sends through."""
        ...


def refusal(reason: str, status: int = 400) -> web.Response:
    """The JSON error both edges (and the activity gate in bot.web.guard) answer with: a reason, never a traceback."""
    return web.json_response({"error": {"code": "BadRequest", "message": reason}}, status=status)
