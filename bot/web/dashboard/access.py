"""Who is looking at a tab page: from a Teams SSO bearer token, the tab's session cookie, or (in
local mode only) the developer sign-in. Pages declare whether they need the chair or an admin."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import aiohttp_jinja2
from aiohttp import web

from bot.runtime import Runtime
from bot.web.dashboard.entra import EntraTokenValidator, TokenRefused
from bot.web.dashboard.security import NONCE, TEAMS_JS, TEAMS_JS_INTEGRITY
from bot.web.dashboard.session import COOKIE, LIFETIME, SessionCodec, TabSession
from storage.dashboard_queries import Viewer, access_contacts, find_viewer, viewer_by_id

log = logging.getLogger(__name__)


@dataclass
class TabContext:
    runtime: Runtime
    codec: SessionCodec
    validator: EntraTokenValidator | None  # None in local mode: the developer sign-in instead

    @property
    def local_mode(self) -> bool:
        return self.validator is None

    def now(self) -> datetime:
        return self.runtime.clock()


TAB = web.AppKey("tab", TabContext)
Page = Callable[[web.Request, Viewer], Awaitable[web.StreamResponse]]


def render(request: web.Request, template: str, *, status: int = 200, **values: Any) -> web.Response:
    context = request.app[TAB]
    cookie = request.get(SESSION_VALUE) or request.cookies.get(COOKIE)
    base = {
        "nonce": request[NONCE],
        "teams_js": TEAMS_JS,
        "teams_js_integrity": TEAMS_JS_INTEGRITY,
        "local_mode": context.local_mode,
        "path": request.path,
        "organisation": "",
        "nav": [],
        # Any form a signed-in page posts carries this; it is bound to the session cookie.
        "session_csrf": context.codec.csrf_token(cookie) if cookie else "",
    }
    return aiohttp_jinja2.render_template(template, request, base | values, status=status)


SESSION_VALUE = web.RequestKey("tab_session_value", str)


def start_session(request: web.Request, viewer: Viewer, how: str) -> str:
    """A new session cookie's value for ``viewer``, remembered on the request for render's CSRF token."""
    context = request.app[TAB]
    value = context.codec.encode(TabSession(viewer.id, viewer.email, how, context.now() + LIFETIME))
    request[SESSION_VALUE] = value
    return value


def set_session(response: web.StreamResponse, value: str) -> None:
    response.set_cookie(
        COOKIE,
        value,
        max_age=int(LIFETIME.total_seconds()),
        path="/tab",
        httponly=True,
        secure=True,
        samesite="None",
    )


async def _from_cookie(request: web.Request) -> Viewer | None:
    context = request.app[TAB]
    value = request.cookies.get(COOKIE)
    if not value:
        return None
    session = context.codec.decode(value, context.now())
    if session is None or (session.how == "developer" and not context.local_mode):
        return None
    async with context.runtime.sessions() as db:
        viewer = await viewer_by_id(db, session.person_id)
    # Bound to the person: a cookie for a row that now belongs to someone else is worthless.
    return viewer if viewer is not None and viewer.email == session.email else None


class Refusal(Exception):
    def __init__(self, response: web.Response) -> None:
        self.response = response


async def from_bearer(request: web.Request, token: str) -> Viewer:
    """The plan's person the token names; Refusal(401) for a bad token, Refusal(403) for a stranger."""
    context = request.app[TAB]
    if context.validator is None:
        raise Refusal(render(request, "refused.html", status=401, title="Sign-in failed", reason="token", viewer=None))
    try:
        user = await context.validator.validate(token)
    except TokenRefused as exc:
        log.info("tab sign-in refused: %s", exc)  # the reason only, never the token
        raise Refusal(
            render(request, "refused.html", status=401, title="Sign-in failed", reason="token", viewer=None)
        ) from None
    async with context.runtime.sessions() as db:
        viewer = await find_viewer(db, object_id=user.object_id, usernames=user.usernames)
        contacts = await access_contacts(db) if viewer is None else []
    if viewer is None:
        log.info("tab sign-in by someone outside the plan (object id %s)", user.object_id)
        raise Refusal(
            render(request, "refused.html", status=403, title="Not in the plan", reason="stranger", contacts=contacts,
                   viewer=None, name=user.name)
        )  # fmt: skip
    return viewer


def bearer_token(request: web.Request) -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def page(*, oversight: bool = False) -> Callable[[Page], Callable[[web.Request], Awaitable[web.StreamResponse]]]:
    """A tab page: finds the viewer or answers for them (sign in, 401, 403); chair/admin pages say so."""

    def wrap(handler: Page) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def run(request: web.Request) -> web.StreamResponse:
            context = request.app[TAB]
            token = bearer_token(request)
            try:
                viewer = await from_bearer(request, token) if token else await _from_cookie(request)
            except Refusal as refused:
                return refused.response
            if viewer is None:
                if context.local_mode:
                    raise web.HTTPSeeOther(f"/tab/sign-in?next={quote(request.path_qs, safe='')}")
                # In Teams the page's script gets a token (getAuthToken) and comes back signed in.
                return render(request, "sso.html", status=401, title="Signing in", viewer=None)
            if oversight and not viewer.oversees:
                return render(
                    request, "refused.html", status=403, title="For the chair and admins", reason="role", viewer=viewer
                )
            fresh = start_session(request, viewer, "sso") if token else None
            response = await handler(request, viewer)
            if fresh:
                set_session(response, fresh)
            return response

        return run

    return wrap
