"""The Teams activity handler: turns activities into calls on dialogs, domain and storage."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from botbuilder.core import CardFactory, InvokeResponse, MessageFactory, TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import Activity, ActivityTypes, AdaptiveCardInvokeResponse
from botframework.connector.models import ErrorResponseException

from bot.services.account import AccountService
from bot.services.checkin import CheckinService, Sender
from bot.services.digest import DigestService
from bot.services.figures import FiguresService
from bot.teams import addresses
from bot.teams.address_cache import RecentAddresses
from dialogs.commands import CommandName, parse_command
from dialogs.digest_post import POST_VERB
from dialogs.help import help_text
from domain.conversations import MemberIdentity
from storage import conversations
from storage.engine import Sessions

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class CqcBot(TeamsActivityHandler):
    def __init__(
        self,
        sessions: Sessions,
        clock: Clock,
        checkin: CheckinService,
        account: AccountService,
        figures: FiguresService,
        digest: DigestService,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._checkin = checkin
        self._account = account
        self._figures = figures
        self._digest = digest
        self._recent = RecentAddresses()

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
        if isinstance(activity.value, dict) and activity.value.get("verb"):
            await self._card_submit_fallback(turn_context, activity.value)
            return
        personal = (activity.conversation.conversation_type or "personal") == "personal"
        command = parse_command(activity.text)
        sender = _sender(activity)
        if command.name is CommandName.HELP:
            await turn_context.send_activity(help_text(personal=personal))
        elif command.name is CommandName.MY_ACTIONS and personal:
            await self._my_actions(turn_context, sender)
        elif command.name is CommandName.STATUS:
            if personal:
                await self._status(turn_context, sender)
            else:
                await turn_context.send_activity(await self._account.channel_summary())
        elif command.name is CommandName.AWAY and personal:
            await turn_context.send_activity(await self._account.away(sender, command))
        elif command.name is CommandName.BACK and personal:
            await turn_context.send_activity(await self._account.back(sender))
        elif command.name is CommandName.FIGURES and personal:
            await self._figures_card(turn_context, sender)
        elif command.name is CommandName.DIGEST and personal:
            await self._send_card(turn_context, await self._digest.preview(sender))
        elif command.name is CommandName.POST_DIGEST and personal:
            await self._send_card(turn_context, await self._digest.confirm_post(sender))
        elif command.name is CommandName.DELEGATE and personal:
            await turn_context.send_activity(await self._account.delegate(sender, command))
        else:
            # Anything not understood (or not yet offered) gets help rather than silence.
            await turn_context.send_activity(help_text(personal=personal, not_understood=command.text or None))

    async def _my_actions(self, turn_context: TurnContext, sender: Sender) -> None:
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
    async def _send_card(turn_context: TurnContext, card: dict) -> None:
        await turn_context.send_activity(MessageFactory.attachment(CardFactory.adaptive_card(card)))

    async def _figures_card(self, turn_context: TurnContext, sender: Sender) -> None:
        card = await self._figures.figures_card(sender)
        if card is None:
            await turn_context.send_activity(
                "You don't report any of the plan's figures, so I have no figures card for you. "
                "The plan's admin can make you a metric owner in the plan."
            )
        else:
            await self._send_card(turn_context, card)

    async def _card_action(self, sender: Sender, verb: str, data: dict, activity_id: str | None) -> dict:
        """Card buttons go to the feature that owns their verb."""
        if verb.startswith("figures."):
            return await self._figures.card_action(sender, verb, data, activity_id)
        if verb == "digest.more":
            return await self._digest.more(sender, data)
        if verb == POST_VERB:
            return await self._digest.post_from_card(sender, data)
        return await self._checkin.card_action(sender, verb, data, activity_id)

    async def _status(self, turn_context: TurnContext, sender: Sender) -> None:
        person, lines = await self._checkin.status_lines(sender)
        if person is None:
            await turn_context.send_activity(_NOT_IN_PLAN)
        else:
            body = "\n".join(f"- {line}" for line in lines) or "You have no actions in the plan."
            await turn_context.send_activity(f"**Your actions, {person.name}**\n\n{body}")

    async def on_invoke_activity(self, turn_context: TurnContext) -> InvokeResponse | None:
        activity = turn_context.activity
        if activity.name != "adaptiveCard/action":
            return await super().on_invoke_activity(turn_context)
        # Answered here rather than through on_adaptive_card_invoke: with CloudAdapter, botbuilder
        # 4.17.1 serialises that path's body twice and answers 500.
        value = activity.value if isinstance(activity.value, dict) else {}
        action = value.get("action") if isinstance(value.get("action"), dict) else {}
        data = action.get("data") if isinstance(action.get("data"), dict) else {}
        if action.get("type") != "Action.Execute" or not isinstance(action.get("verb"), str):
            return _invoke_error(400, "BadRequest", "expected an Action.Execute with a verb")
        card = await self._card_action(_sender(activity), action["verb"], data, activity.id)
        return InvokeResponse(
            status=200,
            body=AdaptiveCardInvokeResponse(
                status_code=200,
                type="application/vnd.microsoft.card.adaptive",
                value=card,
            ),
        )

    async def _card_submit_fallback(self, turn_context: TurnContext, value: dict) -> None:
        """Action.Submit (older clients) cannot return a card: update the sent card in place instead."""
        activity = turn_context.activity
        card = await self._card_action(_sender(activity), str(value.get("verb")), value, activity.id)
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
        personal = (turn_context.activity.conversation.conversation_type or "personal") == "personal"
        await turn_context.send_activity(help_text(personal=personal))


_NOT_IN_PLAN = (
    "I can't find you in the improvement plan, so I have no actions for you. "
    "If you should have some, ask the plan's admin to check your email address in the plan."
)


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
