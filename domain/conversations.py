"""Where the bot can write to someone: our own record of a Teams conversation reference."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ConversationKind(StrEnum):
    PERSONAL = "personal"
    GROUP_CHAT = "groupChat"
    CHANNEL = "channel"


@dataclass(frozen=True)
class ConversationAddress:
    """Enough to write into a conversation later without the SDK's objects (stored as plain columns)."""

    conversation_id: str
    kind: ConversationKind
    service_url: str
    channel_id: str = "msteams"
    tenant_id: str | None = None
    bot_id: str | None = None
    bot_name: str | None = None
    user_id: str | None = None  # the person's bot-specific id, personal chats only
    aad_object_id: str | None = None
    team_id: str | None = None
    teams_channel_id: str | None = None


@dataclass(frozen=True)
class MemberIdentity:
    """What Teams tells us about a person, used to link a chat to someone in the plan."""

    user_id: str
    aad_object_id: str | None = None
    email: str | None = None
    upn: str | None = None
    name: str | None = None
