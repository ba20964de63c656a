"""Translating Bot Framework activities into the domain's conversation records, and back."""

from __future__ import annotations

from botbuilder.schema import Activity, ChannelAccount, ConversationAccount, ConversationReference

from domain.conversations import ConversationAddress, ConversationKind, MemberIdentity


def _channel_data(activity: Activity) -> dict:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def address_of(activity: Activity) -> ConversationAddress | None:
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
    sender = activity.from_property or ChannelAccount()
    bot = activity.recipient or ChannelAccount()
    return ConversationAddress(
        conversation_id=conversation_id,
        kind=kind,
        service_url=activity.service_url,
        channel_id=activity.channel_id or "msteams",
        tenant_id=tenant,
        bot_id=bot.id,
        bot_name=bot.name,
        user_id=sender.id if personal else None,
        aad_object_id=sender.aad_object_id if personal else None,
        team_id=team.get("id"),
        teams_channel_id=channel.get("id") or (conversation_id if kind is ConversationKind.CHANNEL else None),
    )


def sender_identity(activity: Activity) -> MemberIdentity | None:
    sender = activity.from_property
    if sender is None or not sender.id:
        return None
    return MemberIdentity(user_id=sender.id, aad_object_id=sender.aad_object_id, name=sender.name)


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
