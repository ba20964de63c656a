"""The evidence pack as CSV, XLSX (openpyxl) or DOCX (python-docx): one section per quality statement.

Links are written as text and as hyperlinks; nothing is fetched. Dates are spelt out in DOCX and ISO
in the spreadsheets, where they sort. Titles, names and requirements are typed by people, so no
spreadsheet cell is ever a formula (the pack has none of its own): in the CSV such text gets a leading
' (as the report's CSV), in the XLSX it is a text cell, shown as typed.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time
from enum import StrEnum

from docx import Document
from docx.shared import Cm, Pt
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from bot.reports.text import looks_like_formula, spreadsheet_text
from dialogs import digest_items as words
from dialogs.formatting import long_date, number
from domain.evidence_pack import EvidencePack, category_label

TITLE = "CQC evidence pack"


class PackFormat(StrEnum):
    XLSX = "xlsx"
    DOCX = "docx"
    CSV = "csv"

    @property
    def binary(self) -> bool:
        return self is not PackFormat.CSV


def render_pack(pack: EvidencePack, fmt: PackFormat) -> bytes:
    if fmt is PackFormat.CSV:
        return _csv(pack).encode("utf-8")
    if fmt is PackFormat.XLSX:
        return _xlsx(pack)
    return _docx(pack)


EVIDENCE_HEADINGS = ("Statement", "Category", "Date", "Title", "Link", "Action", "Added by", "Source")
ACTION_HEADINGS = ("Statement", "Ref", "Stretch", "Improvement requirement", "Owner", "RAG", "Latest progress")
FIGURE_HEADINGS = ("Figure", "Unit", "Baseline", "Latest", "Latest month", "Target", "Target date")
SUMMARY_HEADINGS = ("Statement", "Theme", "Lead", "CQC score", "Latest self-assessment", "Evidence items", "Thin in")


def _summary_rows(pack: EvidencePack) -> list[list[object]]:
    rows: list[list[object]] = []
    for entry in pack.statements:
        s = entry.statement
        rows.append(
            [
                s.name,
                s.theme_name,
                s.lead_name or "",
                s.cqc_score,
                s.latest.score if s.latest else "",
                sum(len(items) for _, items in entry.by_category),
                "; ".join(c.label for c in entry.thin),
            ]
        )
    return rows


def _evidence_rows(pack: EvidencePack) -> list[list[object]]:
    return [
        [
            entry.statement.name,
            category_label(category),
            item.evidence_date.isoformat(),
            item.title,
            item.url,
            item.action_ref or "",
            item.added_by,
            item.source,
        ]
        for entry in pack.statements
        for category, items in entry.by_category
        for item in items
    ]


def _action_rows(pack: EvidencePack) -> list[list[object]]:
    return [
        [
            entry.statement.name,
            a.ref,
            "yes" if a.stretch else "",
            a.requirement,
            a.owner,
            words.rag_word(a.rag) if a.rag else "No RAG yet",
            a.latest_progress or "",
        ]
        for entry in pack.statements
        for a in entry.statement.actions
    ]


def _figure_rows(pack: EvidencePack) -> list[list[object]]:
    return [
        [f.name, f.unit, f.baseline, f.latest if f.latest is not None else "", f.latest_period or "", f.target,
         f.target_date.isoformat()]
        for f in pack.figures
    ]  # fmt: skip


def _csv(pack: EvidencePack) -> str:
    """One table, a row per item: what a CQC portal upload or a mail merge wants."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EVIDENCE_HEADINGS)
    # Every text cell: the generated ones (dates, categories, "teams") never look like a formula.
    writer.writerows([spreadsheet_text(v) if isinstance(v, str) else v for v in row] for row in _evidence_rows(pack))
    return buffer.getvalue()


