"""Mounting the tab on the bot's aiohttp app, and the sign-in routes around the pages.

GET  /tab/{plan,my,figures,readiness,round,downloads}, /tab/actions/{ref}, /tab/downloads/{month}.{fmt},
     /tab/downloads/plan.xlsx, /tab/downloads/evidence-pack[/{statement}].{xlsx,docx,csv}
POST /tab/session      Teams SSO: the bearer token from getAuthToken() → the session cookie
GET  /tab/configure    the team tab's configuration page
GET/POST /tab/sign-in  local mode only: the developer sign-in (choose a person of the plan)
POST /tab/sign-out
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web

from bot.runtime import Runtime
from bot.web.dashboard import pages
from bot.web.dashboard.access import (
    TAB,
    Refusal,
    TabContext,
    bearer_token,
    from_bearer,
    render,
    set_session,
    start_session,
)
from bot.web.dashboard.entra import EntraConfig, EntraTokenValidator, entra_config
from bot.web.dashboard.security import tab_headers
from bot.web.dashboard.session import COOKIE, SessionCodec, session_key
from domain.months import MONTH_ROUTE
from storage.dashboard_queries import active_people, viewer_by_id

log = logging.getLogger(__name__)

_HERE = Path(__file__).resolve().parent
SIGN_IN_CSRF = "cqc_tab_signin"


def add_dashboard(app: web.Application, runtime: Runtime, entra: EntraConfig | None = None) -> None:
    """``entra`` defaults to the bot's own tenant (none in local mode); tests point it at a local key set."""
    config = entra if entra is not None else entra_config(runtime.settings)
    if config is None and not runtime.settings.local_mode:
        log.warning("no MicrosoftAppTenantId: the dashboard tab is off (it checks sign-in against the tenant)")
        return
    validator = EntraTokenValidator(config) if config is not None else None
    app[TAB] = TabContext(runtime, SessionCodec(session_key(runtime.settings)), validator)
    aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(_HERE / "templates"),
        autoescape=jinja2.select_autoescape(default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    app.middlewares.append(tab_headers)
    app.router.add_get("/tab", home)
    app.router.add_get("/tab/plan", pages.plan)
    app.router.add_get("/tab/my", pages.my_actions)
    app.router.add_get("/tab/actions/{ref}", pages.action)
    app.router.add_get("/tab/figures", pages.figures)
    app.router.add_get("/tab/readiness", pages.readiness_page)
    app.router.add_get("/tab/round", pages.round_page)
    app.router.add_get("/tab/downloads", pages.downloads)
    app.router.add_get(f"/tab/downloads/{MONTH_ROUTE}.{{fmt:html|md|csv|docx}}", pages.download)
    app.router.add_get(f"/tab/downloads/{MONTH_ROUTE}/charts/{{metric_id}}.png", pages.download_chart)
    app.router.add_get("/tab/downloads/plan.xlsx", pages.download_plan)
    app.router.add_get("/tab/downloads/evidence-pack.{fmt:xlsx|docx|csv}", pages.download_pack)
    app.router.add_get("/tab/downloads/evidence-pack/{statement}.{fmt:xlsx|docx|csv}", pages.download_pack)
    app.router.add_post("/tab/session", sso_session)
    app.router.add_post("/tab/sign-out", sign_out)
    app.router.add_get("/tab/configure", configure)
    app.router.add_static("/tab/static", _HERE / "static", append_version=True)
    if validator is None:  # local mode only: there is no way to reach these with authentication on
        app.router.add_get("/tab/sign-in", sign_in_page)
        app.router.add_post("/tab/sign-in", sign_in)


def see_other(location: str) -> web.Response:
    return web.Response(status=303, headers={"Location": location})


async def home(request: web.Request) -> web.StreamResponse:
    return see_other("/tab/plan")


async def sso_session(request: web.Request) -> web.StreamResponse:
    """The page's script posts the Teams token here once; the cookie then carries the session."""
    token = bearer_token(request)
    if token is None:
        return web.json_response({"error": "send the Teams token as Authorization: Bearer"}, status=401)
    try:
        viewer = await from_bearer(request, token)
    except Refusal as refused:
        return refused.response
    response = web.Response(status=204)
    set_session(response, start_session(request, viewer, "sso"))
    return response


async def sign_out(request: web.Request) -> web.StreamResponse:
    context = request.app[TAB]
    form = await request.post()
    cookie = request.cookies.get(COOKIE, "")
    if not cookie or not context.codec.check_csrf(cookie, str(form.get("csrf", ""))):
        raise web.HTTPForbidden(text="This form has expired: reload the page and try again.")
    response = see_other("/tab/sign-in" if context.local_mode else "/tab/plan")
    response.del_cookie(COOKIE, path="/tab")
    return response


def _safe_next(value: str) -> str:
    # Only a path of the tab itself: never another site (an open redirect).
    return value if value.startswith("/tab/") and not value.startswith("/tab//") and "\\" not in value else "/tab/plan"


async def sign_in_page(request: web.Request) -> web.StreamResponse:
    context = request.app[TAB]
    async with context.runtime.sessions() as db:
        people = await active_people(db)
    token = secrets.token_urlsafe(16)
    response = render(
        request,
        "sign_in.html",
        title="Developer sign-in",
        viewer=None,
        people=people,
        csrf=token,
        next=_safe_next(request.query.get("next", "")),
        error=request.query.get("error") == "1",
    )
    response.set_cookie(SIGN_IN_CSRF, token, path="/tab", httponly=True, secure=True, samesite="Strict")
    return response


async def sign_in(request: web.Request) -> web.StreamResponse:
    context = request.app[TAB]
    if not context.local_mode:  # never reachable: the route exists only in local mode
        raise web.HTTPNotFound()
    form = await request.post()
    expected = request.cookies.get(SIGN_IN_CSRF, "")
    if not expected or not secrets.compare_digest(expected, str(form.get("csrf", ""))):
        return see_other("/tab/sign-in?error=1")
    try:
        person_id = int(str(form.get("person", "")))
    except ValueError:
        return see_other("/tab/sign-in?error=1")
    async with context.runtime.sessions() as db:
        viewer = await viewer_by_id(db, person_id)
    if viewer is None:
        return see_other("/tab/sign-in?error=1")
    response = see_other(_safe_next(str(form.get("next", ""))))
    set_session(response, start_session(request, viewer, "developer"))
    response.del_cookie(SIGN_IN_CSRF, path="/tab")
    return response


async def configure(request: web.Request) -> web.StreamResponse:
    """Where a team owner picks the page the team's tab opens on (teams-js pages.config saves it)."""
    choices = [("plan", "Plan"), ("figures", "Figures"), ("round", "Round (chair and admins)")]
    return render(request, "configure.html", title="Set up the CQC Improvement tab", viewer=None, choices=choices)
