"""Chasing the progress round: the nudge before the deadline, the overdue reminders, the escalation."""

from __future__ import annotations

from datetime import datetime

from domain.outbox import MessageKind
from domain.planner.context import PROGRESS, PlannerContext
from domain.planning import Audience, Escalation, Message, Outstanding, PersonAvailability, Reminder, RunReport
from domain.schedule import MonthTimetable, latest_step_due


async def remind(context: PlannerContext, now: datetime) -> RunReport:
    """The nudge before the deadline, then the overdue reminders, then the escalation."""
    report = RunReport()
    if await context.quiet(report, now):
        return report
    today = context.calendar.local_date(now)
    for table in await context.recent_tables(now):
        round_ = await context.store.find_round(PROGRESS, table.month)
        if round_ is None or round_.closed:
            continue
        await context.prompt_outstanding(report, round_, now)  # people back from leave
        step = latest_step_due(table.overdue_at, now)
        nudge_due = table.nudge_at is not None and table.nudge_at <= now and today <= table.deadline
        if step is None and not nudge_due:
            continue
        outstanding = await context.outstanding(round_)
        people = await context.store.people()
        for email, refs in outstanding.items():
            person = people.get(email)
            if person is None or person.away_on(today):
                continue
            name = f"overdue-{step}" if step else "nudge"
            await context.enqueue(
                report,
                Message(
                    MessageKind.REMINDER,
                    f"progress-{table.month}",
                    name,
                    Audience.PERSON,
                    Reminder(table.month, table.deadline, refs, step or 0),
                    email=email,
                ),
                now,
            )
        if table.escalation_at is not None and table.escalation_at <= now:
            await _escalate(context, report, table, outstanding, people, now)
    return report


async def _escalate(
    context: PlannerContext,
    report: RunReport,
    table: MonthTimetable,
    outstanding: dict[str, tuple[str, ...]],
    people: dict[str, PersonAvailability],
    now: datetime,
) -> None:
    if not outstanding:
        return
    today = context.calendar.local_date(now)
    groups: dict[str, list[Outstanding]] = {"outstanding": [], "away": [], "unreachable": []}
    for email, refs in sorted(outstanding.items()):
        person = people.get(email)
        entry = Outstanding(person.name if person else email, email, refs)
        group = (
            "away"
            if person and person.away_on(today)
            else "unreachable"
            if person and person.unreachable
            else "outstanding"
        )
        groups[group].append(entry)
    escalation = Escalation(
        table.month,
        table.deadline,
        tuple(groups["outstanding"]),
        tuple(groups["away"]),
        tuple(groups["unreachable"]),
    )
    for chair in await context.chairs():
        await context.enqueue(
            report,
            Message(
                MessageKind.ESCALATION,
                f"progress-{table.month}",
                "after-reminders",
                Audience.PERSON,
                escalation,
                email=chair,
            ),
            now,
        )
