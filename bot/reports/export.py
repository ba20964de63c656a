"""`cqcbot report`: the board appendix in one of four formats, to a file or standard output.

Text formats (md, csv, html) go to standard output when no file is given; DOCX always needs a
file. Charts go where each format can carry them: embedded in DOCX and HTML, written beside a
Markdown file (``<name>_charts/*.png``) and linked from it; CSV has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from bot.reports.charts import charts_for
from bot.reports.docx_file import render_docx
from bot.reports.html_page import png_data_uri, render_html
from bot.reports.text import render_csv, render_markdown
from domain.month_report import MonthReport


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
    appendix = report.appendix
    if fmt is ReportFormat.CSV:
        return Rendered(render_csv(appendix).encode("utf-8"), {})
    if fmt is ReportFormat.HTML and chart_src is not None:
        return Rendered(render_html(appendix, chart_src).encode("utf-8"), {})
    charts = charts_for(report)
    if fmt is ReportFormat.DOCX:
        return Rendered(render_docx(appendix, charts), {})
    if fmt is ReportFormat.HTML:
        sources = {metric_id: png_data_uri(png) for metric_id, png in charts.items()}
        return Rendered(render_html(appendix, sources).encode("utf-8"), {})
    if output is None:  # Markdown on standard output: nowhere to put the charts
        return Rendered(render_markdown(appendix).encode("utf-8"), {})
    folder = f"{output.stem}_charts"
    files = {f"{folder}/{metric_id}.png": png for metric_id, png in charts.items()}
    paths = {metric_id: f"{folder}/{metric_id}.png" for metric_id in charts}
    return Rendered(render_markdown(appendix, paths).encode("utf-8"), files)


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
