"""The outbound Teams gateway: proactive sends, channel threads, in-place updates and rosters,
over botbuilder's CloudAdapter. The only place the delivery worker meets the SDK: it gets domain
values back, or a DeliveryError carrying Teams' status, Retry-After, error code and subCode.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from botbuilder.core import TurnContext
from botbuilder.core.teams import TeamsInfo
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from msrest.exceptions import ClientRequestError, HttpOperationError

from bot.teams.gateway_auth import ReusedClients
from domain.conversations import ConversationAddress, ConversationKind, MemberIdentity
from domain.outbox import DeliveryError, Sent, parse_retry_after

log = logging.getLogger(__name__)

T = TypeVar("T")
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"
ROSTER_PAGE_SIZE = 500  # the most Teams returns per page


def activity_for(payload: Mapping[str, Any]) -> Activity:
    """A message activity from an outbox payload: the card as an attachment, the text as text."""
    activity = Activity(type=ActivityTypes.message)
    if payload.get("card") is not None:
        activity.attachments = [Attachment(content_type=CARD_CONTENT_TYPE, content=dict(payload["card"]))]
    if payload.get("text"):
        activity.text = payload["text"]
    return activity


def reference_for(address: ConversationAddress) -> ConversationReference:
    """A conversation reference the adapter can continue, rebuilt from our stored record."""
    return ConversationReference(
        channel_id=address.channel_id,
        service_url=address.service_url,
        bot=ChannelAccount(id=address.bot_id, name=address.bot_name),
        user=ChannelAccount(id=address.user_id, aad_object_id=address.aad_object_id) if address.user_id else None,
        conversation=ConversationAccount(
            id=address.conversation_id,
            tenant_id=address.tenant_id,
            conversation_type=address.kind.value,
            is_group=address.kind is not ConversationKind.PERSONAL,
        ),
    )


class _Failed:
    def __init__(self, error: Exception) -> None:
        self.error = error


class BotFrameworkGateway:
    def __init__(self, adapter: CloudAdapter, app_id: str, *, clock: Callable[[], datetime] | None = None) -> None:
        # A CloudAdapter of its own over the app's authentication, reusing outbound clients
        # (gateway_auth); its turns never reach the app's on_turn_error.
        self._adapter = CloudAdapter(ReusedClients(adapter.bot_framework_authentication))
        self._app_id = app_id
        self._clock = clock or (lambda: datetime.now(UTC))

    async def send(self, address: ConversationAddress, payload: Mapping[str, Any]) -> Sent:
        """A new message in a personal or group chat (a proactive turn: the SDK posts it as a reply
        to a made-up activity id, which Teams accepts)."""

        async def work(context: TurnContext) -> Sent:
            response = await context.send_activity(activity_for(payload))
            return Sent(response.id if response else None, address.conversation_id)

        return await self._continue(address, work)

    async def post_to_channel(self, channel: ConversationAddress, payload: Mapping[str, Any]) -> Sent:
        """A new thread in a channel: create_conversation with the message as its first activity."""
        if channel.kind is not ConversationKind.CHANNEL:
            raise ValueError("post_to_channel needs a channel address")
        channel_id = channel.teams_channel_id or channel.conversation_id
        parameters = ConversationParameters(
            is_group=True,
            bot=ChannelAccount(id=channel.bot_id, name=channel.bot_name),
            tenant_id=channel.tenant_id,
            channel_data={"channel": {"id": channel_id}, "tenant": {"id": channel.tenant_id}},
            activity=activity_for(payload),
        )
        created = await self._create(channel, parameters)
        return Sent(created.id, created.conversation.id)

    async def update(self, address: ConversationAddress, activity_id: str, payload: Mapping[str, Any]) -> Sent:
        """Replace a message the bot sent (a card, typically) with new content, in place.
        `address.conversation_id` is where it was sent: for a channel post, its thread."""

        async def work(context: TurnContext) -> Sent:
            activity = activity_for(payload)
            activity.id = activity_id
            await context.update_activity(activity)
            return Sent(activity_id, address.conversation_id)

        return await self._continue(address, work)

    async def roster_page(
        self, team: ConversationAddress, continuation_token: str | None
    ) -> tuple[list[MemberIdentity], str | None]:
        """One page of a team's members, read through a conversation of that team."""
        if not team.team_id:
            raise ValueError("roster_page needs an address in a team")
        team_id = team.team_id

        async def work(context: TurnContext) -> Any:
            return await TeamsInfo.get_paged_team_members(context, team_id, continuation_token, ROSTER_PAGE_SIZE)

        page = await self._continue(team, work)
        members = [
            MemberIdentity(
                user_id=m.id,
                aad_object_id=m.aad_object_id,
                email=m.email,
                upn=m.user_principal_name,
                name=m.name,
            )
            for m in (page.members or [])
            if m.id
        ]
        return members, page.continuation_token or None

    async def create_personal(self, team: ConversationAddress, member: MemberIdentity) -> ConversationAddress:
        """Open (or find again: Teams returns the same id) the 1:1 chat with a team member."""
        parameters = ConversationParameters(
            is_group=False,
            bot=ChannelAccount(id=team.bot_id, name=team.bot_name),
            members=[ChannelAccount(id=member.user_id)],
            tenant_id=team.tenant_id,
            channel_data={"tenant": {"id": team.tenant_id}},
        )
        created = await self._create(team, parameters)
        return ConversationAddress(
            conversation_id=created.conversation.id,
            kind=ConversationKind.PERSONAL,
            service_url=team.service_url,
            channel_id=team.channel_id,
            tenant_id=team.tenant_id,
            bot_id=team.bot_id,
            bot_name=team.bot_name,
            user_id=member.user_id,
            aad_object_id=member.aad_object_id,
        )

    async def _continue(self, address: ConversationAddress, work: Callable[[TurnContext], Awaitable[T]]) -> T:
        outcome: list[T | _Failed] = []

        async def callback(context: TurnContext) -> None:
            # Caught here, not left to the adapter: its on_turn_error would swallow the error and
            # post an apology into the very conversation we could not write to.
            try:
                outcome.append(await work(context))
            except Exception as exc:
                outcome.append(_Failed(exc))

        with self._translated():
            await self._adapter.continue_conversation(reference_for(address), callback, self._app_id)
            return self._result(outcome)

    async def _create(self, where: ConversationAddress, parameters: ConversationParameters) -> Activity:
        """create_conversation; the turn's activity carries the new conversation and message ids."""
        outcome: list[Activity | _Failed] = []

        async def callback(context: TurnContext) -> None:
            outcome.append(context.activity)

        with self._translated():
            await self._adapter.create_conversation(
                self._app_id, callback, parameters, where.channel_id, where.service_url
            )
            return self._result(outcome)

    @staticmethod
    def _result(outcome: list[Any]) -> Any:
        if not outcome:
            raise DeliveryError(status=None, message="the adapter never ran the turn")
        if isinstance(outcome[0], _Failed):
            raise outcome[0].error
        return outcome[0]

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except HttpOperationError as exc:  # ErrorResponseException included
            raise self._http_error(exc) from exc
        except (ClientRequestError, OSError, TimeoutError) as exc:
            # No answer: msrest gave up after its own retries, or the connection failed.
            raise DeliveryError.timeout(f"{exc.__class__.__name__}: {exc}") from exc

    def _http_error(self, exc: HttpOperationError) -> DeliveryError:
        response = exc.response
        status = getattr(response, "status_code", None)
        headers = getattr(response, "headers", None) or {}
        code = sub_code = None
        message = ""
        try:
            error = (response.json() or {}).get("error") or {}
            code, sub_code, message = (
                error.get("code"),
                error.get("subCode"),
                error.get("message") or "",
            )
        except (ValueError, AttributeError, TypeError):
            message = str(exc)
        return DeliveryError(
            status=status,
            message=message,
            code=code,
            sub_code=sub_code,
            retry_after=parse_retry_after(headers.get("Retry-After"), self._clock()),
        )
