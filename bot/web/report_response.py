"""The month's board report as an HTTP response: what the signed /reports links and the tab's
downloads both send, so the two stay the same report with the same headers.

The HTML page styles itself inline (bot/reports/html_page.py) and runs no script; its images are the
measures' charts (served by the caller) and the readiness chart (a data: URI).
"""

from __future__ import annotations

from collections.abc import Sequence


def content_policy(frame_ancestors: Sequence[str], img_sources: Sequence[str] = ()) -> str:
    """The report page's Content-Security-Policy: no script, its own inline style, images from
    ``'self'``, ``img_sources`` and data: URIs, framed only by ``frame_ancestors``."""
    return "; ".join(
        (
            "default-src 'none'",
            "img-src " + " ".join(("'self'", *img_sources, "data:")),
            "style-src 'unsafe-inline'",
            "base-uri 'none'",
            "form-action 'none'",
            "frame-ancestors " + " ".join(frame_ancestors),
        )
    )
