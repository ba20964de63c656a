"""The last line of defence: anything unexpected is logged once with an error id, never shown.

Expected outcomes (aiohttp's HTTP exceptions: 404, 405, 413 …) pass through untouched. Anything else
is a bug: its traceback goes to the log once, under a short id the answer repeats, so an officer's
report ("error 3f9c2a") finds the line without the client ever seeing a stack trace.
"""

from __future__ import annotations

import logging
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

log = logging.getLogger(__name__)


def error_id() -> str:
    return uuid.uuid4().hex[:12]


@web.middleware
async def unexpected_errors(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except web.HTTPException:
        raise
    except Exception as exc:  # the boundary: everything else is answered, not raised
        reference = error_id()
        log.error("error %s answering %s %s", reference, request.method, request.path, exc_info=exc)
        return web.json_response(
            {
                "error": {
                    "code": "InternalError",
                    "message": f"Something went wrong on our side (error {reference}).",
                    "errorId": reference,
                }
            },
            status=500,
        )
