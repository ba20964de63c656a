"""The tab's pages: Plan, Action, Figures, Readiness, Round, Downloads and My actions.

Each handler loads through the services and storage read models, then renders a template; none
runs SQL itself. What a page may show is decided by ``page(oversight=...)`` and by the viewer.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from bot.reports.charts import render_metric_chart
from bot.reports.evidence_pack import PackFormat, render_pack
from bot.reports.export import ReportFormat
from bot.services import dashboard
from bot.services import evidence as evidence_service
from bot.services.dashboard import PlanFilter
from bot.services.readiness import load_readiness
from bot.services.reporting import load_month_report
from bot.web.dashboard.access import TAB, page, render
from bot.web.dashboard.readiness_chart import build_score_chart
from bot.web.dashboard.readiness_rows import statement_row
from bot.web.dashboard.security import FRAME_ANCESTORS
from bot.web.dashboard.svg_chart import build_chart
from bot.web.report_response import content_policy, report_response
from domain.digest import RAG_ORDER, compose_digest
from domain.digest_model import DigestInput
from domain.evidence import EvidenceCategory
from domain.month_report import MonthReport
from domain.months import month_label
from storage.dashboard_queries import Viewer, load_action_history, round_months, statement_names
from storage.plan_file.export import to_xlsx


@dataclass(frozen=True)
class NavItem:
    href: str
    label: str


def nav(viewer: Viewer) -> list[NavItem]:
    items = [
        NavItem("/tab/plan", "Plan"),
        NavItem("/tab/my", "My actions"),
        NavItem("/tab/figures", "Figures"),
        NavItem("/tab/readiness", "Readiness"),
    ]
    if viewer.oversees:
        items.append(NavItem("/tab/round", "Round"))
    items.append(NavItem("/tab/downloads", "Downloads"))
    return items


@dataclass(frozen=True)
class Download:
    """One file the downloads page offers for a month; a new format is one more entry."""

    fmt: str
    label: str


# The evidence pack's formats, in the order the page offers them.
PACK_FORMATS = (
    Download("xlsx", "Evidence pack (Excel)"),
    Download("docx", "Evidence pack (Word)"),
    Download("csv", "Evidence pack (CSV)"),
)
DOWNLOADS = (
    Download("docx", "Board report (Word)"),
    Download("html", "Board report (web page)"),
    Download("md", "Board report (Markdown)"),
    Download("csv", "Board report (CSV)"),
)


NO_PLAN = "No plan has been imported yet: run `cqcbot plan import FILE`."


async def _month(request: web.Request, month: str | None = None) -> tuple[DigestInput, dashboard.Today]:
    context = request.app[TAB]
    now = context.now()
    async with context.runtime.sessions() as db:
        today = await dashboard.current_month(db, now, context.runtime.settings.timezone)
        data = await dashboard.month_data(db, month or today.month, now)
    if data is None:
        # Not a server fault: nothing to show yet (a person can only be signed in once a plan exists).
        raise web.HTTPNotFound(text=NO_PLAN)
    return data, today


async def _report(request: web.Request, month: str) -> MonthReport:
    """The month's board report as the signed /reports link and `cqcbot report` give it (readiness too)."""
    context = request.app[TAB]
    async with context.runtime.sessions() as db:
        report = await load_month_report(db, month, context.now())
    if report is None:
        raise web.HTTPNotFound(text=NO_PLAN)
    return report


def _common(request: web.Request, viewer: Viewer, title: str, data: DigestInput | None = None) -> dict[str, Any]:
    return {
        "viewer": viewer,
        "nav": nav(viewer),
        "title": title,
        "organisation": data.organisation if data else "",
        "month_label": month_label(data.month) if data else "",
        "rag_order": RAG_ORDER,
    }


