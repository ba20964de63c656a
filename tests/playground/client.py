"""A client for the Agents Playground's own HTTP + WebSocket API (version 0.2.28).

The Playground stands in for Teams: it sends the bot real activities and shows what the bot sends
back. This client speaks for the Playground's current user and reads the WebSocket stream the
Playground's web UI reads, so the tests see what a person in the Playground would see.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import ClientSession, ClientTimeout, WSMsgType

Frame = dict[str, Any]
CARD = "application/vnd.microsoft.card.adaptive"


@dataclass(frozen=True)
class Message:
    """A message as the Playground shows it: created by the bot, or updated in place."""

    action: str  # "createMessage" | "updateMessage"
    conversation_id: str
    message_id: str
    text: str
    cards: list[dict[str, Any]]

    @classmethod
    def from_frame(cls, frame: Frame) -> Message | None:
        if frame.get("action") not in ("createMessage", "updateMessage") or not isinstance(frame.get("message"), dict):
            return None
        message = frame["message"]
        cards = [
            a.get("content")
            for a in message.get("attachments") or []
            if a.get("contentType") == CARD and isinstance(a.get("content"), dict)
        ]
        return cls(
            frame["action"],
            str(frame.get("actionConversationId")),
            str(message.get("messageId")),
            message.get("text") or "",
            cards,
        )

    def summary(self) -> str:
        what = f"{len(self.cards)} card(s): {card_text(self.cards[0])[:120]!r}" if self.cards else repr(self.text[:120])
        return f"{self.action} #{self.message_id} in {self.conversation_id}: {what}"


def card_text(card: Any) -> str:
    """Every piece of text a card shows (text, titles, facts, labels, values), one per line."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("text", "title", "value", "label", "placeholder") and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)


def find_element(card: Any, predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any] | None:
    """The first element or action of a card matching ``predicate`` (depth first, in card order)."""
    if isinstance(card, dict):
        if predicate(card):
            return card
        children = card.values()
    elif isinstance(card, list):
        children = card
    else:
        return None
    for child in children:
        if (found := find_element(child, predicate)) is not None:
            return found
    return None


class MessageStream:
    """Everything the bot sends to the Playground, in order, from the WebSocket the web UI reads.

    ``expect`` waits (bounded) for the next message matching a predicate and consumes the stream up
    to it, so a test reads the conversation in order, as a person would.
    """

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.other_frames: list[Frame] = []
        self._cursor = 0
        self._arrived = asyncio.Condition()
        self._closed: str | None = None

    async def feed(self, ws: Any) -> None:
        try:
            async for raw in ws:
                if raw.type is not WSMsgType.TEXT:
                    continue
                frame = json.loads(raw.data)
                message = Message.from_frame(frame)
                async with self._arrived:
                    if message is None:
                        self.other_frames.append(frame)
                    else:
                        self.messages.append(message)
                    self._arrived.notify_all()
        finally:
            async with self._arrived:
                self._closed = f"the Playground closed its WebSocket ({ws.close_code})"
                self._arrived.notify_all()

    def mark(self) -> int:
        """A position in the stream, to look at what arrived after it."""
        return len(self.messages)

    def since(self, mark: int) -> list[Message]:
        return self.messages[mark:]

    async def expect(self, predicate: Callable[[Message], bool], what: str, wait: float) -> Message:
        deadline = time.monotonic() + wait
        async with self._arrived:
            while True:
                for index in range(self._cursor, len(self.messages)):
                    if predicate(self.messages[index]):
                        self._cursor = index + 1
                        return self.messages[index]
                remaining = deadline - time.monotonic()
                if self._closed or remaining <= 0:
                    seen = "\n".join(f"    {m.summary()}" for m in self.messages[self._cursor :]) or "    (nothing)"
                    reason = self._closed or f"not within {wait:g} s"
                    raise AssertionError(
                        f"The Playground did not show {what}: {reason}. Messages since the last one expected:\n{seen}"
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), remaining)


class Playground:
    """The Playground's API, speaking as its current user."""

    def __init__(self, base_url: str, http: ClientSession, timeout: float) -> None:
        self.base_url = base_url.rstrip("/")
        self.http = http
        self.timeout = timeout
        self.stream = MessageStream()
        self._reader: asyncio.Task[None] | None = None
        self._ws: Any = None
        self.config: dict[str, Any] = {}

    async def __aenter__(self) -> Playground:
        self.config = (await self._call("GET", "/_internal/v1/config"))["config"]
        ws_url = "ws" + self.base_url.removeprefix("http") + "/_ws_conversation/v1/conversations/stream"
        self._ws = await asyncio.wait_for(self.http.ws_connect(ws_url, heartbeat=30), self.timeout)
        self._reader = asyncio.create_task(self.stream.feed(self._ws), name="playground-ws")
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._reader

    @property
    def user(self) -> dict[str, Any]:
        return self.config["currentUser"]

    @property
    def personal_chat(self) -> str:
        return str(self.config["personalChat"]["id"])

    async def _call(self, method: str, path: str, body: Any = None) -> Any:
        async with self.http.request(
            method, self.base_url + path, json=body, timeout=ClientTimeout(total=self.timeout)
        ) as response:
            text = await response.text()
            if response.status >= 300:
                raise AssertionError(f"Playground {method} {path} answered {response.status}: {text[:2000]}")
            return json.loads(text) if text.strip() else None

    async def install(self, conversation_id: str) -> None:
        """What Teams does when a person adds the app: installationUpdate, conversationUpdate."""
        await self._call("POST", f"/_debug/conversation/{conversation_id}/installation", {})

    async def say(self, conversation_id: str, text: str) -> str:
        """The current user types ``text`` and presses Send; returns the user's message id."""
        sent = await self._call(
            "POST",
            f"/_conversation/v1/conversations/{conversation_id}/messages",
            {"from": {"id": self.user["id"]}, "text": text, "textFormat": "plain"},
        )
        return str(sent["messageId"])

    async def execute(
        self,
        conversation_id: str,
        card_message_id: str,
        action: dict[str, Any],
        inputs: dict[str, str],
    ) -> dict[str, Any]:
        """Press an Action.Execute button: the Playground sends the adaptiveCard/action invoke the
        way Teams does (the action's data merged with the card's input values) and answers with the
        bot's invoke response."""
        assert action.get("type") == "Action.Execute", f"not an Action.Execute: {action}"
        value = {
            "action": {
                "type": "Action.Execute",
                "verb": action["verb"],
                "data": {**(action.get("data") or {}), **inputs},
            },
            "trigger": "manual",
        }
        return await self._call(
            "POST",
            "/_conversation/v1/invoke",
            {
                "name": "adaptiveCard/action",
                "conversation": {"id": conversation_id},
                "from": {"id": self.user["id"]},
                "replyToId": card_message_id,
                "value": value,
            },
        )

    async def submit(
        self,
        conversation_id: str,
        card_message_id: str,
        action: dict[str, Any],
        inputs: dict[str, str],
    ) -> None:
        """Press an Action.Submit button (an older client): a message activity whose value is the
        action's data merged with the card's input values, replying to the card."""
        assert action.get("type") == "Action.Submit", f"not an Action.Submit: {action}"
        await self._call(
            "POST",
            "/_conversation/v1/submit",
            {
                "conversation": {"id": conversation_id},
                "from": {"id": self.user["id"]},
                "replyToId": card_message_id,
                "value": {**(action.get("data") or {}), **inputs},
            },
        )
