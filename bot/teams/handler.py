"""The botbuilder activity handler: each turn wrapped as a `Turn` and answered by `BotAnswers`."""

from __future__ import annotations

import logging

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse
from botframework.connector.models import ErrorResponseException

from bot.teams.answers import BotAnswers, Card
from domain.conversations import MemberIdentity

log = logging.getLogger(__name__)


class BotbuilderTurn:
    """A botbuilder TurnContext as the SDK-free `Turn`."""

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
        attachment = CardFactory.adaptive_card(card)
        try:
            await self._context.update_activity(
                Activity(id=activity_id, type=ActivityTypes.message, attachments=[attachment])
            )
        except ErrorResponseException as exc:
            log.info("could not update card %s in place: %s", activity_id, exc)
            return False
        return True

    async def roster_member(self, user_id: str) -> MemberIdentity | None:
        try:
            account = await TeamsInfo.get_member(self._context, user_id)
        except (ErrorResponseException, OSError, KeyError, TypeError) as exc:
            log.info("no roster entry for %s: %s", user_id, exc)
            return None
        return MemberIdentity(
            user_id=user_id,
            aad_object_id=account.aad_object_id,
            email=account.email,
            upn=account.user_principal_name,
            name=account.name,
        )


class CqcBot(TeamsActivityHandler):
    def __init__(self, answers: BotAnswers) -> None:
        self._answers = answers

    async def on_turn(self, turn_context: TurnContext) -> None:
        if turn_context.activity.channel_data is None:
            # TeamsActivityHandler reads channelData's fields without checking it is there.
            turn_context.activity.channel_data = {}
        await self._answers.remember_conversation(BotbuilderTurn(turn_context))
        await super().on_turn(turn_context)

    async def on_conversation_update_activity(self, turn_context: TurnContext) -> None:
        """Installs arrive as installationUpdate; here only people joining a team matter. Not
        TeamsActivityHandler's dispatch: it looks each added member up in the roster with a call
        that fails the whole turn when Teams no longer knows one of them."""
        await self._answers.on_members_added(BotbuilderTurn(turn_context))

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await self._answers.on_message(BotbuilderTurn(turn_context))

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        # Answered here rather than through on_adaptive_card_invoke: with CloudAdapter, botbuilder
        # 4.17.1 serialises that path's body twice and answers 500. Bad actions are answered in
        # the body (Universal Actions' error type), so the invoke itself is always a 200.
        answer = await self._answers.on_card_action(activity)
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(status_code=answer.status_code, type=answer.type, value=answer.value),
        )

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await self._answers.on_installed(BotbuilderTurn(turn_context))
