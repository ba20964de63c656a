"""The aiohttp application: /api/messages for Teams, /healthz for the platform."""

from __future__ import annotations

import contextlib
import logging

from aiohttp import web
from aiohttp.typedefs import Handler

from bot.runtime import Runtime
from bot.web.dashboard.entra import EntraConfig
from bot.web.dashboard.routes import add_dashboard
from bot.web.errors import unexpected_errors
from bot.web.guard import activity_body, guard_activities
from bot.web.health import add_health_routes
from bot.web.lifecycle import install_delivery, install_scheduler
from bot.web.metrics import METRICS, Metrics, add_metrics_route
from bot.web.report_routes import add_report_routes

log = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)
MAX_BODY_BYTES = 1024 * 1024  # Teams activities are far smaller; refuse anything absurd early


def create_app(runtime: Runtime, *, tab_entra: EntraConfig | None = None) -> web.Application:
    """``tab_entra`` replaces the tenant's sign-in keys for the dashboard tab (tests serve their own)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[unexpected_errors])
    app[RUNTIME] = runtime
    metrics = Metrics()
    app.router.add_post("/api/messages", messages)
    runtime.edge.install(app)
    app.middlewares.append(count_activities)  # outside the gate, so its refusals are counted too
    guard_activities(app, "/api/messages")
    add_health_routes(app, runtime)
    app.router.add_get("/privacy", policy_page)
    app.router.add_get("/terms", policy_page)
    add_report_routes(app, runtime)
    add_metrics_route(app, metrics, runtime)
    add_dashboard(app, runtime, tab_entra)  # the Teams tab: /tab/...
    install_scheduler(app, runtime, metrics)
    install_delivery(app, runtime, metrics)  # before _close: the worker stops before the engine goes
    app.on_cleanup.append(_close)
    return app


async def _close(app: web.Application) -> None:
    await app[RUNTIME].close()


ACTIVITY_TYPE = web.RequestKey("activity_type", str)  # the request's activity type, once read, for the counters


@web.middleware
async def count_activities(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Count each activity at /api/messages and its answer for /metrics, refused or not."""
    if request.method != "POST" or request.path != "/api/messages":
        return await handler(request)
    metrics = request.app[METRICS]
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        metrics.activity(request.get(ACTIVITY_TYPE), exc.status)
        raise
    except Exception:
        metrics.activity(request.get(ACTIVITY_TYPE), 500)
        raise
    metrics.activity(request.get(ACTIVITY_TYPE), response.status)
    return response


async def messages(request: web.Request) -> web.StreamResponse:
    """Hand the activity the gate checked (bot/web/guard.py) to the Teams edge."""
    body = activity_body(request)
    kind = body.get("type")
    if isinstance(kind, str):
        request[ACTIVITY_TYPE] = kind
    # The Teams edge (botbuilder or the Agents SDK, from BOT_SDK) authenticates and answers it.
    with request.app[METRICS].invoke_timer() if kind == "invoke" else contextlib.nullcontext():
        return await request.app[RUNTIME].edge.receive(request, body)


POLICY = {
    "/privacy": (
        "Privacy",
        "CQC Improvement Bot stores, in the council's own database, the names, work email addresses and "
        "Microsoft Entra ids of the people named in the improvement plan, the Teams conversations it "
        "uses to reach them, and the progress updates and figures they submit. Progress narratives are "
        "about services, not about the people who use them: the bot asks people to remove anything that "
        "looks like a service user's personal data. Ask the plan's administrator to see or correct your data.",
    ),
    "/terms": (
        "Terms of use",
        "CQC Improvement Bot is an internal tool of the council's Adults Directorate for running its CQC "
        "Improvement Action Plan. Use it for that purpose only, and keep service users' personal data out "
        "of progress updates.",
    ),
}


async def policy_page(request: web.Request) -> web.Response:
    """The privacy and terms pages the Teams manifest links to."""
    title, body = POLICY[request.path]
    html = (
        f"<!doctype html><html lang=en><meta charset=utf-8><title>CQC Improvement Bot — {title}</title>"
        f"<body style='font-family:sans-serif;max-width:40em;margin:2em auto'><h1>{title}</h1><p>{body}</p>"
    )
    return web.Response(text=html, content_type="text/html")
