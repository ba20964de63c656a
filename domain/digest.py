"""The monthly digest: what the chair and the working group need to know about one month.

Pure composition from plain inputs (the storage layer gathers them, the card and the report render
the result), so every rule here is testable without a database: who answered, how each theme's
RAG ratings moved since last month, what was completed, which red and amber actions need the
group's help, who is overdue, away or unreachable, and where each waiting list stands.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime

from domain.calendar import WorkingCalendar
from domain.digest_model import (
    ActionState,
    Completion,
    Concern,
    Digest,
    DigestInput,
    MetricRow,
    PersonNote,
    PersonState,
    ResponseRate,
    ThemeSummary,
)
from domain.model import Direction, Metric, Rag, Role, ScheduleSettings
from domain.months import month_of, previous_month
from domain.trajectory import MetricJudgement, judge

# Worst first: the order the digest lists concerns in, and the scale a "move" is measured on.
RAG_RANK = {Rag.RED: 0, Rag.AMBER: 1, Rag.GREEN: 2, Rag.COMPLETE: 3}
RAG_ORDER = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE)


# --- composition -------------------------------------------------------------------------------


def compose_digest(data: DigestInput) -> Digest:
    theme_names = {t.id: t.name for t in data.themes}
    by_theme: dict[str, list[ActionState]] = defaultdict(list)
    for action in data.actions:
        by_theme[action.theme_id].append(action)
    ordered = [t.id for t in data.themes] + sorted(set(by_theme) - set(theme_names))
    themes = tuple(_theme_summary(tid, theme_names.get(tid, tid), by_theme[tid]) for tid in ordered if by_theme[tid])
    overdue, away, unreachable = _people_notes(data)
    return Digest(
        organisation=data.organisation,
        month=data.month,
        previous_month=previous_month(data.month),
        as_of=data.as_of,
        deadline=data.round.deadline if data.round else None,
        response=_response(data.actions) if data.round else None,
        totals=_counts(a.rag for a in data.actions),
        themes=themes,
        completions=tuple(Completion(a.ref, a.requirement, a.owner_name) for a in data.actions if _completed_now(a)),
        concerns=_concerns(data.actions, theme_names),
        overdue=overdue,
        away=away,
        unreachable=unreachable,
        metrics=tuple(metric_row(s.metric, judge(s.metric, s.readings, data.as_of)) for s in data.metrics),
        withdrawn=data.withdrawn,
    )


def metric_row(metric: Metric, judged: MetricJudgement) -> MetricRow:
    return MetricRow(
        metric_id=metric.id,
        name=metric.name,
        unit=metric.unit,
        lower_is_better=metric.direction is Direction.DOWN,
        status=judged.status,
        latest=judged.latest_value,
        latest_period=judged.latest_period,
        change=judged.change,
        baseline=metric.baseline.value,
        baseline_date=metric.baseline.date,
        target=metric.target.value,
        target_date=metric.target.date,
        trajectory=judged.trajectory_value,
        projected=judged.projected_target_date,
    )


def move(before: Rag | None, after: Rag | None) -> int:
    """+1 better, -1 worse, 0 the same or not comparable (a first rating is not a move)."""
    if before is None or after is None:
        return 0
    return (RAG_RANK[after] > RAG_RANK[before]) - (RAG_RANK[after] < RAG_RANK[before])


def _completed_now(action: ActionState) -> bool:
    return action.rag is Rag.COMPLETE and action.previous_rag is not Rag.COMPLETE


def _counts(rags: Iterable[Rag | None]) -> tuple[tuple[Rag | None, int], ...]:
    counter = Counter(rags)
    return tuple((rag, counter[rag]) for rag in (*RAG_ORDER, None) if counter[rag])


def _theme_summary(theme_id: str, name: str, actions: Sequence[ActionState]) -> ThemeSummary:
    moves = [move(a.previous_rag, a.rag) for a in actions]
    return ThemeSummary(
        theme_id=theme_id,
        name=name,
        counts=_counts(a.rag for a in actions),
        improved=moves.count(1),
        slipped=moves.count(-1),
        completed=sum(_completed_now(a) for a in actions),
    )


def _response(actions: Sequence[ActionState]) -> ResponseRate:
    asked = [a for a in actions if a.asked]
    owners: dict[str, bool] = {}
    for action in asked:
        owners[action.owner_email] = owners.get(action.owner_email, True) and action.answered
    return ResponseRate(
        actions_answered=sum(a.answered for a in asked),
        actions_asked=len(asked),
        people_answered=sum(owners.values()),
        people_asked=len(owners),
    )


def _concerns(actions: Sequence[ActionState], theme_names: dict[str, str]) -> tuple[Concern, ...]:
    concerns = [
        Concern(
            ref=a.ref,
            theme_name=theme_names.get(a.theme_id, a.theme_id),
            requirement=a.requirement,
            owner_name=a.owner_name,
            rag=a.rag,
            previous_rag=a.previous_rag,
            blockers=a.blockers.strip(),
            revised_due=a.revised_due,
            due=a.due,
        )
        for a in actions
        if a.rag is Rag.RED or a.rag is Rag.AMBER
    ]
    # Red before amber; within each, the ones that slipped this month first, then plan order.
    concerns.sort(key=lambda c: (RAG_RANK[c.rag], move(c.previous_rag, c.rag) >= 0))
    return tuple(concerns)


def _people_notes(
    data: DigestInput,
) -> tuple[tuple[PersonNote, ...], tuple[PersonNote, ...], tuple[PersonNote, ...]]:
    """Owners with unanswered actions: the away and the unreachable apart from the rest.

    Unreachable wins over away: a message cannot reach them even when they are back.
    """
    people = {p.email: p for p in data.people}
    waiting: dict[str, list[str]] = defaultdict(list)
    asked_owners: dict[str, str] = {}
    for action in data.actions:
        if action.asked:
            asked_owners.setdefault(action.owner_email, action.owner_name)
            if not action.answered:
                waiting[action.owner_email].append(action.ref)
    overdue, away, unreachable = [], [], []
    for email, name in asked_owners.items():
        person = people.get(email, PersonState(email, name))
        refs = tuple(waiting.get(email, ()))
        if person.unreachable_since is not None:
            unreachable.append(
                PersonNote(
                    person.name,
                    email,
                    refs,
                    since=person.unreachable_since,
                    reason=person.unreachable_reason,
                )
            )
        elif not refs:
            continue
        elif person.away_until is not None and person.away_until >= data.as_of:
            away.append(PersonNote(person.name, email, refs, until=person.away_until))
        else:
            overdue.append(PersonNote(person.name, email, refs))
    key = lambda note: (-len(note.refs), note.name)  # noqa: E731 — most outstanding first
    return (
        tuple(sorted(overdue, key=key)),
        tuple(sorted(away, key=key)),
        tuple(sorted(unreachable, key=key)),
    )


# --- schedule and access ------------------------------------------------------------------------


def digest_due(deadline: date, calendar: WorkingCalendar, schedule: ScheduleSettings, at: str = "09:00") -> datetime:
    """When the digest goes out: N working days after the progress deadline, at ``at`` local."""
    day = calendar.add_working_days(deadline, schedule.digest_working_days_after_deadline)
    return calendar.local_datetime(day, at)


def not_begun(month: str, today: date) -> bool:
    """A month still to come: its digest is previewed, never posted. A digest is posted once per month
    (its idempotency key), so one posted early would stop that month's own digest from going out."""
    return month_of(today) < month


def may_see_digest(roles: Iterable[Role]) -> bool:
    """The chair and plan admins preview and post the digest; owners see it in the channel."""
    return bool({Role.CHAIR, Role.ADMIN} & set(roles))
