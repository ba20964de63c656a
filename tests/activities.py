"""Bot Framework activities shaped as Teams sends them."""

from __future__ import annotations

import itertools
from typing import Any

TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47"
BOT_ID = "28:bot-app-id"
_ids = itertools.count(1)


def _next_id() -> str:
    return f"1700000000{next(_ids):06d}"


def personal_conversation_id(user_id: str) -> str:
    return f"a:personal-{user_id.split(':')[-1]}"


def user(user_id: str = "29:owner-1", name: str = "Rachel Ahmed", aad: str | None = None) -> dict[str, Any]:
    account: dict[str, Any] = {"id": user_id, "name": name}
    if aad:
        account["aadObjectId"] = aad
    return account


def _base(service_url: str, conversation: dict[str, Any], sender: dict[str, Any], **extra: Any) -> dict[str, Any]:
    activity = {
        "id": _next_id(),
        "channelId": "msteams",
        "serviceUrl": service_url,
        "timestamp": "2026-11-23T10:00:00.000Z",
        "localTimezone": "Europe/London",
        "from": sender,
        "recipient": {"id": BOT_ID, "name": "CQC Improvement"},
        "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT_ID}},
    }
    activity.update(extra)
    return activity


def personal_conversation(sender: dict[str, Any]) -> dict[str, Any]:
    return {"id": personal_conversation_id(sender["id"]), "conversationType": "personal", "tenantId": TENANT_ID}


def personal_message(service_url: str, text: str, sender: dict[str, Any] | None = None) -> dict[str, Any]:
    sender = sender or user()
    return _base(service_url, personal_conversation(sender), sender, type="message", text=text, textFormat="plain")


def personal_install(service_url: str, sender: dict[str, Any] | None = None, action: str = "add") -> dict[str, Any]:
    sender = sender or user()
    return _base(service_url, personal_conversation(sender), sender, type="installationUpdate", action=action)


def team_install(
    service_url: str,
    team_id: str = "19:team-general@thread.tacv2",
    channel_id: str | None = None,
    sender: dict[str, Any] | None = None,
    action: str = "add",
) -> dict[str, Any]:
    sender = sender or user("29:chair", "Jane Chair")
    channel_id = channel_id or team_id
    activity = _base(
        service_url,
        {"id": channel_id, "conversationType": "channel", "isGroup": True, "tenantId": TENANT_ID},
        sender,
        type="installationUpdate",
        action=action,
    )
    activity["channelData"].update(
        {"team": {"id": team_id, "name": "CQC Improvement Group"}, "channel": {"id": channel_id}}
    )
    return activity


def channel_message(
    service_url: str,
    text: str,
    team_id: str = "19:team-general@thread.tacv2",
    channel_id: str | None = None,
    sender: dict[str, Any] | None = None,
) -> dict[str, Any]:
    sender = sender or user()
    channel_id = channel_id or team_id
    activity = _base(
        service_url,
        {
            "id": f"{channel_id};messageid={_next_id()}",
            "conversationType": "channel",
            "isGroup": True,
            "tenantId": TENANT_ID,
        },
        sender,
        type="message",
        text=f"<at>CQC Improvement</at> {text}",
        entities=[
            {
                "type": "mention",
                "text": "<at>CQC Improvement</at>",
                "mentioned": {"id": BOT_ID, "name": "CQC Improvement"},
            }
        ],
    )
    activity["channelData"].update({"team": {"id": team_id}, "channel": {"id": channel_id}})
    return activity


def card_invoke(
    service_url: str, sender: dict[str, Any], verb: str, data: dict[str, Any], reply_to_id: str = "card-1"
) -> dict[str, Any]:
    """Action.Execute as Teams sends it: an adaptiveCard/action invoke."""
    return _base(
        service_url,
        personal_conversation(sender),
        sender,
        type="invoke",
        name="adaptiveCard/action",
        replyToId=reply_to_id,
        value={"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
    )


def card_submit(service_url: str, sender: dict[str, Any], value: dict[str, Any], reply_to_id: str) -> dict[str, Any]:
    """Action.Submit (older clients): a message carrying the card's inputs as its value."""
    return _base(service_url, personal_conversation(sender), sender, type="message", value=value, replyToId=reply_to_id)