@page()
async def plan(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    data, today = await _month(request)
    owner_list = dashboard.owners(data)
    chosen = PlanFilter.from_query(
        request.query, themes=[t.id for t in data.themes], owners=[email for email, _ in owner_list]
    )
    shown = dashboard.plan_page(data, chosen, today.date)
    return render(
        request,
        "plan.html",
        **_common(request, viewer, "Plan", data),
        shown=shown,
        tables=shown.tables,
        chosen=chosen,
        themes=data.themes,
        owner_list=owner_list,
        total=len(data.actions) + len(data.withdrawn),
        today=today.date,
    )


@page()
async def action(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    context = request.app[TAB]
    ref = request.match_info["ref"]
    async with context.runtime.sessions() as db:
        history = await load_action_history(db, ref, with_audit=viewer.oversees)
    if history is None:
        return render(request, "missing.html", status=404, **_common(request, viewer, "No such action"), ref=ref)
    return render(request, "action.html", **_common(request, viewer, f"{history.ref}"), history=history)


@page()
async def figures(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    data, _ = await _month(request)
    rows = {row.metric_id: row for row in compose_digest(data).metrics}
    measures = [
        (series, rows[series.metric.id], build_chart(series.metric, series.readings))
        for series in data.metrics
        if series.metric.id in rows
    ]
    return render(request, "figures.html", **_common(request, viewer, "Figures", data), measures=measures)


@page()
async def readiness_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """Issue 14's read model as the digest and the evidence pack see it, so all three agree."""
    context = request.app[TAB]
    timezone = context.runtime.settings.timezone
    async with context.runtime.sessions() as db:
        view = await load_readiness(db, timezone)
    common = _common(request, viewer, "Readiness")
    if view is None:
        return render(request, "readiness.html", **common, view=None, rows=[], chart=None, categories=())
    return render(
        request,
        "readiness.html",
        **common,
        view=view,
        rows=[statement_row(s, timezone) for s in view.statements],
        chart=build_score_chart(view.statements),
        categories=tuple(EvidenceCategory),
    )


@page(oversight=True)
async def round_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    data, today = await _month(request)
    digest = compose_digest(data)
    asked: dict[str, list[str]] = {}
    answered: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for state in data.actions:
        if state.asked:
            key = state.owner_email.lower()
            names[key] = state.owner_name
            asked.setdefault(key, []).append(state.ref)
            if state.answered:
                answered.setdefault(key, []).append(state.ref)
    notes = {
        note.email.lower(): ("overdue" if digest.past_deadline else "outstanding", note) for note in digest.overdue
    }
    notes |= {note.email.lower(): ("away", note) for note in digest.away}
    notes |= {note.email.lower(): ("unreachable", note) for note in digest.unreachable}
    people = sorted(
        (
            {
                "name": names[key],
                "asked": asked[key],
                "answered": answered.get(key, []),
                "state": notes[key][0] if key in notes else "answered",
                "note": notes[key][1] if key in notes else None,
            }
            for key in asked
        ),
        key=lambda p: (p["state"] == "answered", str(p["name"]).lower()),
    )
    return render(
        request,
        "round.html",
        **_common(request, viewer, "Round", data),
        digest=digest,
        round=data.round,
        people=people,
        today=today.date,
    )


@page()
async def downloads(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    context = request.app[TAB]
    async with context.runtime.sessions() as db:
        today = await dashboard.current_month(db, context.now(), context.runtime.settings.timezone)
        months = await round_months(db)
        statements = await statement_names(db)
    if today.month not in months:
        months.insert(0, today.month)
    return render(
        request,
        "downloads.html",
        **_common(request, viewer, "Downloads"),
        months=[(m, month_label(m)) for m in months],
        downloads=DOWNLOADS,
        statements=statements,
        pack_formats=PACK_FORMATS,
    )


@page()
async def download(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    report = await _report(request, request.match_info["month"])
    return await report_response(
        report,
        ReportFormat(request.match_info["fmt"]),
        chart_url=lambda month, metric_id: f"/tab/downloads/{month}/charts/{metric_id}.png",
        # Its style is inline, which the tab's own policy refuses; Teams frames it like the pages.
        policy=content_policy(FRAME_ANCESTORS),
    )


@page()
async def download_chart(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    data, _ = await _month(request, request.match_info["month"])  # a chart needs no readiness
    series = next((s for s in data.metrics if s.metric.id == request.match_info["metric_id"]), None)
    if series is None:
        raise web.HTTPNotFound()
    png = await asyncio.to_thread(render_metric_chart, series.metric, series.readings, as_of=data.as_of)
    return web.Response(body=png, content_type="image/png")


@page()
async def my_actions(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    data, today = await _month(request)
    app_id = request.app[TAB].runtime.settings.app_id
    # Teams' deep link to a chat with the bot (28: marks a bot's id); none in local mode.
    chat_link = f"https://teams.microsoft.com/l/chat/0/0?users=28:{app_id}&message=my%20actions" if app_id else None
    return render(
        request,
        "my.html",
        **_common(request, viewer, "My actions", data),
        rows=dashboard.my_rows(data, viewer.email, today.date),
        round=data.round,
        chat_link=chat_link,
        today=today.date,
    )


def _attachment(content: bytes, media_type: str, filename: str) -> web.Response:
    return web.Response(
        body=content,
        headers={"Content-Type": media_type, "Content-Disposition": f'attachment; filename="{filename}"'},
    )


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PACK_TYPES = {
    PackFormat.XLSX: XLSX_TYPE,
    PackFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PackFormat.CSV: "text/csv; charset=utf-8",
}


@page()
async def download_plan(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The plan as `cqcbot plan export --format xlsx` writes it, to edit and import back."""
    async with request.app[TAB].runtime.sessions() as db:
        document = await dashboard.plan_export_document(db)
    if document is None:
        raise web.HTTPNotFound(text=NO_PLAN)
    content = await asyncio.to_thread(to_xlsx, document)
    return _attachment(content, XLSX_TYPE, "cqc-improvement-plan.xlsx")


@page()
async def download_pack(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """The evidence pack `cqcbot evidence export` writes: every statement, or the one in the path."""
    context = request.app[TAB]
    fmt = PackFormat(request.match_info["fmt"])
    statement = request.match_info.get("statement")
    pack = await evidence_service.load_pack(
        context.runtime.sessions,
        statement=statement,
        timezone=context.runtime.settings.timezone,
        today=context.now().astimezone(ZoneInfo(context.runtime.settings.timezone)).date(),
    )
    if isinstance(pack, evidence_service.Outcome):  # no statements yet, or an unknown one: it says which
        raise web.HTTPNotFound(text=pack.message)
    content = await asyncio.to_thread(render_pack, pack, fmt)
    name = f"cqc-evidence-pack-{statement or 'all'}-{pack.as_of.isoformat()}.{fmt.value}"
    return _attachment(content, PACK_TYPES[fmt], name)
