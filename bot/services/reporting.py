"""Loading one month's report (domain.month_report composes it) and the links the digest card shows."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.services.readiness import load_readiness
from bot.services.report_links import ReportLinks
from bot.services.tab_links import TabLinks
from dialogs.digest import DigestLinks
from domain.month_report import MonthReport, compose_month_report
from domain.months import month_of
from storage.digest_queries import latest_progress_month, load_digest_input, plan_timezone
from storage.engine import Session


async def load_month_report(
    session: Session, month: str, as_of: datetime, *, with_readiness: bool = True
) -> MonthReport | None:
    """None before a plan is imported. ``as_of`` is clamped to the month's end. The CQC readiness
    section reads the whole library and the sign-off: ``with_readiness=False`` for callers that show
    only the digest's own parts (a section's next page, the posting confirmation, a chart)."""
    data = await load_digest_input(session, month, as_of)
    if data is None:
        return None
    if not with_readiness:
        return compose_month_report(data)
    timezone = await plan_timezone(session) or "Europe/London"
    return compose_month_report(data, await load_readiness(session, timezone))


async def default_month(session: Session, now: datetime, fallback_timezone: str) -> str:
    """The newest progress round's month up to now; with no rounds, the current local month."""
    zone = ZoneInfo(await plan_timezone(session) or fallback_timezone)
    current = month_of(now.astimezone(zone).date())
    return await latest_progress_month(session, current) or current


def card_links(
    links: ReportLinks | None, month: str, metric_ids: list[str], tab: TabLinks | None = None
) -> DigestLinks:
    """With the dashboard tab (``tab``), "Open the full report" opens it inside Teams (stage view)."""
    if links is None:
        return DigestLinks()
    return DigestLinks(
        report_url=tab.report(month) if tab is not None else links.report_url(month),
        chart_urls={metric_id: links.chart_url(month, metric_id) for metric_id in metric_ids},
    )
