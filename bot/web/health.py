"""`/healthz` (liveness) and `/readyz` (readiness) for the platform that runs the bot.

Liveness is answered from the process alone, so a database outage never gets a healthy instance
restarted: 503 only when a background part it started (the delivery worker, the scheduler) has
stopped, which a restart mends. Readiness reads the database as a request would (storage/serving_health.py):
503 with the reason while it is missing, corrupt, unreachable or behind the code's schema, so a
load balancer sends no traffic there.
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiohttp import web

from bot.runtime import Runtime
from bot.web.lifecycle import stopped_parts
from storage.serving_health import readiness_problem

log = logging.getLogger(__name__)

READINESS_TIMEOUT_SECONDS = 5.0
_HEALTH = web.AppKey("health", Runtime)
_STARTED = web.AppKey("started", float)


def add_health_routes(app: web.Application, runtime: Runtime) -> None:
    app[_HEALTH] = runtime
    app[_STARTED] = time.monotonic()
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)


async def healthz(request: web.Request) -> web.Response:
    stopped = stopped_parts(request.app)
    uptime = round(time.monotonic() - request.app[_STARTED])
    if stopped:
        reason = f"stopped: {', '.join(stopped)}"
        log.warning("liveness check failed: %s", reason)
        return web.json_response({"status": "unavailable", "reason": reason, "uptime_seconds": uptime}, status=503)
    return web.json_response({"status": "ok", "uptime_seconds": uptime})


async def readyz(request: web.Request) -> web.Response:
    runtime = request.app[_HEALTH]
    try:
        async with asyncio.timeout(READINESS_TIMEOUT_SECONDS):
            problem = await readiness_problem(runtime.engine, runtime.settings.database_url)
    except TimeoutError:
        problem = f"the database did not answer within {READINESS_TIMEOUT_SECONDS:g} s"
    if problem is not None:
        log.warning("readiness check failed: %s", problem)
        return web.json_response({"status": "unavailable", "database": problem}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})
