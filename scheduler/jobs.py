"""The scheduler's jobs: each a thin call into the domain planner."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime

from domain.planner import Planner
from domain.planning import RunReport

JobCall = Callable[[Planner, datetime], Awaitable[RunReport]]


@dataclass(frozen=True)
class JobSpec:
    id: str
    description: str
    call: JobCall


JOBS: tuple[JobSpec, ...] = (
    JobSpec("open-cycle", "open the monthly progress round and prompt owners", lambda p, now: p.open_round(now)),
    JobSpec(
        "remind", "nudge before the deadline, overdue reminders, escalation to the chair", lambda p, now: p.remind(now)
    ),
    JobSpec(
        "figures",
        "ask metric owners for last month's figures, chase missing ones",
        lambda p, now: p.request_figures(now),
    ),
    JobSpec(
        "target-review", "remind the chair and metric owners before target dates", lambda p, now: p.review_targets(now)
    ),
    JobSpec(
        "off-trajectory",
        "alert the group and the chair to figures off trajectory",
        lambda p, now: p.alert_off_trajectory(now),
    ),
    JobSpec("digest", "post the monthly digest to the group channel and the chair", lambda p, now: p.post_digest(now)),
    JobSpec(
        "self-assessment",
        "ask each quality statement's lead for the quarter's self-assessment",
        lambda p, now: p.request_self_assessments(now),
    ),
)
