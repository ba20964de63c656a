"""Where a claimed message goes: a person's personal chat (created from a team roster when there
is none yet), a new thread in a channel, a chat, or the conversation of the card it updates."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from bot.delivery.pacing import Pacer, Slot
from domain.conversations import ConversationAddress, ConversationKind, MemberIdentity
from domain.outbox import OPEN_STATUSES, DeliveryError, DeliveryStatus, TeamsGateway, member_matches
from storage import outbox_recipients as recipients
from storage.engine import Sessions
from storage.outbox import OutboxItem
from storage.outbox_recipients import Directory, Original

log = logging.getLogger(__name__)

ROSTER_TTL = 600.0  # seconds a team's roster is reused: 1,000 people without a chat, one read
NOT_INSTALLED = (
    "no personal chat with the bot, and not in the roster of any team the bot is installed in: "
    "install the app for them (or ask them to open it)"
)


class Operation(StrEnum):
    SEND = "send"  # a new message in a personal or group chat
    THREAD = "thread"  # a new thread in a channel
    UPDATE = "update"  # replace a sent message in place


@dataclass(frozen=True)
class Route:
    operation: Operation
    address: ConversationAddress
    conversation_ref_id: int
    activity_id: str | None = None  # the message an UPDATE replaces

    @property
    def pace_key(self) -> str:
        # Teams counts a channel's threads against the channel.
        return self.address.conversation_id.split(";messageid=", 1)[0]


@dataclass(frozen=True)
class Settle:
    """No Teams call to make: settle the message now, or (PENDING) look again in `retry_in` s."""

    status: DeliveryStatus
    reason: str
    retry_in: float | None = None
    person_unreachable: bool = False


class Deferred(Exception):
    """Pacing would hold a roster read or chat creation too long: hand the message back."""

    def __init__(self, wait: float) -> None:
        super().__init__(f"deferred {wait:.1f}s")
        self.wait = wait


class Router:
    def __init__(
        self,
        sessions: Sessions,
        gateway: TeamsGateway,
        pacer: Pacer,
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        *,
        update_recheck: float = 2.0,
    ) -> None:
        self._update_recheck = update_recheck  # seconds before an update looks at its original again
        self._sessions = sessions
        self._gateway = gateway
        self._pacer = pacer
        self._clock = clock
        self._monotonic = monotonic
        self._rosters: dict[str, tuple[float, list[MemberIdentity]]] = {}
        self._roster_locks: dict[str, asyncio.Lock] = {}
        self._chat_locks: dict[int, asyncio.Lock] = {}

    async def route(self, item: OutboxItem, found: Directory) -> Route | Settle:
        """Where `item` goes, from the batch's directory. Raises DeliveryError when a roster
        read or chat creation fails, Deferred when pacing would hold it too long."""
        if item.update_of_id is not None:
            return self._to_original(found.originals.get(item.update_of_id), found)
        if item.person_id is not None:
            return await self._to_person(item.person_id, found)
        assert item.conversation_ref_id is not None
        return self._to_conversation(item.conversation_ref_id, found)

    @staticmethod
    def _to_conversation(ref_id: int, found: Directory) -> Route | Settle:
        if ref_id not in found.conversations:
            return Settle(DeliveryStatus.FAILED, "the conversation is no longer stored")
        address, installed = found.conversations[ref_id]
        if not installed:
            return Settle(DeliveryStatus.UNREACHABLE, "the bot is no longer installed there")
        operation = Operation.THREAD if address.kind is ConversationKind.CHANNEL else Operation.SEND
        return Route(operation, address, ref_id)

    def _to_original(self, original: Original | None, found: Directory) -> Route | Settle:
        if original is None:
            return Settle(DeliveryStatus.FAILED, "the message it updates no longer exists")
        if original.status in OPEN_STATUSES:
            waiting = "waiting for the message it updates"
            return Settle(DeliveryStatus.PENDING, waiting, self._update_recheck)
        where = found.conversations.get(original.conversation_ref_id or 0)
        if original.status != DeliveryStatus.SENT or not original.activity_id or where is None:
            return Settle(DeliveryStatus.FAILED, f"the message it updates was not sent ({original.status})")
        address = replace(where[0], conversation_id=original.conversation_id or where[0].conversation_id)
        return Route(Operation.UPDATE, address, original.conversation_ref_id or 0, original.activity_id)

    async def _to_person(self, person_id: int, found: Directory) -> Route | Settle:
        person = found.contacts.get(person_id)
        if person is None:
            return Settle(DeliveryStatus.FAILED, "the person is no longer in the plan")
        if not person.active:
            return Settle(DeliveryStatus.FAILED, f"{person.name} is no longer active in the plan")
        if person.unreachable_since is not None:
            since = person.unreachable_since.date().isoformat()
            reason = f"{person.name} cannot be reached since {since}: {person.unreachable_reason}"
            return Settle(DeliveryStatus.UNREACHABLE, reason)
        if person_id in found.chats:
            ref_id, address = found.chats[person_id]
            return Route(Operation.SEND, address, ref_id)
        # One chat opened per person, however many of their messages are in the batch.
        async with self._chat_locks.setdefault(person_id, asyncio.Lock()):
            async with self._sessions() as session:
                chat = await recipients.personal_chat(session, person_id)
                teams = await recipients.installed_teams(session) if chat is None else []
            if chat is not None:  # opened for another of their messages meanwhile
                return Route(Operation.SEND, chat[1], chat[0])
            for team in teams:
                member = await self._find_member(team, person)
                if member is not None:
                    return await self._open_chat(team, member)
        return Settle(DeliveryStatus.UNREACHABLE, NOT_INSTALLED, person_unreachable=True)

    async def _open_chat(self, team: ConversationAddress, member: MemberIdentity) -> Route:
        slot = await self._paced(f"create:{member.user_id}")  # creating a chat is a request too
        try:
            address = await self._gateway.create_personal(team, member)
        finally:
            self._pacer.answered(slot)
        ref_id = await recipients.save_personal_chat(self._sessions, address, member, now=self._clock())
        return Route(Operation.SEND, address, ref_id)

    async def _find_member(self, team: ConversationAddress, person: recipients.Contact) -> MemberIdentity | None:
        try:
            roster = await self._roster(team)
        except DeliveryError as error:
            if error.status in (403, 404):  # the bot left that team: other teams may still do
                log.info("cannot read the roster of team %s: %s", team.team_id, error)
                return None
            raise
        for member in roster:
            if member_matches(member, aad_object_id=person.aad_object_id, email=person.email, upn=person.upn):
                return member
        return None

    async def _roster(self, team: ConversationAddress) -> list[MemberIdentity]:
        key = team.team_id or team.conversation_id
        # One read per team, however many messages are waiting for it at once.
        async with self._roster_locks.setdefault(key, asyncio.Lock()):
            cached = self._rosters.get(key)
            if cached is not None and self._monotonic() - cached[0] < ROSTER_TTL:
                return cached[1]
            members = await self._read_roster(team)
            self._rosters[key] = (self._monotonic(), members)
            return members

    async def _read_roster(self, team: ConversationAddress) -> list[MemberIdentity]:
        key = team.team_id or team.conversation_id
        members: list[MemberIdentity] = []
        token: str | None = None
        while True:
            slot = await self._paced(f"roster:{key}")
            try:
                page, token = await self._gateway.roster_page(team, token)
            finally:
                self._pacer.answered(slot)
            members.extend(page)
            if not token:
                return members

    async def _paced(self, key: str) -> Slot:
        slot = await self._pacer.acquire(key)
        if not isinstance(slot, Slot):
            raise Deferred(slot)
        return slot
