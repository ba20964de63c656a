"""An inbound request's activity, checked and deserialised once, and the invoke answer as JSON.

`CloudAdapter.process` would read and deserialise the body again after our checks, and writes an
invoke answer by walking the whole card through msrest's serialiser (~0.25 ms for a receipt
card). The app calls the adapter's `process_activity` with the Activity read here instead, and
writes our own Universal Actions answers directly: a card is JSON already.
"""

from __future__ import annotations

from typing import Any

from botbuilder.core import InvokeResponse
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse
from msrest.exceptions import DeserializationError


def read_activity(body: object) -> Activity | str:
    """The activity in a request body, or what is wrong with it (a 400, never a 500)."""
    if not isinstance(body, dict):
        return "the body must be a JSON object (a Bot Framework activity)"
    if not isinstance(body.get("type"), str) or not body["type"]:
        return "the activity has no type"
    for key in ("serviceUrl", "id", "text", "channelId", "name"):
        if key in body and body[key] is not None and not isinstance(body[key], str):
            return f"{key} must be a string"
    for key in ("conversation", "from", "recipient"):
        if key in body and body[key] is not None and not isinstance(body[key], dict):
            return f"{key} must be an object"
    if not isinstance(body.get("conversation"), dict) or not body["conversation"].get("id"):
        return "the activity has no conversation id"
    if not body.get("serviceUrl"):
        return "the activity has no serviceUrl"
    try:
        return Activity().deserialize(body)
    except (DeserializationError, TypeError, ValueError, AttributeError) as exc:
        return f"the activity is malformed: {exc.__class__.__name__}"


def invoke_json(response: InvokeResponse) -> Any:
    """The invoke answer's body as CloudAdapter writes it (msrest's wire names, None left out)."""
    body = response.body
    if type(body) is AdaptiveCardInvokeResponse and isinstance(body.value, dict):
        # Ours: every field a JSON value already, so msrest's walk would return the same dict.
        fields = {"statusCode": body.status_code, "type": body.type, "value": body.value}
        return {key: value for key, value in fields.items() if value is not None}
    return serializer_helper(body)
