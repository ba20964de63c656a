"""The in-memory Teams side of the fake Bot Connector: routing, messages, rosters, teams.

Synchronous and free of HTTP; `tests/fakes/connector.py` serves it and adds the faults.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
from collections import Counter
from collections.abc import Callable, Hashable, Mapping, Sequence
from typing import Any, cast

from .connector_faults import RecordedCall, error_body

Json = dict[str, Any]
Reply = tuple[int, Any]  # (status, JSON body or None)


def thread_key(conversation_id: str) -> str:
    """A channel thread `19:x@thread.tacv2;messageid=123` counts against its channel."""
    return conversation_id.split(";messageid=", 1)[0]


def classify(method: str, segs: list[str]) -> tuple[str, str | None, str | None, str | None]:
    """(kind, conversation or team id, activity id, member id) from decoded path segments."""
    n = len(segs)
    if n >= 2 and segs[:2] == ["v3", "conversations"]:
        cid = segs[2] if n > 2 else None
        tail = (method, *segs[3:])
        if n == 2 and method == "POST":
            return "create_conversation", None, None, None
        if tail == ("POST", "activities"):
            return "send", cid, None, None
        if n == 5 and segs[3] == "activities":
            kind = {"POST": "reply", "PUT": "update", "DELETE": "delete"}.get(method, "unknown")
            return kind, cid, segs[4], None
        if tail == ("GET", "members"):
            return "get_members", cid, None, None
        if n == 5 and method == "GET" and segs[3] == "members":
            return "get_member", cid, None, segs[4]
        # Teams' paths are case-insensitive: botbuilder asks for pagedmembers, the Agents SDK for pagedMembers.
        if n == 4 and method == "GET" and segs[3].lower() == "pagedmembers":
            return "get_paged_members", cid, None, None
    if n >= 3 and segs[:2] == ["v3", "teams"] and method == "GET":
        if n == 3:
            return "get_team", segs[2], None, None
        if n == 4 and segs[3] == "conversations":
            return "get_channels", segs[2], None, None
    return "unknown", None, None, None


class TeamsState:
    """Messages, conversations, rosters and teams, changed by `apply(call)`."""

    def __init__(self, *, max_page_size: int = 500, default_page_size: int = 200) -> None:
        self.max_page_size = max_page_size  # lower it (e.g. 2) to force continuation tokens
        self.default_page_size = default_page_size
        self.base_url = ""
        self.activities_by_id: dict[str, Json] = {}  # current state, after updates/deletes
        self.created_conversations: list[Json] = []  # {"id", "activityId", "parameters"}
        self.deleted_ids: list[str] = []
        self._delivered: list[tuple[RecordedCall, Json]] = []
        self._updates: list[tuple[RecordedCall, Json]] = []
        self._rosters: dict[str, dict[str, Json]] = {}
        self._teams: dict[str, Json] = {}
        self._channels: dict[str, list[Json]] = {}
        self._channel_team: dict[str, str] = {}
        self._ids = itertools.count(1_700_000_000_001)

    def add_member(self, conversation_or_team_id: str, member: Mapping[str, Any]) -> None:
        """Add a TeamsChannelAccount JSON ({id, name, aadObjectId, ...}) to a roster."""
        if not member.get("id"):
            raise ValueError("member needs an 'id'")
        self._rosters.setdefault(conversation_or_team_id, {})[member["id"]] = dict(member)

    def add_team(
        self,
        team_id: str,
        name: str,
        channels: Sequence[Mapping[str, Any]] = (),
        *,
        aad_group_id: str | None = None,
    ) -> None:
        """Register a team; its General channel (id == team id, name null) is added if absent.
        Channel conversations share the team's roster."""
        listed = [{"id": c["id"], "name": c.get("name")} for c in channels]
        if all(c["id"] != team_id for c in listed):
            listed.insert(0, {"id": team_id, "name": None})
        self._channels[team_id] = listed
        self._teams[team_id] = {"id": team_id, "name": name, "aadGroupId": aad_group_id}
        for channel in listed:
            self._channel_team[channel["id"]] = team_id

    def sent(self, conversation_id: str | None = None) -> list[Json]:
        """Activities delivered by send, reply and channel-post create, as sent (plus "id").
        A channel id also selects its threads' messages."""
        return [a for _, a in self._delivered if _in_conversation(a, conversation_id)]

    def updates(self, conversation_id: str | None = None, activity_id: str | None = None) -> list[Json]:
        return [
            a for _, a in self._updates if _in_conversation(a, conversation_id) and activity_id in (None, a.get("id"))
        ]

    def delivered_count_by_key(self, key_fn: Callable[[Json], Hashable]) -> Counter[Hashable]:
        """E.g. count by card nonce; any value > 1 means a message went out twice."""
        return Counter(key_fn(a) for _, a in self._delivered)

    def apply(self, call: RecordedCall, member_id: str | None) -> Reply:
        cid, aid, body = call.conversation_id or "", call.activity_id or "", call.json
        if call.kind in {"create_conversation", "send", "reply", "update"} and not isinstance(body, dict):
            return 400, error_body(400, "BadSyntax", "JSON object body required")
        body = cast(Json, body)
        match call.kind:
            case "create_conversation":
                return self._create_conversation(call, body)
            case "send" | "reply":
                if call.kind == "reply":
                    body = {**body, "replyToId": body.get("replyToId") or aid}
                return 201, {"id": self._deliver(call, cid, body)}
            case "update":
                current = self.activities_by_id.get(aid)
                if current is None or thread_key(current["conversation"]["id"]) != thread_key(cid):
                    return 404, error_body(404, "ActivityNotFoundInConversation")
                updated = {
                    **copy.deepcopy(body),
                    "id": aid,
                    "conversation": current["conversation"],
                }
                self.activities_by_id[aid] = updated
                self._updates.append((call, updated))
                return 200, {"id": aid}
            case "delete":
                if self.activities_by_id.pop(aid, None) is None:
                    return 404, error_body(404, "ActivityNotFoundInConversation")
                self.deleted_ids.append(aid)
                return 200, None
            case "get_members":
                return 200, self._roster(cid)
            case "get_member":
                for m in self._roster(cid):
                    if member_id in (m.get("id"), m.get("aadObjectId")):
                        return 200, m
                return 404, error_body(404, "MemberNotFoundInConversation", "Member not found")
            case "get_paged_members":
                return self._paged_members(call)
            case "get_team" if cid in self._teams:
                details = {**self._teams[cid], "channelCount": len(self._channels[cid])}
                return 200, {**details, "memberCount": len(self._roster(cid)), "type": "standard"}
            case "get_channels" if cid in self._teams:
                return 200, {"conversations": self._channels[cid]}
            case "get_team" | "get_channels":
                return 404, error_body(404, "NotFound", f"Team {cid} not found")
        return 404, error_body(404, "NotFound", f"No fake route for {call.method} {call.path}")

    def _create_conversation(self, call: RecordedCall, params: Json) -> Reply:
        activity = params.get("activity")
        channel_id = ((params.get("channelData") or {}).get("channel") or {}).get("id")
        if channel_id and not isinstance(activity, dict):
            return 400, error_body(400, "BadArgument", "A channel post needs an activity")
        if not channel_id and not params.get("members"):
            return 400, error_body(400, "BadArgument", "members or channelData.channel.id required")
        activity_id = None
        if channel_id:
            activity_id = str(next(self._ids))
            conversation_id = f"{channel_id};messageid={activity_id}"
        else:
            conversation_id = self._new_chat_id(params)
        if isinstance(activity, dict):
            activity_id = self._deliver(call, conversation_id, activity, activity_id)
        self.created_conversations.append({"id": conversation_id, "activityId": activity_id, "parameters": params})
        response = {"id": conversation_id, "serviceUrl": self.base_url}
        return 201, response if activity_id is None else {**response, "activityId": activity_id}

    def _paged_members(self, call: RecordedCall) -> Reply:
        token = call.query.get("continuationToken")
        try:
            size = int(call.query.get("pageSize") or 0) or self.default_page_size
            start = int(token.removeprefix("fake-ct-")) if token else 0
        except ValueError:
            return 400, error_body(400, "BadArgument", "bad pageSize or continuationToken")
        members = self._roster(call.conversation_id or "")
        end = start + max(1, min(size, self.max_page_size))
        page: Json = {"members": members[start:end]}
        if end < len(members):
            page["continuationToken"] = f"fake-ct-{end}"
        return 200, page

    def _deliver(
        self,
        call: RecordedCall,
        conversation_id: str,
        activity: Json,
        activity_id: str | None = None,
    ) -> str:
        new_id = activity_id or str(next(self._ids))
        conversation = {**(activity.get("conversation") or {}), "id": conversation_id}
        stored = {**copy.deepcopy(activity), "id": new_id, "conversation": conversation}
        self.activities_by_id[new_id] = stored
        self._delivered.append((call, copy.deepcopy(stored)))
        call.delivered_id = new_id
        return new_id

    def _roster(self, conversation_id: str) -> list[Json]:
        key = thread_key(conversation_id)
        if key not in self._rosters and key in self._channel_team:
            key = self._channel_team[key]
        return list(self._rosters.get(key, {}).values())

    def thread_of(self, call: RecordedCall) -> str:
        if call.kind != "create_conversation":
            return thread_key(call.conversation_id or "")
        params = call.json if isinstance(call.json, dict) else {}
        channel_id = ((params.get("channelData") or {}).get("channel") or {}).get("id")
        return channel_id or self._new_chat_id(params)

    @staticmethod
    def _new_chat_id(params: Json) -> str:
        """Stable per member set, as Teams returns the same 1:1 conversation id each time."""
        members = sorted(str((m or {}).get("id")) for m in params.get("members") or [])
        # botbuilder-python serialises ConversationParameters.tenant_id as "tenantID".
        tenant = params.get("tenantId") or params.get("tenantID")
        tenant = tenant or ((params.get("channelData") or {}).get("tenant") or {}).get("id")
        digest = hashlib.sha256(f"{tenant}|{'|'.join(members)}".encode()).hexdigest()
        if params.get("isGroup") or len(members) > 1:
            return f"19:{digest[:32]}@thread.v2"
        return f"a:1{digest[:40]}"


def _in_conversation(activity: Json, conversation_id: str | None) -> bool:
    if conversation_id is None:
        return True
    actual = (activity.get("conversation") or {}).get("id", "")
    return conversation_id in (actual, thread_key(actual))
