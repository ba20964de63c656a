"""HTTP routes for the reports and charts the digest card links to.

GET /reports/{YYYY-MM}.{html|md|csv|docx}?t=TOKEN     the board appendix for that month
GET /reports/{YYYY-MM}/charts/{metric id}.png?t=TOKEN  one measure's trend chart

Only signed links work (bot/services/report_links.py): a wrong or missing token, or one signed for
another month or chart, is a 404, so the routes reveal nothing; a genuine link past its expiry gets a
410 page that says so. Nothing here reads a file: the month and measure only select data. The HTML
page is sent with a Content-Security-Policy that allows no script. Rendering runs in a worker thread
so a chart never stalls the Teams endpoint.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from bot.reports.charts import render_metric_chart
from bot.reports.export import ReportFormat
from bot.runtime import Runtime
from bot.services.report_links import LinkCheck, ReportLinks, chart_purpose, links_for, report_purpose
from bot.services.reporting import load_month_report
from bot.web.report_response import content_policy, report_response
from domain.month_report import MonthReport
from domain.months import MONTH_ROUTE

log = logging.getLogger(__name__)


class ReportContext:
    def __init__(self, runtime: Runtime, links: ReportLinks) -> None:
        self.runtime = runtime
        self.links = links

    def now(self) -> datetime:
        return self.runtime.clock()


REPORTS = web.AppKey("reports", ReportContext)


def add_report_routes(app: web.Application, runtime: Runtime, links: ReportLinks | None = None) -> None:
    """Adds the report routes; ``links`` defaults to those the settings give (report_links)."""
    chosen = links or links_for(runtime.settings, runtime.clock)
    if chosen is None:
        log.warning("no public URL for the bot: the digest will not link to reports or charts")
        return
    app[REPORTS] = ReportContext(runtime, chosen)
    app.router.add_get(f"/reports/{MONTH_ROUTE}.{{fmt:html|md|csv|docx}}", report)
    app.router.add_get(f"/reports/{MONTH_ROUTE}/charts/{{metric_id}}.png", chart)


# Opened in a browser, framed by nothing; the charts come from the bot's public address.
def _content_policy(base_url: str) -> str:
    return content_policy(("'none'",), (base_url,))


_EXPIRED_PAGE = (
    "<!doctype html><html lang=en><meta charset=utf-8><title>Link expired — CQC Improvement Bot</title>"
    "<body style='font-family:sans-serif;max-width:40em;margin:2em auto'><h1>This link has expired</h1>"
    "<p>Report and chart links work for a limited time. Open the latest digest in Teams for a fresh link, "
    "or ask the plan's chair for the report.</p>"
)


def _checked(context: ReportContext, purpose: str, token: str) -> None:
    check = context.links.check(purpose, token)
    if check is LinkCheck.EXPIRED:
        raise web.HTTPGone(
            text=_EXPIRED_PAGE,
            content_type="text/html",
            headers={"Cache-Control": "no-store", "Content-Security-Policy": _content_policy(context.links.base_url)},
        )
    if check is not LinkCheck.VALID:
        raise web.HTTPNotFound()


async def _load(
    request: web.Request, purpose: str, *, with_readiness: bool = True
) -> tuple[ReportContext, MonthReport]:
    context = request.app[REPORTS]
    _checked(context, purpose, request.query.get("t", ""))
    async with context.runtime.sessions() as session:
        month = request.match_info["month"]
        loaded = await load_month_report(session, month, context.now(), with_readiness=with_readiness)
    if loaded is None:
        raise web.HTTPNotFound()
    return context, loaded


async def report(request: web.Request) -> web.Response:
    context, loaded = await _load(request, report_purpose(request.match_info["month"]))
    return await report_response(
        loaded,
        ReportFormat(request.match_info["fmt"]),
        chart_url=context.links.chart_url,
        policy=_content_policy(context.links.base_url),
        headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
    )


async def chart(request: web.Request) -> web.Response:
    month, metric_id = request.match_info["month"], request.match_info["metric_id"]
    _, loaded = await _load(request, chart_purpose(month, metric_id), with_readiness=False)  # a chart needs none
    series = next((s for s in loaded.data.metrics if s.metric.id == metric_id), None)
    if series is None:
        raise web.HTTPNotFound()
    png = await asyncio.to_thread(render_metric_chart, series.metric, series.readings, as_of=loaded.data.as_of)
    headers = {"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"}
    return web.Response(body=png, content_type="image/png", headers=headers)
