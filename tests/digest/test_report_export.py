"""The board appendix in every format, checked for content; the DOCX is opened by LibreOffice
(converted to PDF, then read back with pdftotext) as a check that it opens cleanly."""

from __future__ import annotations

import asyncio
import csv
import dataclasses
import io
import shutil
import subprocess
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import docx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reports import charts as chart_cache
from bot.reports.chart_drawing import ChartCanvas
from bot.reports.charts import charts_for, render_metric_chart
from bot.reports.docx_file import render_docx
from bot.reports.export import ReportFormat, render_report, write_report
from bot.services.reporting import load_month_report
from domain.digest_model import MetricSeries
from domain.model import DatedValue, Direction, Metric
from domain.month_report import MonthReport
from tests.digest.history import AS_OF, MONTH
from tests.digest.make_examples import example_report

PNG = b"\x89PNG\r\n\x1a\n"
LIBREOFFICE_MISSING = (
    "LibreOffice and poppler are needed to check the DOCX opens: "
    "apt-get install -y libreoffice-writer-nogui poppler-utils"
)


@pytest.fixture
async def report(sessions: async_sessionmaker[AsyncSession], history: None) -> MonthReport:
    async with sessions() as session:
        loaded = await load_month_report(session, MONTH, AS_OF)
    assert loaded is not None
    return loaded


def common_content(text: str) -> None:
    """What the board paper's appendix must say, whatever the format."""
    for expected in (
        "Theme 1: Working with People",
        "Theme 4: Leadership",
        "Improvement requirement",
        "Progress",
        "People feel they have to 'tell their story' a number of times",
        "RAG: Complete",
        "Out of borough specialist care provision",
        "RAG: Red",
        "PS-02: 2026-04 update — work is off track.",
        "Waiting lists and DoLS",
        "DoLS applications awaiting assessment (backlog)",
        "298 applications",
        "Off track",
        "Target met",
        "Safeguarding",
        "Governance, management and sustainability",
        "23 of 36",
        "Summary",
        "Owners updated 12 of the 19 actions asked about this month (63%).",
    ):
        assert expected in text, expected


def test_markdown(report: MonthReport, tmp_path: Path) -> None:
    text = render_report(report, ReportFormat.MD).content.decode()
    common_content(text)
    assert "**Improvement requirement:**" in text and "<br>" not in text
    assert "![" not in text  # on standard output there is nowhere to put the charts
    rendered = render_report(report, ReportFormat.MD, output=tmp_path / "board.md")
    written = write_report(rendered, tmp_path / "board.md")
    assert len(written) == 7  # the report, five measures' charts, the readiness scores
    assert "![DoLS applications awaiting assessment (backlog): trend" in (tmp_path / "board.md").read_text()
    assert (tmp_path / "board_charts" / "dols-backlog.png").read_bytes().startswith(PNG)


def test_csv(report: MonthReport) -> None:
    text = render_report(report, ReportFormat.CSV).content.decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    by_section: dict[str, list[dict[str, str]]] = {}
    for row in rows:
        by_section.setdefault(row["section"], []).append(row)
    assert len(by_section["action"]) == 27 and len(by_section["measure"]) == 5
    assert len(by_section["quality statement"]) == 9 and len(by_section["summary"]) == 5
    ps02 = next(r for r in by_section["action"] if r["ref"] == "PS-02")
    assert (ps02["rag"], ps02["owner"], ps02["updated"]) == ("Red", "Mark Doyle", "2026-04-13")
    dols = next(r for r in by_section["measure"] if r["ref"] == "dols-backlog")
    assert (dols["latest"], dols["change"], dols["target"], dols["status"]) == (
        "298",
        "-24",
        "250",
        "Off track",
    )


def test_csv_defuses_formulas(report: MonthReport) -> None:
    from dataclasses import replace

    theme = report.appendix.themes[0]
    row = replace(theme.rows[0], progress='=HYPERLINK("http://evil")')
    appendix = replace(report.appendix, themes=(replace(theme, rows=(row,)),))
    text = render_report(MonthReport(report.data, report.digest, appendix), ReportFormat.CSV).content.decode()
    assert "'=HYPERLINK" in text


def test_html(report: MonthReport) -> None:
    text = render_report(report, ReportFormat.HTML).content.decode()
    common_content(text.replace("&#x27;", "'"))
    assert text.count('<img src="data:image/png;base64,') == 6  # a file that stands alone
    served = render_report(report, ReportFormat.HTML, chart_src={"dols-backlog": "/c.png?t=1&x=<>"}).content.decode()
    assert '<img src="/c.png?t=1&amp;x=&lt;&gt;"' in served


