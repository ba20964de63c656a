"""What the fake Bot Connector records and how it fails: injected errors, delays, Teams limits.

Pure data and bookkeeping; no I/O. `tests/fakes/connector.py` serves HTTP on top of it.
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

# Operation kinds, derived from HTTP method + path (see connector._classify).
SEND_KINDS = frozenset({"send", "reply", "create_conversation"})
READ_KINDS = frozenset({"get_members", "get_member", "get_paged_members", "get_team", "get_channels"})
KINDS = SEND_KINDS | READ_KINDS | frozenset({"update", "delete", "unknown"})
HTTP_METHODS = frozenset({"GET", "POST", "PUT", "DELETE", "PATCH"})

# learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit: (count, window seconds).
TEAMS_SEND_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))
TEAMS_READ_LIMITS: tuple[tuple[int, float], ...] = (
    (14, 1.0),
    (16, 2.0),
    (120, 30.0),
    (3600, 3600.0),
)

DEFAULT_ERROR_CODES: dict[int, str] = {
    400: "BadArgument",
    401: "Unauthorized",
    403: "Forbidden",
    404: "ConversationNotFound",
    405: "MethodNotAllowed",
    412: "PreconditionFailed",
    413: "MessageSizeTooBig",
    429: "Throttled",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}


@dataclass
class RecordedCall:
    """One HTTP request the fake received. `status` is None while the response is pending."""

    seq: int
    method: str
    path: str  # percent-decoded path, e.g. /v3/conversations/a:1/activities
    kind: str  # one of KINDS
    conversation_id: str | None  # decoded; the team id for /v3/teams/... calls
    activity_id: str | None
    json: Any  # parsed request body, None when empty
    time: float  # time.monotonic() on arrival
    headers: dict[str, str]
    query: dict[str, str] = field(default_factory=dict)
    thread_key: str | None = None  # what per-conversation rate limits count against
    status: int | None = None
    response: Any = None  # JSON body returned
    delivered_id: str | None = None  # activity id if this call delivered a message
    fault: str | None = None  # "injected", "random" or "throttled" when the fake made it fail

    @property
    def ok(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


Match = Callable[[RecordedCall], bool] | str | None


def compile_match(match: Match) -> Callable[[RecordedCall], bool]:
    """None: every call. Callable: as is. "send" / "send|reply": kinds. "PUT /activities/":
    method + decoded path substring. Any other string: decoded path substring.

    Mind that botbuilder posts most messages as "reply": TurnContext.send_activity sets
    replyToId from the turn's activity, and proactive turns (continue_conversation,
    create_conversation) invent one, so "send|reply" is what catches every message."""
    if match is None:
        return lambda _call: True
    if callable(match):
        return match
    spec = match
    kinds = set(spec.split("|"))
    if kinds <= KINDS:
        return lambda call: call.kind in kinds
    method, sep, rest = spec.partition(" ")
    if sep and method.upper() in HTTP_METHODS:
        return lambda call: call.method == method.upper() and rest in call.path
    return lambda call: spec in call.path


def error_body(
    status: int, code: str | None = None, message: str | None = None, sub_code: str | None = None
) -> dict[str, Any]:
    """Bot Framework ErrorResponse JSON, as ErrorResponseException deserialises it."""
    code = code or DEFAULT_ERROR_CODES.get(status, "ServiceError")
    error: dict[str, Any] = {"code": code, "message": message or f"Fake connector: {code}"}
    if sub_code:
        error["subCode"] = sub_code
    return {"error": error}


def format_retry_after(seconds: float) -> str:
    """Integral seconds as "3" (the HTTP form); fractions kept ("0.25") for fast tests only —
    urllib3 rejects them if it ever retries a 503 on its own."""
    if float(seconds).is_integer():
        return str(int(seconds))
    return f"{seconds:.3f}".rstrip("0")


@dataclass
class FailureRule:
    status: int
    remaining: int | None  # None: forever
    matches: Callable[[RecordedCall], bool]
    code: str | None = None
    message: str | None = None
    sub_code: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    deliver: bool = False  # apply the call (message delivered) but still answer with the error


@dataclass
class DelayRule:
    seconds: float
    remaining: int | None
    matches: Callable[[RecordedCall], bool]


R = TypeVar("R", FailureRule, DelayRule)


def take_rule(rules: list[R], call: RecordedCall) -> R | None:
    """First rule matching the call; consumes one use and drops exhausted rules."""
    for rule in rules:
        if rule.matches(call):
            if rule.remaining is not None:
                rule.remaining -= 1
                if rule.remaining <= 0:
                    rules.remove(rule)
            return rule
    return None


@dataclass
class RandomFailures:
    rate: float
    statuses: tuple[int, ...]
    rng: random.Random
    matches: Callable[[RecordedCall], bool]
    retry_after: float = 1.0

    def pick(self, call: RecordedCall) -> int | None:
        if self.rate <= 0 or not self.matches(call) or self.rng.random() >= self.rate:
            return None
        return self.rng.choice(self.statuses)


class SlidingWindows:
    """Per-key timestamps of accepted calls checked against several (count, window) limits."""

    def __init__(self, limits: Sequence[tuple[int, float]]) -> None:
        self.limits = tuple(limits)
        self._horizon = max(window for _, window in self.limits)
        self._hits: dict[Hashable, list[float]] = defaultdict(list)

    def wait_time(self, key: Hashable, now: float) -> float:
        """Seconds until one more call under `key` fits every window; 0.0 if it fits now."""
        hits = self._hits.get(key)
        if not hits:
            return 0.0
        del hits[: bisect_right(hits, now - self._horizon)]
        wait = 0.0
        for count, window in self.limits:
            if len(hits) - bisect_right(hits, now - window) >= count:
                wait = max(wait, hits[len(hits) - count] + window - now)
        return wait

    def add(self, key: Hashable, now: float) -> None:
        self._hits[key].append(now)


def _app_limits(rate: float) -> tuple[tuple[int, float], ...]:
    return ((math.floor(rate), 1.0),) if rate >= 1 else ((1, 1.0 / rate),)


class TeamsLimiter:
    """Teams' windows, exactly: sliding, per conversation (send or read limits) and per app, each
    call counted when it arrives. A call that would overrun one is refused (429) and recorded as a
    violation, naming the window — so a test or the bench sees any burst (off until configured)."""

    def __init__(self) -> None:
        self.per_thread = False
        self.app_rate: float | None = None
        self.violations: list[str] = []
        self._send = SlidingWindows(TEAMS_SEND_LIMITS)
        self._read = SlidingWindows(TEAMS_READ_LIMITS)
        self._app = SlidingWindows(_app_limits(50.0))

    def configure(self, *, per_thread: bool, app_rate: float | None) -> None:
        self.per_thread = per_thread
        self.app_rate = app_rate if app_rate and app_rate > 0 else None
        if self.app_rate:
            self._app = SlidingWindows(_app_limits(self.app_rate))

    def acquire(self, call: RecordedCall) -> float | None:
        """Count the call and return None, or return the Retry-After seconds if it must be 429."""
        checks: list[tuple[str, SlidingWindows, Hashable]] = []
        key = call.thread_key or call.conversation_id or ""
        if self.per_thread and call.kind in SEND_KINDS:
            checks.append((f"conversation {key} (send)", self._send, key))
        elif self.per_thread and call.kind in READ_KINDS:
            checks.append((f"conversation {key} (read)", self._read, key))
        if self.app_rate:
            checks.append(("app", self._app, "app"))
        waits = [(what, windows.wait_time(k, call.time)) for what, windows, k in checks]
        over = [(what, wait) for what, wait in waits if wait > 0]
        if over:
            self.violations += [f"call #{call.seq}: over the {what} window" for what, _ in over]
            return max(wait for _, wait in over)
        for _, windows, k in checks:
            windows.add(k, call.time)
        return None


def window_violations(
    calls: Iterable[RecordedCall],
    limits: Sequence[tuple[int, float]] = TEAMS_SEND_LIMITS,
    kinds: frozenset[str] = SEND_KINDS,
) -> list[str]:
    """Describe every per-conversation window that accepted calls of `kinds` overran."""
    times: dict[str, list[float]] = defaultdict(list)
    for call in calls:
        if call.kind in kinds and (call.ok or call.delivered_id):
            times[call.thread_key or call.conversation_id or ""].append(call.time)
    found: list[str] = []
    for key, stamps in times.items():
        stamps.sort()
        for count, window in limits:
            for i in range(len(stamps) - count):
                span = stamps[i + count] - stamps[i]
                if span < window:
                    found.append(f"{key}: {count + 1} calls within {span:.3f}s > {count}/{window:g}s")
                    break
    return found


def retry_after_header(seconds: float) -> str:
    """Header value the limiter sends: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(seconds)))
