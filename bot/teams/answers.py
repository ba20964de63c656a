"""What the bot answers, whichever SDK carries the turn.

Each edge (botbuilder in handler.py, the Agents SDK in agents/) wraps its turn context in a `Turn`
and calls these: the conversation is remembered, commands and card buttons are matched (routes.py)
and answered by the services. Nothing here imports an SDK.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from bot.services.account import AccountService
from bot.services.checkin import CheckinService, Sender
from bot.services.digest import DigestService
from bot.services.evidence import EvidenceService
from bot.services.figures import FiguresService
from bot.services.planning import ResendService
from bot.services.readiness import ReadinessService
from bot.services.signoff import SignoffService
from bot.teams import addresses, routes
from bot.teams.address_cache import RecentAddresses
from bot.teams.addresses import ActivityLike
from bot.teams.routes import CardHandler, CardRoute, CommandHandler, CommandRoute
from bot.teams.turn_log import turn_logging
from dialogs.help import help_text
from dialogs.progress import build_refusal_card
from domain.conversations import MemberIdentity
from storage import conversations
from storage.engine import Sessions

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Card = dict[str, Any]
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
ERROR_CONTENT_TYPE = "application/vnd.microsoft.error"
INSTALLATION_UPDATE = "installationUpdate"


def apology(reference: str) -> str:
    """What a person is told when their turn failed inside the bot: never a stack trace; the reference
    finds the logged one."""
    return (
        f"Sorry — something went wrong on our side and I couldn't finish that (error {reference}). "
        "Please try again in a minute; if it keeps happening, tell the plan's admin."
    )


class Turn(Protocol):
    """One inbound activity and the ways to answer it in its conversation."""

    @property
    def activity(self) -> ActivityLike: ...

    async def say(self, text: str) -> None: ...

    async def show_card(self, card: Card) -> None: ...

    async def replace_card(self, activity_id: str, card: Card) -> bool:
        """Update a card the bot sent, in place; False when Teams refuses (deleted, too old)."""
        ...

    async def roster_member(self, user_id: str) -> MemberIdentity | None:
        """The member as the conversation's roster knows them (email, UPN); None when not found."""
        ...


@dataclass(frozen=True)
class CardActionAnswer:
    """The body of an adaptiveCard/action invoke answer (Universal Actions)."""

    status_code: int
    type: str
    value: Mapping[str, Any]

    def as_json(self) -> dict[str, Any]:
        return {"statusCode": self.status_code, "type": self.type, "value": dict(self.value)}


def failed_card_action(reference: str) -> CardActionAnswer:
    """A card action whose turn failed: Universal Actions' error, which the card shows (the HTTP answer
    stays a 200, never a 5xx)."""
    return CardActionAnswer(500, ERROR_CONTENT_TYPE, {"code": "InternalError", "message": apology(reference)})


CommandAnswer = Callable[[Turn, Sender, CommandRoute], Awaitable[None]]
CardAnswer = Callable[[Sender, Mapping[str, Any], str | None], Awaitable[Card]]
TurnAnswer = Callable[["BotAnswers", Turn], Awaitable[None]]


def _logged_turn(answer: TurnAnswer) -> TurnAnswer:
    """Every line logged while answering names the activity and its conversation (turn_log.py)."""

    @functools.wraps(answer)
    async def logged(self: BotAnswers, turn: Turn) -> None:
        with turn_logging(turn.activity):
            await answer(self, turn)

    return logged


