"""The Teams activity handler: turns activities into calls on dialogs, domain and storage."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime
from typing import Any

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse
from botframework.connector.models import ErrorResponseException

from bot.services.account import AccountService
from bot.services.checkin import CheckinService, Sender
from bot.services.digest import DigestService
from bot.services.evidence import EvidenceService
from bot.services.figures import FiguresService
from bot.services.readiness import ReadinessService
from bot.services.signoff import SignoffService
from bot.teams import addresses, routes
from bot.teams.address_cache import RecentAddresses
from bot.teams.routes import CardHandler, CardRoute, CommandHandler, CommandRoute
from dialogs.help import help_text
from dialogs.progress import build_refusal_card
from domain.conversations import MemberIdentity
from storage import conversations
from storage.engine import Sessions

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Card = dict[str, Any]
CommandAnswer = Callable[[TurnContext, Sender, CommandRoute], Awaitable[None]]
CardAnswer = Callable[[Sender, Mapping[str, Any], str | None], Awaitable[Card]]


class CqcBot(TeamsActivityHandler):
    def __init__(
        self,
        sessions: Sessions,
        clock: Clock,
        checkin: CheckinService,
        account: AccountService,
        figures: FiguresService,
        digest: DigestService,
        readiness: ReadinessService,
        signoff: SignoffService,
        evidence: EvidenceService,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._checkin = checkin
        self._account = account
        self._figures = figures
        self._digest = digest
        self._readiness = readiness
        self._signoff = signoff
        self._evidence = evidence
        self._recent = RecentAddresses()
        # What each route names: the only place a command or a card verb meets the code that answers it.
        self._command_answers: Mapping[CommandHandler, CommandAnswer] = {
            CommandHandler.HELP: self._help,
            CommandHandler.NOT_UNDERSTOOD: self._not_understood,
            CommandHandler.MY_ACTIONS: self._my_actions,
            CommandHandler.MY_STATUS: self._status,
            CommandHandler.CHANNEL_STATUS: self._channel_status,
            CommandHandler.AWAY: self._away,
            CommandHandler.BACK: self._back,
            CommandHandler.FIGURES: self._figures_card,
            CommandHandler.DIGEST_PREVIEW: self._digest_preview,
            CommandHandler.DIGEST_POST_CONFIRMATION: self._digest_post_confirmation,
            CommandHandler.DELEGATE: self._delegate,
            CommandHandler.ASSESS: self._assess,
            CommandHandler.SIGN_OFF: self._sign_off,
            CommandHandler.EVIDENCE_ADD: self._evidence_add,
        }
        self._card_answers: Mapping[CardHandler, CardAnswer] = {
            CardHandler.PROGRESS_EDIT: lambda sender, data, _: checkin.edit_from_card(sender, data),
            CardHandler.PROGRESS_SUBMIT: checkin.submit_from_card,
            CardHandler.FIGURES_EDIT: lambda sender, data, _: figures.edit_from_card(sender, data),
            CardHandler.FIGURES_SUBMIT: figures.submit_from_card,
            CardHandler.DIGEST_MORE: lambda sender, data, _: digest.more(sender, data),
            CardHandler.DIGEST_POST: lambda sender, data, _: digest.post_from_card(sender, data),
            CardHandler.ASSESS_SUBMIT: readiness.submit_from_card,
            CardHandler.SIGN_OFF_CONFIRM: signoff.confirm,
            CardHandler.EVIDENCE_SUBMIT: evidence.submit_from_card,
            CardHandler.UNKNOWN: _unknown_button,
        }
        unanswered = (set(CommandHandler) - set(self._command_answers)) | (set(CardHandler) - set(self._card_answers))
        if unanswered:
            raise TypeError(f"routes with no answer: {sorted(h.name for h in unanswered)}")

    async def on_turn(self, turn_context: TurnContext) -> None:
        await self._remember_conversation(turn_context)
        await super().on_turn(turn_context)

    async def _remember_conversation(self, turn_context: TurnContext) -> None:
        """Every conversation the bot sees is kept, so it can write there later."""
        activity = turn_context.activity
        address = addresses.address_of(activity)
        if address is None:
            return
        installation = activity.type == ActivityTypes.installation_update
        if not installation and self._recent.known(address):
            return  # stored and linked already: most activities need no write
        member = addresses.sender_identity(activity)
        async with self._sessions.begin() as session:
            if installation and (activity.action or "").startswith("remove"):
                await conversations.mark_uninstalled(session, address.conversation_id, now=self._clock())
                self._recent.forget(address)
                return
            stored = await conversations.remember_address(session, address, member, now=self._clock())
        linked = stored.linked
        if not linked and member is not None:
            # The roster call goes to Teams: made outside the transaction, so no lock is held meanwhile.
            roster_member = await self._roster_identity(turn_context, member)
            if roster_member is not None:
                async with self._sessions.begin() as session:
                    linked = await conversations.link_conversation(session, stored.id, roster_member, now=self._clock())
        if linked:
            self._recent.remember(address)

    async def _roster_identity(self, turn_context: TurnContext, member: MemberIdentity) -> MemberIdentity | None:
        """Email and UPN come only from the roster, not from the activity."""
        try:
            account = await TeamsInfo.get_member(turn_context, member.user_id)
        except (ErrorResponseException, OSError, KeyError, TypeError) as exc:
            log.info("no roster entry for %s: %s", member.user_id, exc)
            return None
        return MemberIdentity(
            user_id=member.user_id,
            aad_object_id=account.aad_object_id or member.aad_object_id,
            email=account.email,
            upn=account.user_principal_name,
            name=account.name,
        )

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        route = routes.match_message(activity.text, personal=_personal(activity), value=activity.value)
        if isinstance(route, CardRoute):
            await self._card_submit_fallback(turn_context, route)
        else:
            await self._command_answers[route.handler](turn_context, _sender(activity), route)

    # ---- answering commands ----------------------------------------------------------------

    async def _help(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        await turn_context.send_activity(help_text(personal=route.personal))

    async def _not_understood(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        # Anything not understood (or not offered in this chat) gets help rather than silence.
        await turn_context.send_activity(help_text(personal=route.personal, not_understood=route.command.text or None))

    async def _my_actions(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        person, cards = await self._checkin.my_action_cards(sender)
        if person is None:
            await turn_context.send_activity(_NOT_IN_PLAN)
        elif not cards:
            await turn_context.send_activity("You have no open actions in the plan. Thank you!")
        else:
            await turn_context.send_activity(
                f"Here {'is your open action' if len(cards) == 1 else f'are your {len(cards)} open actions'}:"
            )
            for card in cards:
                await self._send_card(turn_context, card)

    @staticmethod
    async def _send_card(turn_context: TurnContext, card: Card) -> None:
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def _status(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        person, lines = await self._checkin.status_lines(sender)
        if person is None:
            await turn_context.send_activity(_NOT_IN_PLAN)
        else:
            body = "\n".join(f"- {line}" for line in lines) or "You have no actions in the plan."
            await turn_context.send_activity(f"**Your actions, {person.name}**\n\n{body}")

    async def _channel_status(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        await turn_context.send_activity(await self._account.channel_summary())

    async def _away(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        await turn_context.send_activity(await self._account.away(sender, route.command))

    async def _back(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        await turn_context.send_activity(await self._account.back(sender))

    async def _delegate(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        await turn_context.send_activity(await self._account.delegate(sender, route.command))

    async def _figures_card(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        card = await self._figures.figures_card(sender)
        if card is None:
            await turn_context.send_activity(
                "You don't report any of the plan's figures, so I have no figures card for you. "
                "The plan's admin can make you a metric owner in the plan."
            )
        else:
            await self._send_card(turn_context, card)

    async def _digest_preview(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        await self._send_card(turn_context, await self._digest.preview(sender))

    async def _digest_post_confirmation(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        await self._send_card(turn_context, await self._digest.confirm_post(sender))

    async def _assess(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        message, cards = await self._readiness.assess_cards(sender, route.command.argument)
        if message:
            await turn_context.send_activity(message)
        for card in cards:
            await self._send_card(turn_context, card)

    async def _sign_off(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        await self._send_card(turn_context, await self._signoff.card(sender))

    async def _evidence_add(self, turn_context: TurnContext, sender: Sender, route: CommandRoute) -> None:
        answer = await self._evidence.card(sender)
        if isinstance(answer, str):
            await turn_context.send_activity(answer)
        else:
            await self._send_card(turn_context, answer)

    # ---- answering card buttons ------------------------------------------------------------

    async def _answer_card(self, activity: Activity, route: CardRoute) -> Card:
        return await self._card_answers[route.handler](_sender(activity), route.data, activity.id)

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        # Answered here rather than through on_adaptive_card_invoke: with CloudAdapter, botbuilder
        # 4.17.1 serialises that path's body twice and answers 500.
        route = routes.match_invoke(activity.value)
        if route is None:
            return _invoke_error(400, "BadRequest", "expected an Action.Execute with a verb")
        card = await self._answer_card(activity, route)
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(
                status_code=200,
                type="application/vnd.microsoft.card.adaptive",
                value=card,
            ),
        )

    async def _card_submit_fallback(self, turn_context: TurnContext, route: CardRoute) -> None:
        """Action.Submit (older clients) cannot return a card: update the sent card in place instead."""
        activity = turn_context.activity
        card = await self._answer_card(activity, route)
        attachment = CardFactory.adaptive_card(card)
        if activity.reply_to_id:
            try:
                await turn_context.update_activity(
                    Activity(id=activity.reply_to_id, type=ActivityTypes.message, attachments=[attachment])
                )
                return
            except ErrorResponseException as exc:
                # The card may have been deleted or be too old to edit: answer with a new message.
                log.info("could not update card %s in place: %s", activity.reply_to_id, exc)
        await turn_context.send_activity(MessageFactory.attachment(attachment))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(help_text(personal=_personal(turn_context.activity)))


_NOT_IN_PLAN = (
    "I can't find you in the improvement plan, so I have no actions for you. "
    "If you should have some, ask the plan's admin to check your email address in the plan."
)


async def _unknown_button(sender: Sender, data: Mapping[str, Any], activity_id: str | None) -> Card:
    return build_refusal_card("I can't do that", "This button is not one I know. Type **help** to see what I can do.")


def _personal(activity: Activity) -> bool:
    return (activity.conversation.conversation_type or "personal") == "personal"


def _sender(activity: Activity) -> Sender:
    sender = activity.from_property
    return Sender(
        user_id=sender.id if sender else None,
        aad_object_id=sender.aad_object_id if sender else None,
        name=sender.name if sender else None,
    )


def _invoke_error(status: int, code: str, message: str) -> InvokeResponse:
    return InvokeResponse(
        status=200,
        body=AdaptiveCardInvokeResponse(
            status_code=status,
            type="application/vnd.microsoft.error",
            value={"code": code, "message": message},
        ),
    )
