"""The gate in front of every activity endpoint: nothing malformed reaches a bot SDK or the database.

An aiohttp middleware reads the body of a POST to a registered activity path once, and answers 400
(with a short reason, logged as one line) when it is not JSON, nests too deeply, holds too many
values, a number out of range or a field the bot reads with the wrong type. Text is cleaned on the
way in: U+0000 (which PostgreSQL cannot store) and lone UTF-16 surrogates (which cannot be encoded)
are removed, so a pasted stray character never costs an officer the rest of their update. Handlers
take the checked body with ``activity_body(request)``; any edge (Bot Framework or another SDK) that
registers its path with ``guard_activities`` gets the same checks.
"""

from __future__ import annotations

import json
import logging
import math
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.teams.edge import refusal

log = logging.getLogger(__name__)

MAX_DEPTH = 32  # Teams nests activities a handful of levels; a card's data a few more
MAX_VALUES = 20_000  # every string, number and container counted once
MAX_SAFE_INTEGER = 2**53 - 1  # the largest integer a Teams client (JavaScript) can send exactly

ACTIVITY_PATHS = web.AppKey("activity_paths", set[str])
_BODY = web.RequestKey("activity_body", dict)
_INVALID_TEXT = re.compile("[\x00\ud800-\udfff]")


class Refused(ValueError):
    """The request is not an activity the bot will read: answered 400 with this reason."""


def guard_activities(app: web.Application, *paths: str) -> None:
    """Put ``paths`` behind the gate (the middleware is installed once, for every path)."""
    if ACTIVITY_PATHS not in app:
        app[ACTIVITY_PATHS] = set()
        app.middlewares.append(activity_gate)
    app[ACTIVITY_PATHS].update(paths)


def activity_body(request: web.Request) -> dict[str, Any]:
    """The checked, cleaned activity the gate read for this request."""
    return request[_BODY]


@web.middleware
async def activity_gate(request: web.Request, handler: Handler) -> web.StreamResponse:
    if request.method != "POST" or request.path not in request.app[ACTIVITY_PATHS]:
        return await handler(request)
    if "application/json" not in request.headers.get("Content-Type", ""):
        return _refused(request, "Content-Type must be application/json", status=415)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        return _refused(request, "the body is too large", status=413)
    try:
        body, cleaned = checked_activity(raw)
    except Refused as exc:
        return _refused(request, str(exc))
    if cleaned:
        log.info("removed %d invalid character(s) (U+0000, lone surrogates) from activity %s", cleaned, body.get("id"))
    request[_BODY] = body
    return await handler(request)


def _refused(request: web.Request, reason: str, status: int = 400) -> web.Response:
    # An expected rejection: one line, no traceback, nothing of the body.
    log.info("refused %s %s: %s", request.method, request.path, reason)
    return refusal(reason, status)


def checked_activity(raw: bytes) -> tuple[dict[str, Any], int]:
    """The activity in ``raw`` with its text cleaned, and how many characters were removed."""
    body = _parse(raw)
    cleaner = _Cleaner()
    body = cleaner.clean(body, 0)
    if not isinstance(body, dict):
        raise Refused("the body must be a JSON object (a Bot Framework activity)")
    _drop_nulls(body)
    _check_fields(body)
    if body.get("id") == "":
        # An empty id names no activity; removed so both Teams edges read it as absent (the Agents
        # SDK's model refuses an empty string, botbuilder's takes it as a key two activities share).
        del body["id"]
    return body, cleaner.removed


def _drop_nulls(body: dict[str, Any]) -> None:
    """JSON null means absent, for the activity's fields and those of its parts: the Agents SDK's
    model refuses a null where it wants a value, botbuilder's takes it as absent."""
    for container in (body, *(part for key in _OBJECTS if isinstance(part := body.get(key), dict))):
        for key in [key for key, value in container.items() if value is None]:
            del container[key]


