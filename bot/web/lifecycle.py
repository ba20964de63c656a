"""Starting and stopping the scheduler and the delivery worker with the web server (aiohttp hooks).

Both stop in `on_shutdown`, which aiohttp runs as soon as the server stops listening (SIGTERM):
the worker stops claiming at once and finishes its sends while HTTP requests drain; the engine
closes only in `on_cleanup`, after both.
"""

from __future__ import annotations

import asyncio
import gc
import logging

from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.delivery.loop import run_worker
from bot.runtime import Runtime
from bot.web.metrics import Metrics
from scheduler.setup import build_scheduler
from storage.plan_queries import load_plan

log = logging.getLogger(__name__)

SCHEDULER = web.AppKey("scheduler", AsyncIOScheduler)
DELIVERY_TASKS = web.AppKey("delivery_tasks", list[asyncio.Task[None]])
_STOPPING = web.AppKey("stopping", asyncio.Event)


def stopped_parts(app: web.Application) -> list[str]:
    """The background parts this app started that are no longer running (before shutdown)."""
    stopping = app.get(_STOPPING)
    if stopping is not None and stopping.is_set():
        return []
    stopped = []
    scheduler = app.get(SCHEDULER)
    if scheduler is not None and not scheduler.running:
        stopped.append("the scheduler")
    if any(task.done() for task in app.get(DELIVERY_TASKS, [])):
        stopped.append("the delivery worker")
    return stopped


def freeze_after_startup(app: web.Application) -> None:
    """Once the app has started, move what start-up made (modules, the ORM's mappers, templates) out of
    the garbage collector's sight: otherwise each full collection walks them all again, and a page that
    reads a 2,000-action plan took twice its usual time whenever one ran (bench/dashboard.py). Called
    by `serve` only, after create_app, so that it runs after every other start-up hook; not in tests,
    where many apps come and go in one process and frozen objects would never be freed."""

    async def freeze(_app: web.Application) -> None:
        gc.collect()
        gc.freeze()

    app.on_startup.append(freeze)


def install_scheduler(app: web.Application, runtime: Runtime, metrics: Metrics) -> None:
    if not runtime.settings.scheduler_enabled:
        log.info("SCHEDULER_ENABLED=false: serving without the scheduler")
        return

    async def start(app: web.Application) -> None:
        # AsyncIOScheduler binds to the running loop, so it is built and started here, not before.
        async with runtime.sessions() as session:
            plan = await load_plan(session)
        at = plan.schedule.cycle_open_time if plan else "09:00"
        timezone = plan.timezone if plan else runtime.settings.timezone
        scheduler = build_scheduler(
            runtime.planning.run, timezone=timezone, at=at, clock=runtime.clock, on_job=metrics.job_ran
        )
        scheduler.start()
        app[SCHEDULER] = scheduler
        log.info("scheduler started: jobs at %s %s on working days", at, timezone)

    async def stop(app: web.Application) -> None:
        scheduler = app.get(SCHEDULER)
        if scheduler is not None and scheduler.running:
            scheduler.shutdown(wait=False)
            log.info("scheduler stopped")

    app.on_startup.append(start)
    app.on_shutdown.append(stop)


def install_delivery(app: web.Application, runtime: Runtime, metrics: Metrics) -> None:
    """Run the worker beside the web server (when DELIVERY_ENABLED), stopping before the engine."""
    if not runtime.settings.delivery_enabled:
        return
    stop = asyncio.Event()
    running: list[asyncio.Task[None]] = []
    app[DELIVERY_TASKS] = running
    app[_STOPPING] = stop

    async def start(_app: web.Application) -> None:
        worker = runtime.delivery_worker(events=metrics)
        running.append(asyncio.create_task(run_worker(worker, stop), name="delivery"))
        log.info("delivery worker %s started", worker.name)

    async def finish(_app: web.Application) -> None:
        if not running:
            return
        stop.set()
        for task in running:
            try:
                await task
            except (Exception, asyncio.CancelledError):  # stopping must not stop the shutdown
                log.exception("the delivery worker did not stop cleanly")
        running.clear()
        log.info("delivery worker stopped")

    app.on_startup.append(start)
    # Both hooks: on_shutdown is the SIGTERM path; on_cleanup covers a runner cleaned up without
    # a shutdown (a test's server), and does nothing once the worker has stopped.
    app.on_shutdown.append(finish)
    app.on_cleanup.append(finish)