async def test_docx_opens_in_libreoffice_with_the_appendix(tmp_path: Path) -> None:
    # Once, not per database: the document does not depend on where the data came from.
    report = await example_report()
    soffice, pdftotext = (
        shutil.which("soffice") or shutil.which("libreoffice"),
        shutil.which("pdftotext"),
    )
    if soffice is None or pdftotext is None:
        pytest.fail(LIBREOFFICE_MISSING)
    docx = tmp_path / "appendix.docx"
    write_report(render_report(report, ReportFormat.DOCX, output=docx), docx)
    with zipfile.ZipFile(docx) as package:
        assert (
            sum(name.startswith("word/media/") for name in package.namelist()) == 6
        )  # the five measures' charts and the readiness scores
    profile = (tmp_path / "lo-profile").as_uri()
    await asyncio.to_thread(
        subprocess.run,
        [
            soffice,
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(docx),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / "appendix.pdf"
    assert pdf.is_file(), "LibreOffice could not convert the DOCX"
    converted = await asyncio.to_thread(
        subprocess.run,
        [pdftotext, "-raw", str(pdf), "-"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    common_content(" ".join(converted.stdout.split()).replace("’", "'"))


def test_charts_are_pngs_for_every_measure(report: MonthReport) -> None:
    charts = charts_for(report)
    assert set(charts) == {s.metric.id for s in report.data.metrics}
    assert all(png.startswith(PNG) and len(png) > 5000 for png in charts.values())


def test_a_chart_with_no_figures_yet_still_renders() -> None:
    assert render_metric_chart(_new_measure(), []).startswith(PNG)


def _new_measure() -> Metric:
    return Metric(
        "new",
        "New measure",
        "cases",
        Direction.UP,
        "a@x",
        DatedValue(10, AS_OF.date()),
        DatedValue(20, AS_OF.date().replace(year=2027)),
    )


def test_a_chart_is_the_same_whatever_was_drawn_before(report: MonthReport) -> None:
    """Charts share one canvas: each must look as it would on a canvas of its own."""
    series = [(s.metric, s.readings) for s in report.data.metrics]
    series.insert(2, (_new_measure(), ()))
    alone = {metric.id: ChartCanvas().draw(metric, readings) for metric, readings in series}
    for order in (series, series[::-1]):
        for metric, readings in order:
            chart_cache.clear_cache()
            assert render_metric_chart(metric, readings) == alone[metric.id], metric.id


def test_charts_asked_for_from_several_threads_are_drawn_whole(report: MonthReport) -> None:
    asked = list(report.data.metrics) * 4
    expected = [ChartCanvas().draw(s.metric, s.readings) for s in asked]

    def draw(one: MetricSeries) -> bytes:
        chart_cache.clear_cache()
        return render_metric_chart(one.metric, one.readings)

    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(draw, asked)) == expected


def test_docx_keeps_awkward_text_as_written(report: MonthReport) -> None:
    """Rows are written as XML text: markup characters, carriage returns, spaces and line breaks
    must come out as the owner typed them, and characters XML cannot hold are dropped."""
    awkward = '  R&D <pilot> "done"\r\nnext: 5 > 4\x07 '
    theme = report.appendix.themes[0]
    row = dataclasses.replace(theme.rows[0], requirement=awkward, progress=awkward)
    appendix = dataclasses.replace(
        report.appendix,
        themes=(dataclasses.replace(theme, rows=(row, *theme.rows[1:])),),
    )
    document = docx.Document(io.BytesIO(render_docx(appendix)))
    cells = document.tables[0].rows[1].cells
    expected = '  R&D <pilot> "done"\r\nnext: 5 > 4 '
    assert cells[0].paragraphs[0].text == expected
    assert cells[1].paragraphs[0].text == expected.strip()  # progress paragraphs are trimmed


HOSTILE = "<script>alert(1)</script> <img src=x onerror=alert(2)> [site](javascript:alert(3))\n# not a heading"


def _with_progress(report: MonthReport, progress: str) -> MonthReport:
    from dataclasses import replace

    theme = report.appendix.themes[0]
    row = replace(theme.rows[0], progress=progress)
    appendix = replace(report.appendix, themes=(replace(theme, rows=(row, *theme.rows[1:])),))
    return MonthReport(report.data, report.digest, appendix)


def test_markdown_is_inert_whatever_owners_typed(report: MonthReport) -> None:
    from markdown_it import MarkdownIt

    text = render_report(_with_progress(report, HOSTILE), ReportFormat.MD).content.decode()
    import re

    assert re.search(r"(?<!\\)<", text) is None  # every "<" in the file is escaped: no raw HTML at all
    # Rendered by a CommonMark renderer with raw HTML allowed, it still holds no tag of theirs.
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<script>" not in html and "<img src=x" not in html and 'href="javascript:' not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html and "[site](javascript:alert(3))" in html
    assert "<h1>not a heading" not in html and "# not a heading" in html
    assert "<br />" in html  # the owner's line break, as Markdown's own hard break


def test_html_drops_control_and_bidi_override_characters(report: MonthReport) -> None:
    typed = "Paid \u202eKCOL\u202c invoice\x07 on time\u2066 ok\u2069"
    text = render_report(_with_progress(report, typed), ReportFormat.HTML).content.decode()
    assert "Paid KCOL invoice on time ok" in text
    assert not any(ch in text for ch in "\u202e\u202c\x07\u2066\u2069")
    markdown = render_report(_with_progress(report, typed), ReportFormat.MD).content.decode()
    assert "Paid KCOL invoice on time ok" in markdown
