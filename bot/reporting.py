"""One month's digest and board appendix, loaded and composed once for every output.

The card, the terminal preview, the served report and the exported files all start here, so
they always agree on the figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.charts import render_metric_chart
from bot.report_links import ReportLinks
from dialogs.digest import DigestLinks
from domain.board_appendix import BoardAppendix, compose_appendix
from domain.digest import compose_digest
from domain.digest_model import Digest, DigestInput
from domain.months import month_of
from storage.digest_queries import load_digest_input, plan_timezone
from storage.models import Cycle


@dataclass(frozen=True)
class MonthReport:
    data: DigestInput
    digest: Digest
    appendix: BoardAppendix

    @property
    def month(self) -> str:
        return self.data.month


async def load_month_report(
    session: AsyncSession, month: str, as_of: datetime
) -> MonthReport | None:
    """None before a plan is imported. ``as_of`` is clamped to the month's end."""
    data = await load_digest_input(session, month, as_of)
    if data is None:
        return None
    digest = compose_digest(data)
    return MonthReport(data, digest, compose_appendix(data, digest))


async def default_month(session: AsyncSession, now: datetime, fallback_timezone: str) -> str:
    """The newest progress round's month up to now; with no rounds, the current local month."""
    zone = ZoneInfo(await plan_timezone(session) or fallback_timezone)
    current = month_of(now.astimezone(zone).date())
    latest = await session.scalar(
        select(Cycle.month)
        .where(Cycle.kind == "progress", Cycle.month <= current)
        .order_by(Cycle.month.desc())
        .limit(1)
    )
    return latest or current


def charts_for(report: MonthReport) -> dict[str, bytes]:
    """Every measure's trend chart as PNG bytes, by metric id."""
    return {
        series.metric.id: render_metric_chart(
            series.metric, series.readings, as_of=report.data.as_of
        )
        for series in report.data.metrics
    }


def card_links(links: ReportLinks | None, month: str, metric_ids: list[str]) -> DigestLinks:
    if links is None:
        return DigestLinks()
    return DigestLinks(
        report_url=links.report_url(month),
        chart_urls={metric_id: links.chart_url(month, metric_id) for metric_id in metric_ids},
    )
