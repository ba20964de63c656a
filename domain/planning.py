"""What the planner asks of storage and sends: the port and the messages, as plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from domain.model import Plan
from domain.outbox import MessageKind


class Audience(StrEnum):
    PERSON = "person"
    CHANNEL = "channel"  # the working group's channel


@dataclass(frozen=True)
class Round:
    id: int
    kind: str  # progress | figures
    month: str
    deadline: date
    closed: bool


@dataclass(frozen=True)
class PersonAvailability:
    """Whether the planner may message someone: away on leave, or not reachable in Teams."""

    email: str
    name: str
    away_until: date | None
    unreachable: bool

    def away_on(self, day: date) -> bool:
        return self.away_until is not None and day <= self.away_until


# ---- what is sent ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    round_id: int
    action_ref: str


@dataclass(frozen=True)
class Reminder:
    month: str
    deadline: date
    action_refs: tuple[str, ...]
    overdue_step: int  # 0: before the deadline (the nudge); 1, 2, 3: after it


@dataclass(frozen=True)
class Outstanding:
    name: str
    email: str
    action_refs: tuple[str, ...]


@dataclass(frozen=True)
class Escalation:
    month: str
    deadline: date
    outstanding: tuple[Outstanding, ...]
    away: tuple[Outstanding, ...]
    unreachable: tuple[Outstanding, ...]


@dataclass(frozen=True)
class FiguresRequest:
    month: str  # the month the figures are for
    deadline: date
    overdue_step: int  # 0: the request itself


@dataclass(frozen=True)
class TargetReviewReminder:
    metric_id: str
    metric_name: str
    target_value: float
    target_date: date
    days_before: int


@dataclass(frozen=True)
class OffTrajectoryAlert:
    metric_id: str
    metric_name: str
    unit: str
    period: str
    value: float
    trajectory: float
    baseline: float
    worse_than_baseline: bool


@dataclass(frozen=True)
class DigestDue:
    """The month's digest is due: the renderer builds it from the database as it stands."""

    month: str


@dataclass(frozen=True)
class SelfAssessmentRequest:
    """The quarter's self-assessment is due from a lead: the statements they lead."""

    month: str  # YYYY-MM: the quarter's month the request belongs to
    statement_ids: tuple[str, ...]
    statement_names: tuple[str, ...]


Content = (
    Prompt
    | Reminder
    | Escalation
    | FiguresRequest
    | TargetReviewReminder
    | OffTrajectoryAlert
    | DigestDue
    | SelfAssessmentRequest
)


@dataclass(frozen=True)
class Message:
    """One message to one recipient; its key (kind, scope, recipient, step) is sent at most once."""

    kind: MessageKind
    scope: str  # e.g. "progress-2026-11"
    step: str
    audience: Audience
    content: Content
    email: str | None = None  # for Audience.PERSON


@dataclass
class RunReport:
    """What a run did, for the CLI and the logs."""

    enqueued: list[str] = field(default_factory=list)
    already: int = 0
    skipped: list[str] = field(default_factory=list)  # why something due was not sent

    def merge(self, other: RunReport) -> None:
        self.enqueued += other.enqueued
        self.already += other.already
        self.skipped += other.skipped


class PlanningStore(Protocol):
    """Storage and the outbox, seen from the planner; one instance is one transaction.

    Every write is idempotent, so a job may run twice, late, or on two instances at once."""

    async def plan(self) -> Plan: ...

    async def find_round(self, kind: str, month: str) -> Round | None: ...

    async def open_round(self, kind: str, month: str, deadline: date, now: datetime) -> tuple[Round, bool]:
        """The round of this kind and month, opened now unless it already was; True when it was opened now."""
        ...

    async def close_rounds_before(self, kind: str, month: str, now: datetime) -> None: ...

    async def request_actions(self, round_: Round, refs_by_owner: dict[str, list[str]], now: datetime) -> None:
        """Record that each action's owner is asked about it in the round; an action asked already is not
        asked again (nor moved to a new owner)."""
        ...

    async def requested(self, round_: Round) -> dict[str, list[str]]:
        """Owner's email → the refs they were asked about in the round, in plan order."""
        ...

    async def count_updates_since(self, round_: Round, since: datetime) -> None:
        """Count for the round the updates sent from Teams since ``since`` (the previous deadline's end)
        that no round claimed yet: between rounds, an update answers the round to come."""
        ...

    async def answered(self, round_: Round) -> set[str]:
        """The refs with an update in the round: sent on its card, or from Teams since it opened."""
        ...

    async def people(self) -> dict[str, PersonAvailability]: ...

    async def clear_unreachable(self, email: str, now: datetime) -> None:
        """Let the delivery worker try the person again (the chair's resend); nothing else is re-sent."""
        ...

    async def figures_submitted(self, month: str) -> set[str]: ...

    async def readings(self, month: str) -> dict[str, float]: ...

    async def enqueue(self, message: Message, now: datetime) -> bool:
        """Queue the message for its recipient once (by its idempotency key): False when it already was,
        or when the recipient cannot be found."""
        ...
