"""The scheduler's text messages: reminders, escalations, target reviews, off-trajectory alerts.

Markdown as Teams renders it in a message: bold, lists and line breaks, no tables.
"""

from __future__ import annotations

from dialogs.formatting import long_date, month_label, number
from domain.planning import Escalation, FiguresRequest, OffTrajectoryAlert, Outstanding, Reminder, TargetReviewReminder


def reminder_text(reminder: Reminder) -> str:
    refs = ", ".join(f"**{ref}**" for ref in reminder.action_refs)
    month = month_label(reminder.month)
    if reminder.overdue_step == 0:
        head = f"A reminder: your {month} progress update is due by **{long_date(reminder.deadline)}**."
    else:
        head = (
            f"Your {month} progress update was due on {long_date(reminder.deadline)} and I haven't had it yet "
            f"(reminder {reminder.overdue_step})."
        )
    return (
        f"{head}\n\nStill to update: {refs}.\n\nUse the cards I sent earlier, or type **my actions** for fresh "
        "ones. If you're away, type **away until DATE** and I'll stop reminding you."
    )


def _people(entries: tuple[Outstanding, ...]) -> str:
    return "\n".join(f"- {e.name} ({e.email}): {', '.join(e.action_refs)}" for e in entries)


def escalation_text(escalation: Escalation) -> str:
    month, deadline = month_label(escalation.month), long_date(escalation.deadline)
    parts = [f"**{month} progress round: still outstanding after the last reminder** (deadline {deadline})"]
    if escalation.outstanding:
        parts.append(f"Not answered:\n{_people(escalation.outstanding)}")
    if escalation.away:
        parts.append(f"Away (not reminded):\n{_people(escalation.away)}")
    if escalation.unreachable:
        parts.append(
            f"I can't reach them in Teams (the app is blocked or not installed):\n{_people(escalation.unreachable)}"
        )
    return "\n\n".join(parts)


def figures_request_text(request: FiguresRequest) -> str:
    month = month_label(request.month)
    if request.overdue_step:
        return (
            f"The {month} waiting-list and DoLS figures were due on {long_date(request.deadline)} and some are still "
            f"missing (reminder {request.overdue_step}). Type **figures** for the card."
        )
    return (
        f"Please send the {month} waiting-list and DoLS figures by **{long_date(request.deadline)}**. "
        "Type **figures** for the card."
    )


def target_review_text(review: TargetReviewReminder) -> str:
    return (
        f"**Target review in {review.days_before} days:** {review.metric_name} — target "
        f"{number(review.target_value)} by {long_date(review.target_date)}. Please bring the latest position "
        "to the working group."
    )


def off_trajectory_text(alert: OffTrajectoryAlert) -> str:
    why = (
        f"worse than the baseline of {number(alert.baseline)}"
        if alert.worse_than_baseline
        else f"behind the planned trajectory of {number(alert.trajectory)}"
    )
    return (
        f"**Off trajectory:** {alert.metric_name} was {number(alert.value)} {alert.unit} in "
        f"{month_label(alert.period)}, {why}."
    )
