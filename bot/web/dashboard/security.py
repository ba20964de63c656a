"""Headers every tab response carries: a nonce-based Content-Security-Policy that lets only Teams'
hosts frame the pages (unless the handler sets its own), and no caching of personal data."""

from __future__ import annotations

import secrets

from aiohttp import web
from aiohttp.typedefs import Handler

NONCE = web.RequestKey("csp_nonce", str)
# Where teams-js is loaded from (Microsoft's CDN) and the hosts that frame a tab: Teams on the web,
# desktop and mobile, and Teams apps in Outlook and the Microsoft 365 app.
TEAMS_JS = "https://res.cdn.office.net/teams-js/2.58.0/js/MicrosoftTeams.min.js"
# Subresource Integrity: the browser runs the CDN's file only if it is exactly this release. The hash
# is the one the package's README publishes for this URL, and the npm package's
# dist/umd/MicrosoftTeams.min.js has it too (tests/dashboard/test_teams_js.py checks; the
# browser tests serve that file in the CDN's place).
TEAMS_JS_INTEGRITY = "sha384-sMo/EOqQPa1OCup2/VBRum7oFeOS22kvs8WGDc45xK53tUVZzFR5WwFYDUYN1LO4"
FRAME_ANCESTORS = (
    "'self'",
    "https://teams.microsoft.com",
    "https://*.teams.microsoft.com",
    "https://teams.cloud.microsoft",
    "https://*.cloud.microsoft",
    "https://*.office.com",
    "https://outlook.office.com",
    "https://*.microsoft365.com",
)
PREFIX = "/tab"


def policy(nonce: str) -> str:
    return "; ".join(
        (
            "default-src 'none'",
            f"script-src 'nonce-{nonce}' https://res.cdn.office.net",
            "style-src 'self'",
            "img-src 'self' data:",
            # teams-js fetches the list of Teams' host origins from its CDN when it loads (and falls
            # back on its own copy if it cannot, after a CSP error in the console).
            "connect-src 'self' https://res.cdn.office.net",
            "form-action 'self'",
            "base-uri 'none'",
            "frame-ancestors " + " ".join(FRAME_ANCESTORS),
        )
    )


@web.middleware
async def tab_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith(PREFIX):
        return await handler(request)
    request[NONCE] = secrets.token_urlsafe(16)
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects and refusals carry the headers too
        response = exc
        _secure(response, request)
        raise
    _secure(response, request)
    return response


def _secure(response: web.StreamResponse, request: web.Request) -> None:
    # A handler may set its own: the board report styles itself inline (pages.download).
    response.headers.setdefault("Content-Security-Policy", policy(request[NONCE]))
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    if request.path.startswith(PREFIX + "/static/"):
        response.headers["Cache-Control"] = "public, max-age=3600"
    else:
        response.headers["Cache-Control"] = "private, no-store"
