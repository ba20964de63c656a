"""Starting and stopping the scheduler with the web server (aiohttp startup and cleanup hooks)."""

from __future__ import annotations

import logging

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime import Runtime
from scheduler.setup import build_scheduler
from storage.plan_queries import load_plan

log = logging.getLogger(__name__)

SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)


def install_scheduler(app: web.Application, runtime: Runtime) -> None:
    if not runtime.settings.scheduler_enabled:
        log.info("SCHEDULER_ENABLED=false: serving without the scheduler")
        return

    async def start(app: web.Application) -> None:
        # AsyncIOScheduler binds to the running loop, so it is built and started here, not before.
        async with runtime.sessions() as session:
            plan = await load_plan(session)
        at = plan.schedule.cycle_open_time if plan else "09:00"
        timezone = plan.timezone if plan else runtime.settings.timezone
        scheduler = build_scheduler(runtime.planning.run, timezone=timezone, at=at, clock=runtime.clock)
        scheduler.start()
        app[SCHEDULER] = scheduler
        log.info("scheduler started: jobs at %s %s on working days", at, timezone)

    async def stop(app: web.Application) -> None:
        scheduler = app.get(SCHEDULER)
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)

    app.on_startup.append(start)
    app.on_cleanup.append(stop)