def _xlsx(pack: EvidencePack) -> bytes:
    book = Workbook()
    sheets = (
        ("Summary", SUMMARY_HEADINGS, _summary_rows(pack)),
        ("Evidence", EVIDENCE_HEADINGS, _evidence_rows(pack)),
        ("Actions", ACTION_HEADINGS, _action_rows(pack)),
        ("Figures", FIGURE_HEADINGS, _figure_rows(pack)),
    )
    first = book.active
    assert first is not None  # a new workbook always has its first sheet
    book.remove(first)
    for title, headings, rows in sheets:
        sheet = book.create_sheet(title)
        sheet.append(list(headings))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for row in rows:
            # Control characters the XLSX format refuses (openpyxl raises on them) are dropped.
            sheet.append([ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row])
            for cell in sheet[sheet.max_row]:
                # openpyxl makes any "=…" a formula; people's text stays text, and quotePrefix keeps
                # Excel from reading it as one when the cell is edited.
                if isinstance(cell.value, str) and looks_like_formula(cell.value):
                    cell.data_type, cell.quotePrefix = "s", True
        if title == "Evidence":
            for (link,) in sheet.iter_rows(min_row=2, min_col=5, max_col=5):
                link.hyperlink = str(link.value)
    # Fixed metadata: the same library gives the same workbook.
    book.properties.creator = "CQC Improvement Bot"
    book.properties.created = book.properties.modified = datetime.combine(pack.as_of, time(12))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _docx(pack: EvidencePack) -> bytes:
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)
    props = document.core_properties
    props.title, props.author, props.subject = TITLE, "CQC Improvement Bot", pack.organisation
    props.created = props.modified = datetime.combine(pack.as_of, time(12), UTC)
    props.last_modified_by, props.revision = "CQC Improvement Bot", 1

    document.add_heading(f"{TITLE} — {pack.organisation}", level=1)
    document.add_paragraph(f"As of {long_date(pack.as_of)}.")
    document.add_paragraph(f"CQC's published scores: {pack.cqc_summary}.")
    document.add_paragraph(f"Latest self-assessment: {pack.self_summary}.")
    for entry in pack.statements:
        s = entry.statement
        document.add_heading(f"{s.name} ({s.theme_name})", level=2)
        latest = (
            f"{s.latest.score} of 4, {long_date(s.latest.assessed_at.date())} by {s.latest.assessor}"
            if s.latest
            else "not yet"
        )
        document.add_paragraph(
            f"Lead: {s.lead_name or 'none named'}. CQC's score: {s.cqc_score} of 4. Self-assessed: {latest}."
        )
        if s.latest:
            document.add_paragraph(f"Why: {s.latest.rationale}")
        if entry.thin:
            flag = document.add_paragraph()
            flag.add_run("Thin evidence: ").bold = True
            flag.add_run("; ".join(c.label for c in entry.thin) + ".")
        document.add_heading("Actions and their latest progress", level=3)
        if s.actions:
            table = document.add_table(rows=1, cols=4)
            table.style = "Table Grid"
            for cell, text in zip(
                table.rows[0].cells, ("Ref", "Improvement requirement", "RAG", "Latest progress"), strict=True
            ):
                cell.text = text
                cell.paragraphs[0].runs[0].bold = True
            for a in s.actions:
                cells = table.add_row().cells
                cells[0].text = f"{a.ref}{' (stretch — toward Outstanding)' if a.stretch else ''}"
                cells[1].text = f"{a.requirement}\nOwner: {a.owner}"
                cells[2].text = words.rag_word(a.rag) if a.rag else "No RAG yet"
                cells[3].text = a.latest_progress or ""
        else:
            document.add_paragraph("No actions in the plan for this statement.")
        document.add_heading("Evidence by category", level=3)
        for category, items in entry.by_category:
            heading = document.add_paragraph()
            heading.add_run(f"{category_label(category)} ({len(items)})").bold = True
            if not items:
                document.add_paragraph("None in the library yet.", style="List Bullet")
            for item in items:
                document.add_paragraph(
                    f"{item.title} — {long_date(item.evidence_date)}, added by {item.added_by}"
                    f"{f', for {item.action_ref}' if item.action_ref else ''}: {item.url}",
                    style="List Bullet",
                )
    if pack.figures:
        document.add_heading("The plan's figures", level=2)
        table = document.add_table(rows=1, cols=len(FIGURE_HEADINGS))
        table.style = "Table Grid"
        for cell, text in zip(table.rows[0].cells, FIGURE_HEADINGS, strict=True):
            cell.text = text
        for f in pack.figures:
            values = (f.name, f.unit, number(f.baseline), number(f.latest) if f.latest is not None else "—",
                      f.latest_period or "—", number(f.target), long_date(f.target_date))  # fmt: skip
            for cell, text in zip(table.add_row().cells, values, strict=True):
                cell.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
