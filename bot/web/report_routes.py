"""HTTP routes for the reports and charts the digest card links to.

GET /reports/{YYYY-MM}.{html|md|csv|docx}?t=TOKEN     the board appendix for that month
GET /reports/{YYYY-MM}/charts/{metric id}.png?t=TOKEN  one measure's trend chart

Only signed links work (bot/services/report_links.py): a wrong or missing token is a 404, so the routes
reveal nothing. Rendering runs in a worker thread so a chart never stalls the Teams endpoint.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web

from bot.reports.charts import render_metric_chart
from bot.reports.export import ReportFormat, render_report
from bot.runtime import Runtime
from bot.services.report_links import ReportLinks, links_for
from bot.services.reporting import load_month_report
from domain.month_report import MonthReport

log = logging.getLogger(__name__)

_MONTH = r"{month:\d{4}-(?:0[1-9]|1[0-2])}"


class ReportContext:
    def __init__(self, runtime: Runtime, links: ReportLinks) -> None:
        self.runtime = runtime
        self.links = links

    def now(self) -> datetime:
        return self.runtime.clock()


REPORTS = web.AppKey("reports", ReportContext)


def add_report_routes(app: web.Application, runtime: Runtime, links: ReportLinks | None = None) -> None:
    """Adds the report routes; ``links`` defaults to those the settings give (report_links)."""
    chosen = links or links_for(runtime.settings)
    if chosen is None:
        log.warning("no public URL for the bot: the digest will not link to reports or charts")
        return
    app[REPORTS] = ReportContext(runtime, chosen)
    app.router.add_get(f"/reports/{_MONTH}.{{fmt:html|md|csv|docx}}", report)
    app.router.add_get(f"/reports/{_MONTH}/charts/{{metric_id}}.png", chart)


async def _load(request: web.Request) -> tuple[ReportContext, MonthReport]:
    context = request.app[REPORTS]
    month = request.match_info["month"]
    if not context.links.verify(month, request.query.get("t", "")):
        raise web.HTTPNotFound()
    async with context.runtime.sessions() as session:
        loaded = await load_month_report(session, month, context.now())
    if loaded is None:
        raise web.HTTPNotFound()
    return context, loaded


async def report(request: web.Request) -> web.Response:
    context, loaded = await _load(request)
    fmt = ReportFormat(request.match_info["fmt"])
    month = loaded.month
    sources = {s.metric.id: context.links.chart_url(month, s.metric.id) for s in loaded.data.metrics}
    rendered = await asyncio.to_thread(
        render_report, loaded, fmt, chart_src=sources if fmt is ReportFormat.HTML else None
    )
    headers = {"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"}
    if fmt is not ReportFormat.HTML:
        headers["Content-Disposition"] = f'attachment; filename="cqc-appendix-{month}.{fmt.value}"'
    return web.Response(body=rendered.content, headers=headers | {"Content-Type": fmt.media_type})


async def chart(request: web.Request) -> web.Response:
    _, loaded = await _load(request)
    metric_id = request.match_info["metric_id"]
    series = next((s for s in loaded.data.metrics if s.metric.id == metric_id), None)
    if series is None:
        raise web.HTTPNotFound()
    png = await asyncio.to_thread(render_metric_chart, series.metric, series.readings, as_of=loaded.data.as_of)
    return web.Response(body=png, content_type="image/png", headers={"Cache-Control": "private, max-age=300"})
