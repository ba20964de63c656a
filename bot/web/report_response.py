"""The month's board report as an HTTP response: what the signed /reports links and the tab's
downloads both send, so the two stay the same report with the same headers.

The HTML page styles itself inline (bot/reports/html_page.py) and runs no script; its images are the
measures' charts (served by the caller) and the readiness chart (a data: URI).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping, Sequence

from aiohttp import web

from bot.reports.export import ReportFormat, render_report
from domain.month_report import MonthReport

ChartUrl = Callable[[str, str], str]  # (month, metric id) → where the page finds that chart


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


async def report_response(
    report: MonthReport,
    fmt: ReportFormat,
    *,
    chart_url: ChartUrl,
    policy: str,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    """HTML is shown in place under ``policy``; the other formats are attachments. Rendering runs in a
    worker thread so a chart never stalls the event loop."""
    month = report.month
    sources = {s.metric.id: chart_url(month, s.metric.id) for s in report.data.metrics}
    rendered = await asyncio.to_thread(
        render_report, report, fmt, chart_src=sources if fmt is ReportFormat.HTML else None
    )
    sent = dict(headers or {}) | {"Content-Type": fmt.media_type}
    if fmt is ReportFormat.HTML:
        sent["Content-Security-Policy"] = policy
    else:
        sent["Content-Disposition"] = f'attachment; filename="cqc-appendix-{month}.{fmt.value}"'
    return web.Response(body=rendered.content, headers=sent)
