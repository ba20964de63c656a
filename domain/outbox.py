"""The outbox's rules: delivery statuses, message kinds, idempotency keys, payloads, and what to do
when Teams refuses a message (retry with backoff, mark the recipient unreachable, or give up).

Pure: storage/ keeps the ledger and bot/ talks to Teams; both follow these rules.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any, Protocol

from domain.conversations import ConversationAddress, MemberIdentity

RandomSource = Callable[[], float]  # uniform in [0, 1), e.g. random.Random(seed).random


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its next attempt time
    CLAIMED = "claimed"  # taken by a worker, Teams not called yet: safe to hand back
    SENDING = "sending"  # committed just before the Teams call; a crash leaves it here
    SENT = "sent"
    FAILED = "failed"  # refused for good, or out of attempts
    UNREACHABLE = "unreachable"  # blocked, uninstalled, not in a roster: waits for a new install
    UNKNOWN = "unknown"  # a crash or an unreadable answer: maybe sent; a human decides, never re-sent


OPEN_STATUSES = frozenset({DeliveryStatus.PENDING, DeliveryStatus.CLAIMED, DeliveryStatus.SENDING})
PROBLEM_STATUSES = frozenset({DeliveryStatus.FAILED, DeliveryStatus.UNREACHABLE, DeliveryStatus.UNKNOWN})


class MessageKind(StrEnum):
    PROMPT = "prompt"
    REMINDER = "reminder"
    FIGURES_REQUEST = "figures_request"
    ESCALATION = "escalation"
    DIGEST = "digest"
    RECEIPT = "receipt"
    NOTICE = "notice"


@dataclass(frozen=True)
class Recipient:
    """A person (reached in their personal chat) or a stored conversation (a channel: a thread)."""

    person_id: int | None = None
    conversation_ref_id: int | None = None

    def __post_init__(self) -> None:
        if (self.person_id is None) == (self.conversation_ref_id is None):
            raise ValueError("a recipient is either a person or a conversation, not both or neither")

    @classmethod
    def person(cls, person_id: int) -> Recipient:
        return cls(person_id=person_id)

    @classmethod
    def conversation(cls, conversation_ref_id: int) -> Recipient:
        return cls(conversation_ref_id=conversation_ref_id)

    @property
    def token(self) -> str:
        if self.person_id is not None:
            return f"person-{self.person_id}"
        return f"conversation-{self.conversation_ref_id}"


MAX_KEY_LENGTH = 200


def idempotency_key(kind: MessageKind, *, scope: str, recipient: Recipient, step: str | int = 0) -> str:
    """The one name a message has, e.g. "prompt/progress-2026-11/person-12/0".

    `scope` is what the message belongs to (a round, a month, an escalation); `step` tells apart the
    messages of one scope to one recipient (first reminder, second reminder...). Enqueueing the same
    key again is a no-op, so a planner may run as often as it likes.
    """
    parts = [MessageKind(kind).value, scope.strip(), recipient.token, str(step).strip()]
    if not all(parts):
        raise ValueError("an idempotency key needs a scope and a step")
    key = "/".join(parts)
    if len(key) > MAX_KEY_LENGTH:
        raise ValueError(f"idempotency key longer than {MAX_KEY_LENGTH} characters: {key[:60]}...")
    return key


# Teams refuses bot messages over 100 KB counted in UTF-16 (413 MessageSizeTooBig): refuse them
# when they are enqueued, where the caller can still do something about it.
MAX_PAYLOAD_BYTES = 100 * 1024


class PayloadInvalid(ValueError):
    pass


def message_payload(*, card: Mapping[str, Any] | None = None, text: str | None = None) -> dict[str, Any]:
    """What the outbox stores for a message: an Adaptive Card (a plain JSON dict) and/or text."""
    payload: dict[str, Any] = {}
    if card is not None:
        payload["card"] = dict(card)
    if text is not None:
        payload["text"] = text
    return check_payload(payload)


def check_payload(payload: Mapping[str, Any]) -> dict[str, Any]:
    unexpected = set(payload) - {"card", "text"}
    if unexpected:
        raise PayloadInvalid(f"unexpected payload fields: {', '.join(sorted(unexpected))}")
    card, text = payload.get("card"), payload.get("text")
    if card is None and not text:
        raise PayloadInvalid("a message needs a card or some text")
    if card is not None and (not isinstance(card, Mapping) or card.get("type") != "AdaptiveCard"):
        raise PayloadInvalid("card must be an Adaptive Card JSON object")
    if text is not None and not isinstance(text, str):
        raise PayloadInvalid("text must be a string")
    size = len(json.dumps(payload, ensure_ascii=False).encode("utf-16-le"))
    if size > MAX_PAYLOAD_BYTES:
        raise PayloadInvalid(f"message is {size // 1024} KB; Teams refuses more than 100 KB")
    return dict(payload)


@dataclass(eq=False)  # compared and hashed by identity, as exceptions are
class DeliveryError(Exception):
    """Teams (or the way to it) refused a call; `status` is None when no answer came back."""

    status: int | None
    message: str = ""
    code: str | None = None
    sub_code: str | None = None
    retry_after: float | None = None
    timed_out: bool = False

    def __str__(self) -> str:
        what = "timed out" if self.timed_out else f"HTTP {self.status}"
        codes = "/".join(c for c in (self.code, self.sub_code) if c)
        return " ".join(p for p in (what, codes, self.message) if p)[:1000]

    @classmethod
    def timeout(cls, message: str = "no answer from Teams") -> DeliveryError:
        return cls(status=None, message=message, timed_out=True)


class Verdict(StrEnum):
    RETRY = "retry"
    UNREACHABLE = "unreachable"
    FAILED = "failed"


# Teams' status table: retry throttling, precondition and gateway errors; 403 and 404 mean the
# recipient cannot be reached until they install the app again; 400, 401 and 413 never succeed.
# 500 is retried too: the Bot Connector answers transient faults with it (the fake injects it).
RETRYABLE_STATUSES = frozenset({412, 429, 500, 502, 503, 504})
UNREACHABLE_STATUSES = frozenset({403, 404})


@dataclass(frozen=True)
class Step:
    """What to do with a message after a failed call."""

    status: DeliveryStatus
    delay: float | None = None  # seconds until the next attempt (status PENDING)
    throttled: bool = False  # a 429: its conversation waits `delay` (domain.congestion decides the rest)
    unreachable: bool = False  # mark the recipient unreachable


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 5
    base: float = 1.0  # seconds: the first backoff is drawn from [0, base)
    cap: float = 60.0
    retryable: frozenset[int] = RETRYABLE_STATUSES

    def verdict(self, error: DeliveryError, *, updating: bool = False) -> Verdict:
        if error.timed_out or error.status in self.retryable:
            return Verdict.RETRY
        if error.status in UNREACHABLE_STATUSES:
            # A 404 on an update names the old message, not the person: the card is gone.
            not_found = error.status == 404 and error.code == "ActivityNotFoundInConversation"
            return Verdict.FAILED if updating and not_found else Verdict.UNREACHABLE
        return Verdict.FAILED

    def backoff(self, attempts: int, random: RandomSource) -> float:
        """Exponential backoff with full jitter: uniform in [0, min(cap, base * 2^(attempts-1)))."""
        ceiling = min(self.cap, self.base * 2 ** max(0, attempts - 1))
        return random() * ceiling

    def next_step(self, error: DeliveryError, *, attempts: int, random: RandomSource, updating: bool = False) -> Step:
        """`attempts`: calls made for this message so far, including the one that just failed."""
        verdict = self.verdict(error, updating=updating)
        if verdict is Verdict.UNREACHABLE:
            return Step(DeliveryStatus.UNREACHABLE, unreachable=True)
        if verdict is Verdict.FAILED or attempts >= self.max_attempts:
            return Step(DeliveryStatus.FAILED)
        if error.status == 429:
            wait = error.retry_after if error.retry_after is not None else self.backoff(attempts, random)
            return Step(DeliveryStatus.PENDING, delay=wait, throttled=True)
        return Step(DeliveryStatus.PENDING, delay=self.backoff(attempts, random))


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from a Retry-After header: delta-seconds (fractions tolerated) or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - now).total_seconds()) if when.tzinfo else None


def member_matches(member: MemberIdentity, *, aad_object_id: str | None, email: str, upn: str | None) -> bool:
    """A roster entry is this person by AAD object id, else by email or UPN (case-insensitive)."""
    if aad_object_id and member.aad_object_id:
        return aad_object_id.lower() == member.aad_object_id.lower()
    ours = {a.lower() for a in (email, upn) if a}
    theirs = {a.lower() for a in (member.email, member.upn) if a}
    return bool(ours & theirs)


@dataclass(frozen=True)
class Sent:
    activity_id: str | None
    conversation_id: str  # for a channel post: the new thread, "<channel>;messageid=<id>"


class TeamsGateway(Protocol):
    """The outbound calls the delivery worker makes; bot/teams/gateway.py implements them over the SDK.
    Every method raises DeliveryError when Teams refuses."""

    async def send(self, address: ConversationAddress, payload: Mapping[str, Any]) -> Sent: ...

    async def post_to_channel(self, channel: ConversationAddress, payload: Mapping[str, Any]) -> Sent: ...

    async def update(self, address: ConversationAddress, activity_id: str, payload: Mapping[str, Any]) -> Sent: ...

    async def roster_page(
        self, team: ConversationAddress, continuation_token: str | None
    ) -> tuple[list[MemberIdentity], str | None]: ...

    async def create_personal(self, team: ConversationAddress, member: MemberIdentity) -> ConversationAddress: ...
