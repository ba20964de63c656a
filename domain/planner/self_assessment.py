"""The quarterly self-assessment: each quality statement's lead asked about the statements they lead."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from domain.outbox import MessageKind
from domain.planner.context import PlannerContext
from domain.planning import Audience, Message, RunReport, SelfAssessmentRequest
from domain.schedule import month_key, self_assessment_at


async def request_self_assessments(context: PlannerContext, now: datetime) -> RunReport:
    """In the plan's self-assessment months, on the set working day, ask each quality statement's
    lead to self-assess the statements they lead (once a quarter: the key names the month)."""
    report = RunReport()
    if await context.quiet(report, now):
        return report
    plan = await context.store.plan()
    year, month = context.calendar.month_of(now)
    due = self_assessment_at(year, month, plan.schedule, context.calendar)
    if due is None or now < due:
        return report
    led: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for theme in plan.themes:
        for statement in theme.quality_statements:
            if statement.lead:
                led[statement.lead].append((statement.id, statement.name))
    people = await context.store.people()
    today = context.calendar.local_date(now)
    scope = f"self-assessment-{month_key(year, month)}"
    for email, statements in led.items():
        person = people.get(email)
        if person is None or person.away_on(today):
            report.skipped.append(f"self-assessment request to {email}: away")
            continue
        content = SelfAssessmentRequest(
            month_key(year, month), tuple(s for s, _ in statements), tuple(n for _, n in statements)
        )
        message = Message(MessageKind.NOTICE, scope, "request", Audience.PERSON, content, email=email)
        await context.enqueue(report, message, now)
    return report