def _is_datetime(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _no_constants(name: str) -> float:
    raise Refused(f"{name} is not a JSON number")


def _parse(raw: bytes) -> Any:
    try:
        return json.loads(raw, parse_constant=_no_constants)
    except RecursionError:
        raise Refused(f"the body nests more than {MAX_DEPTH} levels deep") from None
    except UnicodeDecodeError:
        raise Refused("the body is not UTF-8") from None
    except json.JSONDecodeError as exc:
        raise Refused(f"the body is not valid JSON ({exc.msg} at line {exc.lineno})") from None


@dataclass
class _Cleaner:
    removed: int = 0
    values: int = 0

    def clean(self, value: Any, depth: int) -> Any:
        self.values += 1
        if self.values > MAX_VALUES:
            raise Refused(f"the body holds more than {MAX_VALUES} values")
        if isinstance(value, str):
            return self._text(value)
        if isinstance(value, bool) or value is None:
            return value
        if isinstance(value, int):
            if abs(value) > MAX_SAFE_INTEGER:
                raise Refused("a number in the body is out of range")
            return value
        if isinstance(value, float):
            if not math.isfinite(value):
                raise Refused("a number in the body is out of range")
            return value
        if depth >= MAX_DEPTH:
            raise Refused(f"the body nests more than {MAX_DEPTH} levels deep")
        if isinstance(value, list):
            return [self.clean(item, depth + 1) for item in value]
        return {self._text(key): self.clean(item, depth + 1) for key, item in value.items()}

    def _text(self, text: str) -> str:
        if "\x00" not in text and text.isascii():
            return text  # the common case, decided without a regex
        cleaned, count = _INVALID_TEXT.subn("", text)
        self.removed += count
        return cleaned


# The fields the bot and the SDK read, with the JSON type each must have when present.
_ANSWERED = ("message", "invoke", "conversationUpdate", "installationUpdate")  # the types the bot acts on
_STRINGS = ("type", "id", "name", "text", "serviceUrl", "channelId", "replyToId", "action", "locale", "textFormat")
_DATETIMES = ("timestamp", "localTimestamp", "expiration")
_OBJECTS = ("from", "recipient", "conversation", "channelData")
_LISTS = ("entities", "attachments", "membersAdded", "membersRemoved")
_ACCOUNT_STRINGS = ("id", "name", "aadObjectId", "role")
_CONVERSATION_STRINGS = ("id", "name", "conversationType", "tenantId")
_CHANNEL_DATA_OBJECTS = ("tenant", "team", "channel", "settings")


def _check_fields(body: dict[str, Any]) -> None:
    _typed(body, _STRINGS, str, "")
    _typed(body, _OBJECTS, dict, "")
    _typed(body, _LISTS, list, "")
    if not body.get("type"):
        raise Refused("the activity has no type")
    for key in _DATETIMES:
        if key in body and not _is_datetime(body[key]):
            raise Refused(f"{key} must be an ISO 8601 date and time")
    if not body.get("channelId"):
        raise Refused("the activity has no channelId")  # every channel names itself; the SDKs route by it
    for key in ("from", "recipient"):
        _typed(body.get(key) or {}, _ACCOUNT_STRINGS, str, f"{key}.")
    for party in ("from", "recipient"):
        if body["type"] in _ANSWERED and not (body.get(party) or {}).get("id"):
            # Teams names the sender and the bot in everything the bot acts on, and an answer goes from
            # the one to the other: the Agents SDK fails the turn without them.
            raise Refused(f"the activity has no {party}.id")
    conversation = body.get("conversation") or {}
    _typed(conversation, _CONVERSATION_STRINGS, str, "conversation.")
    _typed(conversation, ("isGroup",), bool, "conversation.")
    if not conversation.get("id"):
        raise Refused("the activity has no conversation id")
    service_url = body.get("serviceUrl") or ""
    if not service_url.startswith(("https://", "http://")):
        raise Refused("serviceUrl must be an http(s) address")
    channel_data = body.get("channelData") or {}
    _typed(channel_data, _CHANNEL_DATA_OBJECTS, dict, "channelData.")
    for key in _CHANNEL_DATA_OBJECTS[:3]:
        _typed(channel_data.get(key) or {}, ("id", "name"), str, f"channelData.{key}.")
    for key in _LISTS:
        if not all(isinstance(item, dict) for item in body.get(key) or []):
            raise Refused(f"{key} must be a list of objects")
    for key in ("membersAdded", "membersRemoved"):
        for member in body.get(key) or []:
            _typed(member, _ACCOUNT_STRINGS, str, f"{key}[].")
    if body["type"] == "invoke" and not body.get("name"):
        raise Refused("an invoke activity must have a name")
    if body["type"] == "invoke" and body.get("name") == "adaptiveCard/action":
        _check_card_action(body.get("value"))


def _check_card_action(value: Any) -> None:
    if not isinstance(value, dict) or not isinstance(value.get("action"), dict):
        raise Refused("an adaptiveCard/action invoke must carry value.action as an object")
    action = value["action"]
    _typed(action, ("type", "verb", "id"), str, "value.action.")
    _typed(action, ("data",), dict, "value.action.")


def _typed(container: dict[str, Any], keys: tuple[str, ...], kind: type, prefix: str) -> None:
    names = {str: "a string", dict: "an object", list: "a list", bool: "true or false"}
    for key in keys:
        value = container.get(key)
        if value is not None and not isinstance(value, kind):
            raise Refused(f"{prefix}{key} must be {names[kind]}")
