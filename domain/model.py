"""The plan's vocabulary: themes, quality statements, actions, people and metrics.

Plain frozen dataclasses so the rest of the code can pass them around freely; storage maps them to
rows and dialogs render them to cards.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Rag(StrEnum):
    """The RAG rating an owner gives each month."""

    GREEN = "green"  # on track
    AMBER = "amber"  # at risk
    RED = "red"  # off track
    COMPLETE = "complete"

    @property
    def label(self) -> str:
        return {
            Rag.GREEN: "Green — on track",
            Rag.AMBER: "Amber — at risk",
            Rag.RED: "Red — off track",
            Rag.COMPLETE: "Complete",
        }[self]


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    WITHDRAWN = "withdrawn"  # taken out of the plan on purpose: kept in history, never asked about again

    @property
    def asked_about(self) -> bool:
        """Whether the monthly round asks the owner for progress on an action in this state."""
        return self not in (ActionStatus.COMPLETE, ActionStatus.WITHDRAWN)

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Role(StrEnum):
    CHAIR = "chair"
    ADMIN = "admin"
    OWNER = "owner"
    METRIC_OWNER = "metric_owner"


class Direction(StrEnum):
    """Which way a metric should move: ``down`` means lower is better (a waiting list)."""

    DOWN = "down"
    UP = "up"


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    roles: frozenset[Role] = frozenset()
    upn: str | None = None
    aad_object_id: str | None = None


@dataclass(frozen=True)
class QualityStatement:
    id: str
    name: str
    score: int  # CQC's 1 (significant shortfalls) to 4 (exceptional)
    lead: str | None = None  # the lead's email: who self-assesses the statement


@dataclass(frozen=True)
class Theme:
    id: str
    name: str
    quality_statements: tuple[QualityStatement, ...] = ()


@dataclass(frozen=True)
class ProgressEntry:
    """A progress report on an action, as given in the plan file (history before the bot)."""

    date: date
    narrative: str
    rag: Rag | None = None


@dataclass(frozen=True)
class Action:
    ref: str
    theme: str
    requirement: str
    owner: str  # the owner's email
    quality_statement: str | None = None
    delegates: tuple[str, ...] = ()
    due: date | None = None
    status: ActionStatus = ActionStatus.NOT_STARTED
    rag: Rag | None = None
    progress: tuple[ProgressEntry, ...] = ()
    stretch: bool = False  # beyond the improvement requirements, toward Outstanding


@dataclass(frozen=True)
class DatedValue:
    value: float
    date: date


@dataclass(frozen=True)
class Metric:
    id: str
    name: str
    unit: str
    direction: Direction
    owner: str  # the metric owner's email
    baseline: DatedValue
    target: DatedValue


@dataclass(frozen=True)
class ScheduleSettings:
    """When the bot does what; every field has the working group's default."""

    progress_deadline_working_day: int = 10
    cycle_open_working_day: int = 1
    cycle_open_time: str = "09:00"  # when the day's messages go out
    send_window_end: str = "18:00"  # after this, what falls due waits for the next working morning
    nudge_working_days_before_deadline: int = 3
    overdue_reminder_every_working_days: int = 2
    overdue_reminders_max: int = 3
    figures_request_working_day: int = 3
    figures_deadline_working_day: int = 10
    target_review_days_before: tuple[int, ...] = (30, 7)
    digest_working_days_after_deadline: int = 2
    figures_change_confirm_share: float = 0.5
    self_assessment_months: tuple[int, ...] = (3, 6, 9, 12)  # the quarter's last month: leads self-assess
    self_assessment_working_day: int = 5


@dataclass(frozen=True)
class Plan:
    organisation: str
    timezone: str
    people: tuple[Person, ...]
    themes: tuple[Theme, ...]
    actions: tuple[Action, ...]
    metrics: tuple[Metric, ...] = ()
    schedule: ScheduleSettings = field(default_factory=ScheduleSettings)
    group_channel: str | None = None  # the Teams channel id of the working group, once known
