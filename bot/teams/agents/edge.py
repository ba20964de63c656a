"""The Agents SDK edge: its JWT middleware, CloudAdapter and AgentApplication, and its gateway.

Authentication is the SDK's own aiohttp middleware, applied to /api/messages (and only there: the
health check and the signed report links stay open). Without it the SDK treats every request as
anonymous, so it is installed here explicitly, never left to the caller.
"""

from __future__ import annotations

import logging
import warnings
from functools import partial

from aiohttp import web
from aiohttp.web_exceptions import NotAppKeyWarning
from microsoft_agents.activity import Activity
from microsoft_agents.hosting.aiohttp import CloudAdapter, jwt_authorization_decorator
from microsoft_agents.hosting.core import AgentAuthConfiguration
from microsoft_agents.hosting.core.authorization import ClaimsIdentity
from pydantic import ValidationError

from bot.settings import Settings
from bot.teams.agents.application import apologise, new_application
from bot.teams.agents.clients import TeamsClients
from bot.teams.agents.config import connection_manager
from bot.teams.agents.gateway import AgentsGateway
from bot.teams.answers import BotAnswers, Clock
from bot.teams.edge import refusal

log = logging.getLogger(__name__)

# The key the SDK's middleware reads its configuration from (a plain string, the SDK's choice).
AGENT_CONFIGURATION = "agent_configuration"
CLAIMS = "claims_identity"  # where the middleware leaves the validated token's claims
SERVICE_URL_CLAIM = "serviceurl"
# The SDK's middleware stores the claims under a plain string key too; aiohttp's advice is for us, not it.
warnings.filterwarnings("ignore", category=NotAppKeyWarning, module=r"microsoft_agents\.hosting\.aiohttp\.")


# The SDK logs every body its Activity model refuses at ERROR, with a traceback; read_activity below
# answers those with a 400 that names the field, an expected rejection worth one line, not a trace.
logging.getLogger("microsoft_agents.activity.activity").setLevel(logging.CRITICAL)


class AgentsEdge:
    def __init__(self, settings: Settings, answers: BotAnswers) -> None:
        connections = connection_manager(settings)
        self._auth: AgentAuthConfiguration = connections.get_default_connection_configuration()
        self.adapter = CloudAdapter(
            channel_service_client_factory=TeamsClients(connections, local_mode=settings.local_mode)
        )
        self.adapter.on_turn_error = apologise
        self._app = new_application(answers, connections)
        self._app_id = settings.app_id

    def install(self, app: web.Application) -> None:
        """Where the SDK's middleware looks for what to validate tokens against."""
        with warnings.catch_warnings():
            # The SDK reads a plain string key, not an aiohttp AppKey.
            warnings.simplefilter("ignore", NotAppKeyWarning)
            app[AGENT_CONFIGURATION] = self._auth

    async def receive(self, request: web.Request, body: object) -> web.StreamResponse:
        # The SDK's JWT middleware, as a decorator on this one route: a bad or missing token is a
        # 401 before the activity is looked at.
        authorised = jwt_authorization_decorator(partial(self._process, body=body))
        try:
            response = await authorised(request)
        except Exception:
            if CLAIMS in request:
                raise  # authenticated: the turn itself failed, and the web layer answers that
            # The SDK's validator lets some bad tokens escape as errors (a token with no key id is a
            # KeyError, an unreachable key endpoint a network error): refused all the same.
            log.warning("a request's token could not be validated", exc_info=True)
            return refusal("Unauthorized", status=401)
        if CLAIMS not in request:
            # Refused by the middleware (no token, a bad one): in the same words as the botbuilder edge.
            return refusal("Unauthorized", status=401)
        return response

    async def _process(self, request: web.Request, *, body: object) -> web.StreamResponse:
        claims: ClaimsIdentity = request[CLAIMS]
        activity = read_activity(body)
        if isinstance(activity, str):
            return refusal(activity)
        claimed_url = claims.get_claim_value(SERVICE_URL_CLAIM)
        if claimed_url and claimed_url.rstrip("/") != (activity.service_url or "").rstrip("/"):
            # As botbuilder does: a token issued for one serviceUrl does not vouch for another.
            return refusal("Unauthorized", status=401)
        try:
            answer = await self.adapter.process_activity(claims, activity, self._app.on_turn)
        except PermissionError:
            return refusal("Unauthorized", status=401)
        if activity.type == "invoke":
            if answer is None:
                return refusal("this invoke is not one the bot answers", status=501)
            return web.json_response(answer.body, status=answer.status)
        return web.Response(status=201)

    def gateway(self, clock: Clock) -> AgentsGateway:
        return AgentsGateway(self.adapter, self._app_id, clock=clock)


def read_activity(body: object) -> Activity | str:
    """The activity in a request body, or what is wrong with it (a 400, never a 500)."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (a Bot Framework activity)"
    try:
        activity = Activity.model_validate(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the activity"
        return f"{where}: {first['msg']}"
    if not activity.type:
        return "the activity has no type"
    if activity.conversation is None or not activity.conversation.id:
        return "the activity has no conversation id"
    if not activity.service_url:
        return "the activity has no serviceUrl"
    return activity
