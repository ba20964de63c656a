"""The Teams activity handler: turns activities into calls on dialogs, domain and storage."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsActivityHandler, TeamsInfo
from botbuilder.schema import ActivityTypes
from botframework.connector.models import ErrorResponseException
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import addresses
from dialogs.commands import CommandName, parse_command
from dialogs.help import help_text
from domain.conversations import ConversationKind, MemberIdentity
from storage import conversations

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


class CqcBot(TeamsActivityHandler):
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Clock) -> None:
        self._sessions = sessions
        self._clock = clock

    async def on_turn(self, turn_context: TurnContext) -> None:
        await self._remember_conversation(turn_context)
        await super().on_turn(turn_context)

    async def _remember_conversation(self, turn_context: TurnContext) -> None:
        """Every conversation the bot sees is kept, so it can write there later."""
        activity = turn_context.activity
        address = addresses.address_of(activity)
        if address is None:
            return
        removed = activity.type == ActivityTypes.installation_update and (activity.action or "").startswith("remove")
        async with self._sessions.begin() as session:
            if removed:
                await conversations.mark_uninstalled(session, address.conversation_id, now=self._clock())
                return
            row = await conversations.save_address(session, address, now=self._clock())
            if address.kind is ConversationKind.PERSONAL and row.person_id is None:
                member = addresses.sender_identity(activity)
                if member is not None:
                    person = await conversations.link_person(session, row, member, now=self._clock())
                    if person is None:
                        roster_member = await self._roster_identity(turn_context, member)
                        if roster_member is not None:
                            await conversations.link_person(session, row, roster_member, now=self._clock())

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
        personal = (activity.conversation.conversation_type or "personal") == "personal"
        command = parse_command(activity.text)
        if command.name is CommandName.HELP:
            await turn_context.send_activity(help_text(personal=personal))
            return
        # Commands of the later features arrive here; until then they, and anything unknown,
        # get help rather than silence.
        await turn_context.send_activity(help_text(personal=personal, not_understood=command.text or None))

    async def on_installation_update_add(self, turn_context: TurnContext) -> None:
        personal = (turn_context.activity.conversation.conversation_type or "personal") == "personal"
        await turn_context.send_activity(help_text(personal=personal))
