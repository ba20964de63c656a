"""The aiohttp application: /api/messages for Teams, /healthz for the platform."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.runtime import Runtime
from bot.teams.channel_auth import Forbidden, KeysUnavailable, Unauthenticated
from bot.teams.intake import invoke_json, read_activity
from bot.web.errors import unexpected_errors
from bot.web.guard import activity_body, guard_activities, refusal
from bot.web.health import add_health_routes
from bot.web.lifecycle import install_delivery, install_scheduler
from bot.web.report_routes import add_report_routes

log = logging.getLogger(__name__)

RUNTIME = web.AppKey("runtime", Runtime)
MAX_BODY_BYTES = 1024 * 1024  # Teams activities are far smaller; refuse anything absurd early


def create_app(runtime: Runtime) -> web.Application:
    app = web.Application(client_max_size=MAX_BODY_BYTES, middlewares=[unexpected_errors])
    app[RUNTIME] = runtime
    app.router.add_post("/api/messages", messages)
    guard_activities(app, "/api/messages")
    add_health_routes(app, runtime)
    app.router.add_get("/privacy", policy_page)
    app.router.add_get("/terms", policy_page)
    add_report_routes(app, runtime)
    install_scheduler(app, runtime)
    install_delivery(app, runtime)  # before _close: the worker stops before the engine goes
    app.on_cleanup.append(_close)
    return app


async def _close(app: web.Application) -> None:
    await app[RUNTIME].close()


async def messages(request: web.Request) -> web.StreamResponse:
    """Hand the activity the gate checked (bot/web/guard.py) to the Bot Framework adapter."""
    activity = read_activity(activity_body(request))
    if isinstance(activity, str):
        return refusal(activity)
    runtime = request.app[RUNTIME]
    try:
        # The adapter's own `process` would read and deserialise the body a second time.
        answer = await runtime.adapter.process_activity(
            request.headers.get("Authorization", ""), activity, runtime.bot.on_turn
        )
    except Unauthenticated as exc:
        log.info("refused a request: 401, %s", exc)
        return refusal("Unauthorized", status=401)
    except Forbidden as exc:
        log.info("refused a request: 403, %s", exc)
        return refusal("Forbidden", status=403)
    except KeysUnavailable as exc:
        log.warning("cannot check tokens: %s", exc)
        return web.json_response(
            {"error": {"code": "ServiceUnavailable", "message": "cannot check tokens now"}},
            status=503,
            headers={"Retry-After": "30"},
        )
    except PermissionError as exc:  # botbuilder's own check (local mode), as CloudAdapter.process answers
        log.info("refused a request: 401, %s", exc)
        return refusal("Unauthorized", status=401)
    except web.HTTPException as exc:
        if exc.status >= 500:
            raise
        return refusal(exc.reason or "the request was refused", status=exc.status)
    if answer is None:
        return web.Response(status=201)
    return web.json_response(invoke_json(answer), status=answer.status)


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
