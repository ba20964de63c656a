"""APScheduler 3.11: code-defined jobs in memory, run on working-day mornings in the plan's time zone.

Nothing is pickled and no job store is shared: every instance may schedule the same jobs, because
each job only works out from the database what is due and sends it through idempotency keys.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger

from domain.planning import RunReport
from scheduler.jobs import JOBS, JobCall, JobSpec

log = logging.getLogger(__name__)

Runner = Callable[[JobCall, datetime], Awaitable[RunReport]]
Clock = Callable[[], datetime]
# Told of every job run: its id, whether it succeeded, and when it was started (the metrics).
JobObserver = Callable[[str, bool, datetime], None]

# A run up to a day late (a restart, a long GC pause) still happens, once.
MISFIRE_GRACE_SECONDS = 24 * 3600


def build_scheduler(
    run: Runner, *, timezone: str, at: str, clock: Clock, on_job: JobObserver | None = None
) -> AsyncIOScheduler:
    """A scheduler (not started) with every job at ``at`` (HH:MM) local time, Monday to Friday.

    Bank holidays are handled by the planner's working-day timetable, not by the trigger.
    """
    zone = ZoneInfo(timezone)
    hour, minute = (int(part) for part in at.split(":"))
    scheduler = AsyncIOScheduler(
        timezone=zone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
    )
    for spec in JOBS:
        scheduler.add_job(
            _guarded(spec, run, clock, on_job),
            CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute, timezone=zone),
            id=spec.id,
            name=spec.description,
            replace_existing=True,
        )
    # After downtime, one catch-up pass as soon as the scheduler starts.
    scheduler.add_job(_catch_up(run, clock, on_job), id="catch-up", name="catch up once after start")
    return scheduler


def _guarded(spec: JobSpec, run: Runner, clock: Clock, on_job: JobObserver | None) -> Callable[[], Awaitable[None]]:
    async def job() -> None:
        # One entry point: a failing job is logged and the scheduler carries on.
        started = clock()
        try:
            report = await run(spec.call, started)
            if report.enqueued:
                log.info("%s queued %d message(s)", spec.id, len(report.enqueued))
        except Exception:
            log.exception("scheduled job %s failed", spec.id)
            ok = False
        else:
            ok = True
        if on_job is not None:
            on_job(spec.id, ok, started)

    job.__name__ = f"job_{spec.id.replace('-', '_')}"
    return job


def _catch_up(run: Runner, clock: Clock, on_job: JobObserver | None) -> Callable[[], Awaitable[None]]:
    async def catch_up() -> None:
        for spec in JOBS:
            await _guarded(spec, run, clock, on_job)()

    return catch_up
