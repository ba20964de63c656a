"""When the month's digest is due: to the channel and each chair on its day, if that month's round was
opened. What it says is built when the message is rendered (domain.planning.DigestDue)."""

from __future__ import annotations

from datetime import datetime

from domain.outbox import MessageKind
from domain.planner.context import PROGRESS, PlannerContext
from domain.planning import Audience, DigestDue, Message, RunReport


async def post_digest(context: PlannerContext, now: datetime) -> RunReport:
    report = RunReport()
    if await context.quiet(report, now):
        return report
    for table in await context.recent_tables(now):
        if table.digest_at <= now and await context.store.find_round(PROGRESS, table.month):
            digest = DigestDue(table.month)
            await context.enqueue(
                report,
                Message(MessageKind.DIGEST, f"digest-{table.month}", "channel", Audience.CHANNEL, digest),
                now,
            )
            for chair in await context.chairs():
                await context.enqueue(
                    report,
                    Message(MessageKind.DIGEST, f"digest-{table.month}", "chair", Audience.PERSON, digest, email=chair),
                    now,
                )
    return report
