"""The aiohttp application: /api/messages for Teams, /healthz for the platform."""

from __future__ import annotations

import contextlib
import json
import logging

from aiohttp import web

from bot.runtime import Runtime
from bot.teams.intake import invoke_json, read_activity
from bot.web.dashboard.entra import EntraConfig
from bot.web.dashboard.routes import add_dashboard
from bot.web.lifecycle import install_delivery, install_scheduler
from bot.web.metrics import METRICS, Metrics, add_metrics_route
from bot.web.report_routes import add_report_routes
from storage.engine import database_problem

log = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)
MAX_BODY_BYTES = 1024 * 1024  # Teams activities are far smaller; refuse anything absurd early


def create_app(
    runtime: Runtime, metrics: Metrics | None = None, *, tab_entra: EntraConfig | None = None
) -> web.Application:
    """``tab_entra`` replaces the tenant's sign-in keys for the dashboard tab (tests serve their own)."""
    app = web.Application(client_max_size=MAX_BODY_BYTES)
    app[RUNTIME] = runtime
    metrics = metrics or Metrics()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
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


def _bad_request(reason: str, status: int = 400) -> web.Response:
    return web.json_response({"error": {"code": "BadRequest", "message": reason}}, status=status)


async def messages(request: web.Request) -> web.StreamResponse:
    """Check the request is a well-formed activity, then hand it to the Bot Framework adapter."""
    metrics = request.app[METRICS]
    try:
        response = await _handle_activity(request, metrics)
    except web.HTTPException as exc:
        metrics.activity(request.get(ACTIVITY_TYPE), exc.status)
        raise
    except Exception:
        metrics.activity(request.get(ACTIVITY_TYPE), 500)
        raise
    metrics.activity(request.get(ACTIVITY_TYPE), response.status)
    return response


ACTIVITY_TYPE = web.RequestKey("activity_type", str)  # the request's activity type, once read, for the counters


async def _handle_activity(request: web.Request, metrics: Metrics) -> web.StreamResponse:
    if "application/json" not in request.headers.get("Content-Type", ""):
        return _bad_request("Content-Type must be application/json", status=415)
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return _bad_request("the body is not valid JSON")
    except web.HTTPRequestEntityTooLarge:
        return _bad_request("the body is too large", status=413)
    activity = read_activity(body)
    if isinstance(activity, str):
        return _bad_request(activity)
    request[ACTIVITY_TYPE] = activity.type
    runtime = request.app[RUNTIME]
    try:
        # The adapter's own `process` would read and deserialise the body a second time.
        with metrics.invoke_timer() if activity.type == "invoke" else contextlib.nullcontext():
            answer = await runtime.adapter.process_activity(
                request.headers.get("Authorization", ""), activity, runtime.bot.on_turn
            )
    except PermissionError:  # authentication failed (CloudAdapter.process answers 401 too)
        return _bad_request("Unauthorized", status=401)
    except web.HTTPException as exc:
        if exc.status >= 500:
            raise
        return _bad_request(exc.reason or "the request was refused", status=exc.status)
    if answer is None:
        return web.Response(status=201)
    return web.json_response(invoke_json(answer), status=answer.status)


async def healthz(request: web.Request) -> web.Response:
    """200 only when the database answers: a load balancer then stops sending to a broken instance."""
    problem = await database_problem(request.app[RUNTIME].engine)
    if problem is not None:
        log.warning("health check failed: %s", problem)
        return web.json_response({"status": "unavailable", "database": "unreachable"}, status=503)
    return web.json_response({"status": "ok", "database": "ok"})


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
