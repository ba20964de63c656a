"""The botbuilder edge: CloudAdapter (authentication included), the activity handler and its gateway."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from aiohttp import web

from bot.settings import Settings
from bot.teams.adapter import new_adapter
from bot.teams.answers import BotAnswers
from bot.teams.channel_auth import Forbidden, KeysUnavailable, Unauthenticated
from bot.teams.edge import refusal
from bot.teams.gateway import BotFrameworkGateway
from bot.teams.handler import CqcBot
from bot.teams.intake import invoke_json, read_activity

log = logging.getLogger(__name__)


class BotbuilderEdge:
    def __init__(self, settings: Settings, answers: BotAnswers) -> None:
        self.adapter = new_adapter(settings)
        self._bot = CqcBot(answers)
        self._app_id = settings.app_id

    def install(self, app: web.Application) -> None:
        """Nothing: CloudAdapter authenticates each activity itself."""

    async def receive(self, request: web.Request, body: object) -> web.StreamResponse:
        activity = read_activity(body)
        if isinstance(activity, str):
            return refusal(activity)
        try:
            # The adapter's own `process` would read and deserialise the body a second time.
            answer = await self.adapter.process_activity(
                request.headers.get("Authorization", ""), activity, self._bot.on_turn
            )
        except Unauthenticated as exc:
            log.info("refused a request: 401, %s", exc)
            return refusal("Unauthorized", status=401)
        except Forbidden as exc:
            log.info("refused a request: 403, %s", exc)
            return refusal("Forbidden", status=403)
        except KeysUnavailable as exc:
            log.warning("cannot check tokens: %s", exc)
            return web.json_response(
                {"error": {"code": "ServiceUnavailable", "message": "cannot check tokens now"}},
                status=503,
                headers={"Retry-After": "30"},
            )
        except PermissionError as exc:  # botbuilder's own check (local mode), as CloudAdapter.process answers
            log.info("refused a request: 401, %s", exc)
            return refusal("Unauthorized", status=401)
        except web.HTTPException as exc:
            if exc.status >= 500:
                raise
            return refusal(exc.reason or "the request was refused", status=exc.status)
        if answer is None:
            return web.Response(status=201)
        return web.json_response(invoke_json(answer), status=answer.status)

    def gateway(self, clock: Callable[[], datetime]) -> BotFrameworkGateway:
        return BotFrameworkGateway(self.adapter, self._app_id, clock=clock)
