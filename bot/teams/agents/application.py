"""The Agents SDK's AgentApplication, routing each activity to the SDK-free `BotAnswers`."""

from __future__ import annotations

import logging
import uuid
from urllib.parse import quote

from aiohttp import ClientError
from microsoft_agents.activity import Activity, ActivityTypes, InvokeResponse
from microsoft_agents.hosting.core import (
    AgentApplication,
    ApplicationOptions,
    CardFactory,
    ChannelAdapter,
    MemoryStorage,
    MessageFactory,
    TurnContext,
    TurnState,
)
from microsoft_agents.hosting.core.authorization import Connections

from bot.teams.agents.clients import TeamsRefused, member_identity, read_members, teams_client
from bot.teams.answers import INSTALLATION_UPDATE, BotAnswers, Card, apology, failed_card_action
from bot.teams.turn_log import fields_of
from domain.conversations import MemberIdentity

log = logging.getLogger(__name__)

CARD_ACTION_INVOKE = "adaptiveCard/action"


class AgentsTurn:
    """An Agents SDK TurnContext as the SDK-free `Turn`."""

    def __init__(self, context: TurnContext) -> None:
        self._context = context

    @property
    def activity(self) -> Activity:
        return self._context.activity

    async def say(self, text: str) -> None:
        await self._context.send_activity(text)

    async def show_card(self, card: Card) -> None:
        await self._context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def replace_card(self, activity_id: str, card: Card) -> bool:
        replacement = Activity(
            id=activity_id, type=ActivityTypes.message, attachments=[CardFactory.adaptive_card(card)]
        )
        try:
            await self._context.update_activity(replacement)
        except TeamsRefused as exc:
            log.info("could not update card %s in place: %s", activity_id, exc)
            return False
        return True

    async def roster_member(self, user_id: str) -> MemberIdentity | None:
        client = teams_client(self._context)
        conversation = self._context.activity.conversation
        if client is None or conversation is None:
            return None
        try:
            account = await read_members(client, conversation.id, f"members/{quote(user_id, safe='')}")
        except (TeamsRefused, ClientError, OSError, ValueError) as exc:
            log.info("no roster entry for %s: %s", user_id, exc)
            return None
        return member_identity(account, user_id) if isinstance(account, dict) else None


def new_application(answers: BotAnswers, connections: Connections) -> AgentApplication[TurnState]:
    # No typing indicator and the text as Teams sent it: the same activities out as the botbuilder edge.
    # The bot keeps no SDK turn state (its state is in the database); the storage is only what the
    # application requires to start.
    app: AgentApplication[TurnState] = AgentApplication(
        ApplicationOptions(
            storage=MemoryStorage(),
            start_typing_timer=False,
            remove_recipient_mention=False,
        ),
        connection_manager=connections,  # the application's sign-in support wants it; the bot signs no one in
    )

    async def remember(context: TurnContext, state: TurnState) -> bool:
        await answers.remember_conversation(AgentsTurn(context))
        return True

    async def message(context: TurnContext, state: TurnState) -> None:
        await answers.on_message(AgentsTurn(context))

    async def installation(context: TurnContext, state: TurnState) -> None:
        if (context.activity.action or "").startswith("add"):
            await answers.on_installed(AgentsTurn(context))

    async def conversation_update(context: TurnContext, state: TurnState) -> None:
        await answers.on_members_added(AgentsTurn(context))

    async def card_action(context: TurnContext, state: TurnState) -> None:
        # Bad actions are answered in the body (Universal Actions' error type): the invoke is a 200.
        answer = await answers.on_card_action(context.activity)
        _answer_invoke(context, answer.as_json())

    app.before_turn(remember)
    app.activity(ActivityTypes.message)(message)
    app.activity(INSTALLATION_UPDATE)(installation)
    app.activity(ActivityTypes.conversation_update)(conversation_update)
    app.invoke(CARD_ACTION_INVOKE)(card_action)
    app.error(apologise)
    return app


async def apologise(context: TurnContext, error: Exception) -> None:
    # Logged once, with its traceback, under an id the person is given; never a stack trace for them.
    reference = uuid.uuid4().hex[:12]
    activity = context.activity
    log.error(
        "error %s while handling a %s activity", reference, activity.type, exc_info=error, extra=fields_of(activity)
    )
    if activity.type == ActivityTypes.invoke:
        # An invoke is answered in the HTTP response: the card shows the error, not a 501.
        _answer_invoke(context, failed_card_action(reference).as_json())
        return
    try:
        await context.send_activity(apology(reference))
    except Exception:  # the connector itself may be what failed
        log.warning("error %s: could not tell the user about it", reference, exc_info=True)


def _answer_invoke(context: TurnContext, body: dict[str, object]) -> None:
    # Left where the adapter reads it, as send_activity would after deep-copying the whole card
    # (~1.5 ms for a receipt): the answer is the request's response body, not a message.
    context.turn_state[ChannelAdapter.INVOKE_RESPONSE_KEY] = Activity(
        type=ActivityTypes.invoke_response, value=InvokeResponse(status=200, body=body)
    )
