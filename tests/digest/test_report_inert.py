"""Text people typed (a statement's name, a stretch action's requirement, an evidence item's title, a
rationale) is inert in the report's readiness section and in the evidence pack, in every format: no
formula in a spreadsheet, no markup or table break in Markdown, no HTML and no bidi override."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.reports.evidence_pack import PackFormat, render_pack
from bot.reports.export import ReportFormat, render_report
from bot.reports.readiness_section import TABLE_HEADINGS
from bot.services.evidence import load_pack
from bot.services.reporting import load_month_report
from domain.evidence import EvidenceCategory
from domain.evidence_pack import EvidencePack
from domain.month_report import MonthReport
from storage import evidence, people, readiness
from storage.models import ImprovementAction, QualityStatement
from tests.digest.history import AS_OF, MONTH

HOSTILE = '=HYPERLINK("http://x","y") | pipe <script>alert(1)</script> \u202eevil'
# What md_text makes of it: the leading = and every |, <, > backslash-escaped, the override dropped.
HOSTILE_MD = '\\=HYPERLINK("http://x","y") \\| pipe \\<script\\>alert(1)\\</script\\> evil'
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


@pytest.fixture
async def hostile(sessions: async_sessionmaker[AsyncSession], history: None) -> tuple[MonthReport, EvidencePack]:
    async with sessions.begin() as session:
        statement = await session.get(QualityStatement, "assessing-needs")
        assert statement is not None
        statement.name = HOSTILE
        stretch = await session.scalar(select(ImprovementAction).where(ImprovementAction.ref == "STR-01"))
        assert stretch is not None
        stretch.requirement = HOSTILE
        adder = await people.person_by_email(session, "rachel.ahmed@halton.example")
        assert adder is not None
        item = evidence.NewEvidence(
            HOSTILE, "https://halton.example/x.pdf", ("assessing-needs",), EvidenceCategory.PROCESSES, date(2026, 4, 3)
        )
        await evidence.add_item(session, item, adder=adder, source="teams", now=datetime(2026, 4, 3, 9, tzinfo=UTC))
        await readiness.record_assessment(
            session,
            readiness.NewAssessment("assessing-needs", 4, HOSTILE, ""),
            assessor=adder,
            source="teams",
            activity_id=None,
            now=datetime(2026, 4, 3, 10, tzinfo=UTC),
        )
    async with sessions() as session:
        report = await load_month_report(session, MONTH, AS_OF)
    pack = await load_pack(sessions, statement=None, timezone="Europe/London", today=AS_OF.date())
    assert report is not None and report.readiness is not None and isinstance(pack, EvidencePack)
    return report, pack


def _formula_cells(text: str) -> list[str]:
    """Cells holding the hostile text that do not start with the neutralising '."""
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row if "HYPERLINK" in cell]
    assert cells
    return [cell for cell in cells if not cell.startswith("'=")]


def test_the_reports_csv_neutralises_formulas_in_the_readiness_rows(hostile: tuple[MonthReport, EvidencePack]) -> None:
    text = render_report(hostile[0], ReportFormat.CSV).content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    readiness_row = next(r for r in rows if r[0] == "readiness" and "HYPERLINK" in r[1])
    assert readiness_row[1] == "'" + HOSTILE
    assert readiness_row[4] == "+1"  # a generated change is a figure, left as it is
    assert next(r for r in rows if r[0] == "stretch")[:3] == ["stretch", "STR-01", "'" + HOSTILE]
    assert _formula_cells(text) == []


def test_the_reports_markdown_escapes_the_readiness_section(hostile: tuple[MonthReport, EvidencePack]) -> None:
    text = render_report(hostile[0], ReportFormat.MD).content.decode()
    section = text[text.index("## CQC readiness") :]
    assert "<script>" not in text and "\u202e" not in text
    table = [line for line in section.splitlines() if line.startswith("| ")]
    # Every row keeps the heading's columns: the | typed in a name does not split a cell.
    statements = [line for line in table if len(UNESCAPED_PIPE.findall(line)) == len(TABLE_HEADINGS) + 1]
    assert any(line.startswith(f"| {HOSTILE_MD} | ") for line in statements)
    assert f"| STR-01 | {HOSTILE_MD} | {HOSTILE_MD} | " in section
    assert all(len(UNESCAPED_PIPE.findall(line)) in {len(TABLE_HEADINGS) + 1, 5} for line in table)


def test_the_reports_html_escapes_the_readiness_section(hostile: tuple[MonthReport, EvidencePack]) -> None:
    page = render_report(hostile[0], ReportFormat.HTML, chart_src={}).content.decode()
    section = page[page.index('<section aria-labelledby="readiness">') :]
    assert "<script>" not in page and "\u202e" not in page
    assert '<th scope="row">=HYPERLINK(&quot;http://x&quot;,&quot;y&quot;) | pipe &lt;script&gt;' in section


def test_the_evidence_packs_csv_neutralises_formulas(hostile: tuple[MonthReport, EvidencePack]) -> None:
    text = render_pack(hostile[1], PackFormat.CSV).decode()
    row = next(r for r in csv.reader(io.StringIO(text)) if r[3].endswith("evil"))
    assert row[0] == row[3] == "'" + HOSTILE and row[2] == "2026-04-03"
    assert _formula_cells(text) == []


def test_the_evidence_packs_xlsx_holds_text_not_formulas(hostile: tuple[MonthReport, EvidencePack]) -> None:
    book = load_workbook(io.BytesIO(render_pack(hostile[1], PackFormat.XLSX)))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert [cell.coordinate for cell in cells if cell.data_type == "f"] == []
    typed = [cell for cell in cells if cell.value == HOSTILE]
    # The statement's name (Summary, Evidence, Actions), the item's title and the stretch requirement.
    assert {cell.parent.title for cell in typed} == {"Summary", "Evidence", "Actions"}
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in typed)
    # The DOCX renders it as plain text too.
    assert render_pack(hostile[1], PackFormat.DOCX).startswith(b"PK")


def test_the_evidence_packs_xlsx_drops_control_characters_the_format_refuses(
    hostile: tuple[MonthReport, EvidencePack],
) -> None:
    _, pack = hostile
    figures = tuple(dataclasses.replace(f, name="Waiting\x01 list\x0b") for f in pack.figures)
    book = load_workbook(io.BytesIO(render_pack(dataclasses.replace(pack, figures=figures), PackFormat.XLSX)))
    names = [row[0] for row in book["Figures"].iter_rows(min_row=2, values_only=True)]
    assert names and set(names) == {"Waiting list"}