class BotAnswers:
    def __init__(
        self,
        sessions: Sessions,
        clock: Clock,
        checkin: CheckinService,
        account: AccountService,
        figures: FiguresService,
        digest: DigestService,
        resend: ResendService,
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
        self._resend = resend
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
            CommandHandler.RESEND: self._resend_prompts,
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

    # ---- every turn ------------------------------------------------------------------------

    @_logged_turn
    async def remember_conversation(self, turn: Turn) -> None:
        """Every conversation the bot sees is kept, so it can write there later."""
        activity = turn.activity
        address = addresses.address_of(activity)
        if address is None:
            return
        installation = activity.type == INSTALLATION_UPDATE
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
            roster_member = await self._roster_identity(turn, member)
            if roster_member is not None:
                async with self._sessions.begin() as session:
                    linked = await conversations.link_conversation(session, stored.id, roster_member, now=self._clock())
        if linked:
            self._recent.remember(address)

    @staticmethod
    async def _roster_identity(turn: Turn, member: MemberIdentity) -> MemberIdentity | None:
        """Email and UPN come only from the roster, not from the activity."""
        account = await turn.roster_member(member.user_id)
        if account is None:
            return None
        return MemberIdentity(
            user_id=member.user_id,
            aad_object_id=account.aad_object_id or member.aad_object_id,
            email=account.email,
            upn=account.upn,
            name=account.name,
        )

    # ---- messages, installs and card buttons -----------------------------------------------

    @_logged_turn
    async def on_message(self, turn: Turn) -> None:
        activity = turn.activity
        route = routes.match_message(activity.text, personal=addresses.is_personal(activity), value=activity.value)
        if isinstance(route, CardRoute):
            await self._card_submit_fallback(turn, route)
        else:
            await self._command_answers[route.handler](turn, _sender(activity), route)

    @_logged_turn
    async def on_members_added(self, turn: Turn) -> None:
        """People joined a team the bot is in: anyone of the plan who was unreachable can now be
        reached from its roster, and gets what they missed (storage.conversations.seen_in_roster)."""
        activity = turn.activity
        bot_id = activity.recipient.id if activity.recipient else None
        added = [m for m in activity.members_added or () if m.id and m.id != bot_id]
        if not added or addresses.is_personal(activity):
            return
        joined = []
        for account in added:
            assert account.id is not None
            # Email and UPN come only from the roster; one unknown member must not fail the others.
            member = await turn.roster_member(account.id)
            joined.append(member or MemberIdentity(account.id, aad_object_id=account.aad_object_id, name=account.name))
        async with self._sessions.begin() as session:
            for member in joined:
                await conversations.seen_in_roster(session, member, now=self._clock())

    @_logged_turn
    async def on_installed(self, turn: Turn) -> None:
        await turn.say(help_text(personal=addresses.is_personal(turn.activity)))

    async def on_card_action(self, activity: ActivityLike) -> CardActionAnswer:
        """An Action.Execute (adaptiveCard/action invoke): the card that replaces the one pressed."""
        with turn_logging(activity):
            return await self._card_action(activity)

    async def _card_action(self, activity: ActivityLike) -> CardActionAnswer:
        route = routes.match_invoke(activity.value)
        if route is None:
            return CardActionAnswer(
                400, ERROR_CONTENT_TYPE, {"code": "BadRequest", "message": "expected an Action.Execute with a verb"}
            )
        if route.handler is CardHandler.UNKNOWN:
            log.info("refused an Action.Execute with an unknown verb %r", route.verb[:64])
            message = "This button is not one I know. Type help to see what I can do."
            return CardActionAnswer(400, ERROR_CONTENT_TYPE, {"code": "BadRequest", "message": message})
        return CardActionAnswer(200, CARD_CONTENT_TYPE, await self._answer_card(activity, route))

    async def _answer_card(self, activity: ActivityLike, route: CardRoute) -> Card:
        # An empty id names no activity: it must not become a stored key two activities could share.
        return await self._card_answers[route.handler](_sender(activity), route.data, activity.id or None)

    async def _card_submit_fallback(self, turn: Turn, route: CardRoute) -> None:
        """Action.Submit (older clients) cannot return a card: update the sent card in place instead."""
        activity = turn.activity
        card = await self._answer_card(activity, route)
        if activity.reply_to_id and await turn.replace_card(activity.reply_to_id, card):
            return
        # The card may have been deleted or be too old to edit: answer with a new message.
        await turn.show_card(card)

    # ---- answering commands ----------------------------------------------------------------

    async def _help(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        await turn.say(help_text(personal=route.personal))

    async def _not_understood(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        # Anything not understood (or not offered in this chat) gets help rather than silence.
        await turn.say(help_text(personal=route.personal, not_understood=route.command.text or None))

    async def _my_actions(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        person, cards = await self._checkin.my_action_cards(sender)
        if person is None:
            await turn.say(_NOT_IN_PLAN)
        elif not cards:
            await turn.say("You have no open actions in the plan. Thank you!")
        else:
            await turn.say(
                f"Here {'is your open action' if len(cards) == 1 else f'are your {len(cards)} open actions'}:"
            )
            for card in cards:
                await turn.show_card(card)

    async def _status(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        person, lines = await self._checkin.status_lines(sender)
        if person is None:
            await turn.say(_NOT_IN_PLAN)
        else:
            body = "\n".join(f"- {line}" for line in lines) or "You have no actions in the plan."
            await turn.say(f"**Your actions, {person.name}**\n\n{body}")

    async def _channel_status(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        await turn.say(await self._account.channel_summary())

    async def _away(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        await turn.say(await self._account.away(sender, route.command))

    async def _back(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        await turn.say(await self._account.back(sender))

    async def _delegate(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        await turn.say(await self._account.delegate(sender, route.command))

    async def _assess(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        message, cards = await self._readiness.assess_cards(sender, route.command.argument)
        if message:
            await turn.say(message)
        for card in cards:
            await turn.show_card(card)

    async def _sign_off(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        await turn.show_card(await self._signoff.card(sender))

    async def _evidence_add(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        answer = await self._evidence.card(sender)
        if isinstance(answer, str):
            await turn.say(answer)
        else:
            await turn.show_card(answer)

    async def _resend_prompts(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        await turn.say(await self._resend.resend(sender, route.command))

    async def _figures_card(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        card = await self._figures.figures_card(sender)
        if card is None:
            await turn.say(
                "You don't report any of the plan's figures, so I have no figures card for you. "
                "The plan's admin can make you a metric owner in the plan."
            )
        else:
            await turn.show_card(card)

    async def _digest_preview(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        if route.command.problem:
            await turn.say(route.command.problem)
            return
        await turn.show_card(await self._digest.preview(sender, route.command.month))

    async def _digest_post_confirmation(self, turn: Turn, sender: Sender, route: CommandRoute) -> None:
        if route.command.problem:
            await turn.say(route.command.problem)
            return
        await turn.show_card(await self._digest.confirm_post(sender, route.command.month))


_NOT_IN_PLAN = (
    "I can't find you in the improvement plan, so I have no actions for you. "
    "If you should have some, ask the plan's admin to check your email address in the plan."
)


async def _unknown_button(sender: Sender, data: Mapping[str, Any], activity_id: str | None) -> Card:
    return build_refusal_card("I can't do that", "This button is not one I know. Type **help** to see what I can do.")


def _sender(activity: ActivityLike) -> Sender:
    sender = activity.from_property
    return Sender(
        user_id=sender.id if sender else None,
        aad_object_id=sender.aad_object_id if sender else None,
        name=sender.name if sender else None,
    )
