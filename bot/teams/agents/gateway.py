"""The outbound Teams gateway over the Agents SDK's CloudAdapter: the same operations and the same
domain values and DeliveryErrors as the botbuilder gateway, from the same stored addresses.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from aiohttp import ClientError
from microsoft_agents.activity import (
    Activity,
    ActivityTypes,
    Attachment,
    ChannelAccount,
    ConversationAccount,
    ConversationParameters,
    ConversationReference,
)
from microsoft_agents.hosting.aiohttp import CloudAdapter
from microsoft_agents.hosting.core import TurnContext
from microsoft_agents.hosting.core.authorization import AuthenticationConstants

from bot.teams.agents.clients import TeamsRefused, member_identity, read_members, teams_client
from bot.teams.answers import CARD_CONTENT_TYPE, Clock
from domain.conversations import ConversationAddress, ConversationKind, MemberIdentity
from domain.outbox import DeliveryError, Sent, parse_retry_after

T = TypeVar("T")
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
    """The stored address (the same columns botbuilder writes and reads) as the SDK's reference."""
    return ConversationReference(
        channel_id=address.channel_id,
        service_url=address.service_url,
        agent=ChannelAccount(id=address.bot_id, name=address.bot_name),
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


class AgentsGateway:
    def __init__(self, adapter: CloudAdapter, app_id: str, *, clock: Clock) -> None:
        self._adapter = adapter
        self._app_id = app_id
        self._clock = clock

    async def send(self, address: ConversationAddress, payload: Mapping[str, Any]) -> Sent:
        """A new message in a personal or group chat (a proactive turn)."""

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
            agent=ChannelAccount(id=channel.bot_id, name=channel.bot_name),
            tenant_id=channel.tenant_id,
            channel_data={"channel": {"id": channel_id}, "tenant": {"id": channel.tenant_id}},
            activity=activity_for(payload),
        )
        created = await self._create(channel, parameters)
        return Sent(created.id, created.conversation.id)

    async def update(self, address: ConversationAddress, activity_id: str, payload: Mapping[str, Any]) -> Sent:
        """Replace a message the bot sent with new content, in place (`address.conversation_id` is
        where it was sent: for a channel post, its thread)."""

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
            client = teams_client(context)
            if client is None:
                raise DeliveryError(status=None, message="no Teams connector client for this turn")
            params = {"pageSize": str(ROSTER_PAGE_SIZE)}
            if continuation_token:
                params["continuationToken"] = continuation_token
            return await read_members(client, team_id, "pagedmembers", params)

        page = await self._continue(team, work)
        if not isinstance(page, dict):
            raise DeliveryError(status=None, message="Teams answered the roster read with no page")
        found = (member_identity(m) for m in page.get("members") or [] if isinstance(m, dict))
        members = [m for m in found if m is not None]
        token = page.get("continuationToken")
        return members, token if isinstance(token, str) and token else None

    async def create_personal(self, team: ConversationAddress, member: MemberIdentity) -> ConversationAddress:
        """Open (or find again: Teams returns the same id) the 1:1 chat with a team member."""
        parameters = ConversationParameters(
            is_group=False,
            agent=ChannelAccount(id=team.bot_id, name=team.bot_name),
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
            continuation = reference_for(address).get_continuation_activity()
            await self._adapter.continue_conversation(self._app_id, continuation, callback)
            return self._result(outcome)

    async def _create(self, where: ConversationAddress, parameters: ConversationParameters) -> Activity:
        """create_conversation; the turn's activity carries the new conversation and message ids."""
        outcome: list[Activity | _Failed] = []

        async def callback(context: TurnContext) -> None:
            outcome.append(context.activity)

        with self._translated():
            await self._adapter.create_conversation(
                self._app_id,
                where.channel_id,
                where.service_url,
                AuthenticationConstants.AGENTS_SDK_SCOPE,
                parameters,
                callback,
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
        except TeamsRefused as exc:
            raise self._refusal(exc) from exc
        except (ClientError, OSError, TimeoutError) as exc:
            # No answer: the connection failed or timed out.
            raise DeliveryError.timeout(f"{exc.__class__.__name__}: {exc}") from exc

    def _refusal(self, exc: TeamsRefused) -> DeliveryError:
        code = sub_code = None
        message = exc.body
        try:
            error = (json.loads(exc.body) or {}).get("error") or {}
            code, sub_code, message = error.get("code"), error.get("subCode"), error.get("message") or ""
        except (ValueError, AttributeError, TypeError):
            pass
        return DeliveryError(
            status=exc.status,
            message=message,
            code=code,
            sub_code=sub_code,
            retry_after=parse_retry_after(exc.headers.get("Retry-After"), self._clock()),
        )
