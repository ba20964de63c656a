"""The monthly progress round: opening it, and the chair's resend of its prompts."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from domain.calendar import WorkingCalendar
from domain.model import Plan
from domain.outbox import MessageKind
from domain.planner.context import PROGRESS, PlannerContext
from domain.planning import Audience, Message, Prompt, RunReport
from domain.schedule import add_months, month_timetable


async def open_round(context: PlannerContext, now: datetime, *, month: str | None, force: bool) -> RunReport:
    """Open the month's round, ask about every open action, and prompt each owner not away."""
    report = RunReport()
    if not force and await context.quiet(report, now):
        return report
    plan, table = await context.timetable(now, month)
    if not force and now < table.round_opens:
        return report
    round_, _ = await context.store.open_round(PROGRESS, table.month, table.deadline, now)
    if round_.closed:
        report.skipped.append(f"the {table.month} round is closed")
        return report
    await context.store.close_rounds_before(PROGRESS, table.month, now)
    # An update sent after last month's deadline, before this round opened, answers this round.
    await context.store.count_updates_since(round_, _previous_deadline_end(plan, table.month, context.calendar))
    refs_by_owner: dict[str, list[str]] = defaultdict(list)
    for action in plan.actions:
        if action.status.asked_about:
            refs_by_owner[action.owner].append(action.ref)
    await context.store.request_actions(round_, refs_by_owner, now)
    # Prompts go to whoever was asked (also people back from leave since the round opened).
    await context.prompt_outstanding(report, round_, now)
    return report


def _previous_deadline_end(plan: Plan, month: str, calendar: WorkingCalendar) -> datetime:
    """The end of the local day of the previous month's deadline (by the timetable, whether or not
    that round was opened)."""
    year, number = add_months(int(month[:4]), int(month[5:]), -1)
    deadline = month_timetable(year, number, plan.schedule, calendar).deadline
    return calendar.local_datetime(date.fromordinal(deadline.toordinal() + 1), "00:00")


async def resend_prompts(context: PlannerContext, now: datetime, email: str) -> RunReport:
    """The chair's resend, on purpose: the open round's prompts for the person's unanswered actions,
    once per round and person (keys of their own, apart from the first prompts)."""
    report = RunReport()
    _, table = await context.timetable(now)
    round_ = await context.store.find_round(PROGRESS, table.month)
    if round_ is None or round_.closed:
        report.skipped.append(f"no open progress round for {table.month}")
        return report
    people = await context.store.people()
    email = next((known for known in people if known.lower() == email.lower()), email)
    if email not in people:
        report.skipped.append(f"{email} is not in the plan")
        return report
    missing = (await context.outstanding(round_)).get(email, ())
    if not missing:
        report.skipped.append(f"{email} has nothing unanswered in the {table.month} round")
        return report
    # The chair believes they can be reached now: Teams is asked again (and says if not).
    await context.store.clear_unreachable(email, now)
    for ref in missing:
        prompt = Prompt(round_.id, ref)
        await context.enqueue(
            report,
            Message(MessageKind.PROMPT, f"progress-{round_.month}-resend", ref, Audience.PERSON, prompt, email=email),
            now,
        )
    return report
