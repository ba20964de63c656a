"""Translating inbound activities into the domain's conversation records.

Both SDKs' activities name these fields alike (botbuilder's msrest models and the Agents SDK's
pydantic ones), so the protocols below describe what is read, and either SDK's activity fits them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from domain.conversations import ConversationAddress, ConversationKind, MemberIdentity


class AccountLike(Protocol):
    @property
    def id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def aad_object_id(self) -> str | None: ...


class ConversationLike(Protocol):
    @property
    def id(self) -> str | None: ...
    @property
    def conversation_type(self) -> str | None: ...
    @property
    def is_group(self) -> bool | None: ...
    @property
    def tenant_id(self) -> str | None: ...


class ActivityLike(Protocol):
    """The fields of a Bot Framework activity the bot reads, in either SDK's model."""

    @property
    def type(self) -> str | None: ...
    @property
    def id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def action(self) -> str | None: ...
    @property
    def text(self) -> str | None: ...
    @property
    def value(self) -> object: ...
    @property
    def reply_to_id(self) -> str | None: ...
    @property
    def service_url(self) -> str | None: ...
    @property
    def channel_id(self) -> str | None: ...
    @property
    def channel_data(self) -> object: ...
    @property
    def conversation(self) -> ConversationLike | None: ...
    @property
    def from_property(self) -> AccountLike | None: ...
    @property
    def recipient(self) -> AccountLike | None: ...
    @property
    def members_added(self) -> Sequence[AccountLike] | None: ...


def _channel_data(activity: ActivityLike) -> dict:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def is_personal(activity: ActivityLike) -> bool:
    conversation = activity.conversation
    return ((conversation.conversation_type if conversation else None) or "personal") == "personal"


def address_of(activity: ActivityLike) -> ConversationAddress | None:
    """The conversation this activity came from, or None when it names none."""
    conversation = activity.conversation
    if conversation is None or not conversation.id or not activity.service_url:
        return None
    data = _channel_data(activity)
    team = data.get("team") or {}
    channel = data.get("channel") or {}
    tenant = (data.get("tenant") or {}).get("id") or getattr(conversation, "tenant_id", None)
    conversation_type = (conversation.conversation_type or "").lower()
    if conversation_type == "channel" or channel.get("id"):
        kind = ConversationKind.CHANNEL
        # A channel message's conversation id names its thread; we keep the channel itself.
        conversation_id = conversation.id.split(";messageid=")[0]
    elif conversation_type == "groupchat" or conversation.is_group:
        kind, conversation_id = ConversationKind.GROUP_CHAT, conversation.id
    else:
        kind, conversation_id = ConversationKind.PERSONAL, conversation.id
    personal = kind is ConversationKind.PERSONAL
    sender = activity.from_property
    bot = activity.recipient
    return ConversationAddress(
        conversation_id=conversation_id,
        kind=kind,
        service_url=activity.service_url,
        # str(): the Agents SDK's ChannelId is a str subclass; the stored value is the plain name.
        channel_id=str(activity.channel_id or "msteams"),
        tenant_id=tenant,
        bot_id=bot.id if bot else None,
        bot_name=bot.name if bot else None,
        user_id=sender.id if personal and sender else None,
        aad_object_id=sender.aad_object_id if personal and sender else None,
        team_id=team.get("id"),
        teams_channel_id=channel.get("id") or (conversation_id if kind is ConversationKind.CHANNEL else None),
    )


def sender_identity(activity: ActivityLike) -> MemberIdentity | None:
    sender = activity.from_property
    if sender is None or not sender.id:
        return None
    return MemberIdentity(user_id=sender.id, aad_object_id=sender.aad_object_id, name=sender.name)
