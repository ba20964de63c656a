"""The digest's data: the plain inputs the storage layer gathers for a month, and what the
composition (domain/digest.py) makes of them for the card, the preview and the report."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.model import Metric, Rag, Theme
from domain.trajectory import MetricStatus, Reading

# --- inputs ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WithdrawnAction:
    """An action withdrawn from the plan (status ``withdrawn``): listed apart, not counted or asked about."""

    ref: str
    requirement: str
    owner_name: str
    # Where the dashboard's plan table lists it among the others.
    theme_id: str = ""
    owner_email: str = ""
    due: date | None = None
    stretch: bool = False


@dataclass(frozen=True)
class ActionState:
    """One action as it stood at the digest's moment and at the end of last month."""

    ref: str
    theme_id: str
    requirement: str
    owner_email: str
    owner_name: str
    rag: Rag | None  # from the latest update up to the digest's moment
    previous_rag: Rag | None  # from the latest update before this month began
    progress: str = ""  # the latest narrative
    progress_date: date | None = None
    blockers: str = ""  # blockers or support asked of the group, in this month's update
    revised_due: date | None = None
    due: date | None = None
    asked: bool = False  # asked for an update in this month's round
    answered: bool = False  # updated during this month's round
    stretch: bool = False  # beyond what CQC asked: towards the next rating


@dataclass(frozen=True)
class PersonState:
    email: str
    name: str
    away_until: date | None = None
    unreachable_since: date | None = None
    unreachable_reason: str | None = None


@dataclass(frozen=True)
class RoundInfo:
    month: str
    deadline: date
    closed: bool = False


@dataclass(frozen=True)
class MetricSeries:
    metric: Metric
    readings: tuple[Reading, ...]  # (period end, value), oldest first


@dataclass(frozen=True)
class DigestInput:
    organisation: str
    month: str  # YYYY-MM
    as_of: date  # local date of the moment the digest describes
    round: RoundInfo | None
    themes: tuple[Theme, ...]
    actions: tuple[ActionState, ...]
    people: tuple[PersonState, ...]
    metrics: tuple[MetricSeries, ...] = ()
    withdrawn: tuple[WithdrawnAction, ...] = ()


# --- outputs -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResponseRate:
    actions_answered: int
    actions_asked: int
    people_answered: int  # owners who answered for every action they were asked about
    people_asked: int

    @property
    def share(self) -> float | None:
        return self.actions_answered / self.actions_asked if self.actions_asked else None


@dataclass(frozen=True)
class ThemeSummary:
    theme_id: str
    name: str
    counts: tuple[tuple[Rag | None, int], ...]  # RAG_ORDER then unrated, zero counts left out
    improved: int
    slipped: int
    completed: int  # completed this month

    @property
    def total(self) -> int:
        return sum(n for _, n in self.counts)


@dataclass(frozen=True)
class Completion:
    ref: str
    requirement: str
    owner_name: str


@dataclass(frozen=True)
class Concern:
    """A red or amber action, with what its owner asked of the group."""

    ref: str
    theme_name: str
    requirement: str
    owner_name: str
    rag: Rag
    previous_rag: Rag | None
    blockers: str
    revised_due: date | None
    due: date | None


@dataclass(frozen=True)
class PersonNote:
    """Someone the chair should know about, with the actions they have not updated."""

    name: str
    email: str
    refs: tuple[str, ...]
    until: date | None = None  # away: back after this date
    since: date | None = None  # unreachable since
    reason: str | None = None


@dataclass(frozen=True)
class MetricRow:
    metric_id: str
    name: str
    unit: str
    lower_is_better: bool
    status: MetricStatus
    latest: float | None
    latest_period: date | None
    change: float | None
    baseline: float
    baseline_date: date
    target: float
    target_date: date
    trajectory: float | None
    projected: date | None


@dataclass(frozen=True)
class Digest:
    organisation: str
    month: str
    previous_month: str
    as_of: date
    deadline: date | None
    response: ResponseRate | None  # None when no round was opened this month
    totals: tuple[tuple[Rag | None, int], ...]
    themes: tuple[ThemeSummary, ...]
    completions: tuple[Completion, ...]
    concerns: tuple[Concern, ...]
    overdue: tuple[PersonNote, ...]  # not answered and not away/unreachable (past the deadline: overdue)
    away: tuple[PersonNote, ...]
    unreachable: tuple[PersonNote, ...]
    metrics: tuple[MetricRow, ...]
    withdrawn: tuple[WithdrawnAction, ...] = ()

    @property
    def past_deadline(self) -> bool:
        return self.deadline is not None and self.as_of > self.deadline
