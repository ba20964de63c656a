"""`cqcbot report`: the board appendix in one of four formats, to a file or standard output.

Text formats (md, csv, html) go to standard output when no file is given; DOCX always needs a
file. Charts go where each format can carry them: embedded in DOCX and HTML, written beside a
Markdown file (``<name>_charts/*.png``) and linked from it; CSV has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.reports import readiness_section as section
from bot.reports.charts import charts_for
from bot.reports.docx_file import render_docx
from bot.reports.html_page import png_data_uri, render_html
from bot.reports.text import render_csv, render_markdown
from domain.month_report import MonthReport
from domain.readiness_view import Readiness

SCORES_CHART = "cqc-readiness-scores"


class ReportFormat(StrEnum):
    DOCX = "docx"
    MD = "md"
    CSV = "csv"
    HTML = "html"

    @property
    def binary(self) -> bool:
        return self is ReportFormat.DOCX

    @property
    def media_type(self) -> str:
        return {
            ReportFormat.DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            ReportFormat.MD: "text/markdown; charset=utf-8",
            ReportFormat.CSV: "text/csv; charset=utf-8",
            ReportFormat.HTML: "text/html; charset=utf-8",
        }[self]


@dataclass(frozen=True)
class Rendered:
    content: bytes
    extra_files: dict[str, bytes]  # relative path → bytes, written beside the main file


def render_report(
    report: MonthReport,
    fmt: ReportFormat,
    *,
    output: Path | None = None,
    chart_src: dict[str, str] | None = None,
) -> Rendered:
    """The report as bytes. ``chart_src`` overrides how HTML finds its charts (served URLs)."""
    appendix, readiness = report.appendix, report.readiness
    if fmt is ReportFormat.CSV:
        return Rendered((render_csv(appendix) + section.csv_rows(readiness)).encode("utf-8"), {})
    scores = section.render_chart(readiness) if readiness else None
    if fmt is ReportFormat.HTML and chart_src is not None:
        page = render_html(appendix, chart_src)
        return Rendered(_with_section(page, readiness, scores).encode("utf-8"), {})
    charts = charts_for(report)
    if fmt is ReportFormat.DOCX:
        return Rendered(section.add_to_docx(render_docx(appendix, charts), readiness, scores), {})
    if fmt is ReportFormat.HTML:
        sources = {metric_id: png_data_uri(png) for metric_id, png in charts.items()}
        return Rendered(_with_section(render_html(appendix, sources), readiness, scores).encode("utf-8"), {})
    if output is None:  # Markdown on standard output: nowhere to put the charts
        return Rendered((render_markdown(appendix) + section.markdown(readiness)).encode("utf-8"), {})
    folder = f"{output.stem}_charts"
    files = {f"{folder}/{metric_id}.png": png for metric_id, png in charts.items()}
    paths = {metric_id: f"{folder}/{metric_id}.png" for metric_id in charts}
    readiness_chart = None
    if scores:
        readiness_chart = f"{folder}/{SCORES_CHART}.png"
        files[readiness_chart] = scores
    text = render_markdown(appendix, paths) + section.markdown(readiness, readiness_chart)
    return Rendered(text.encode("utf-8"), files)


def _with_section(page: str, readiness: Readiness | None, scores: bytes | None) -> str:
    """The readiness section before the page's closing tag (the chart inline, as a data URI)."""
    extra = section.html_section(readiness, png_data_uri(scores) if scores else None)
    at = page.rfind("</body>")
    return page[:at] + extra + page[at:] if extra and at >= 0 else page


def write_report(rendered: Rendered, output: Path) -> list[Path]:
    """Write the report and its chart files; returns every path written."""
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(rendered.content)
    written = [output]
    for relative, content in rendered.extra_files.items():
        path = output.parent / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written.append(path)
    return written
