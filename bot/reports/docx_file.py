"""The board appendix as a Word document (python-docx), to drop into the Executive Board paper.

Plain built-in styles only ("Table Grid", headings), so it opens cleanly in Word and LibreOffice
and takes the council's template styles when pasted. RAG is written as words as well as shaded,
so it survives a black-and-white print.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time

from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Length, Pt
from docx.table import Table, _Cell

from bot.reports.text import (
    METRIC_HEADINGS,
    TITLE,
    WITHDRAWN_HEADING,
    metric_cells,
    progress_paragraphs,
    subtitle,
)
from dialogs import digest_items as words
from domain.board_appendix import AppendixTheme, BoardAppendix
from domain.model import Rag

_SHADE = {Rag.RED: "F4C7C3", Rag.AMBER: "FCE8B2", Rag.GREEN: "B7E1CD", Rag.COMPLETE: "D9D9D9"}
_HEADER_SHADE = "E8E8E8"


def render_docx(appendix: BoardAppendix, charts: Mapping[str, bytes] | None = None) -> bytes:
    document = Document()
    _page_setup(document)
    # Fixed metadata: the same month's data gives the same document, whoever runs it.
    moment = datetime.combine(appendix.as_of, time(12), UTC)
    props = document.core_properties
    props.title, props.author, props.subject = TITLE, "CQC Improvement Bot", appendix.organisation
    props.created = props.modified = moment
    props.last_modified_by, props.revision = "CQC Improvement Bot", 1

    document.add_heading(TITLE, level=1)
    document.add_paragraph(subtitle(appendix))
    document.add_heading("Summary", level=2)
    for paragraph in appendix.summary:
        document.add_paragraph(paragraph)
    # The themes' rows go in last: python-docx numbers each picture by searching the whole
    # document, which is quick before thousands of rows are in it.
    theme_rows = [_theme_table(document, theme) for theme in appendix.themes]
    if appendix.metrics:
        _metrics(document, appendix, charts or {})
    if appendix.areas:
        _areas(document, appendix)
    if appendix.withdrawn:
        _withdrawn(document, appendix)
    for rows in theme_rows:
        rows.add()
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _page_setup(document: DocxDocument) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)  # A4
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    document.styles["Normal"].font.name = "Arial"
    document.styles["Normal"].font.size = Pt(10)


def _theme_table(document: DocxDocument, theme: AppendixTheme) -> PendingRows:
    """The theme's heading and table; its rows are returned, to be added when asked."""
    document.add_heading(f"Theme {theme.number}: {theme.name}", level=2)
    widths = (Cm(5.5), Cm(11.5))
    table = _table(document, ("Improvement requirement", "Progress"), widths)
    rows: list[tuple[Cell, ...]] = []
    for row in theme.rows:
        requirement = Cell(
            (
                ((row.requirement, False, None),),
                ((f"RAG: {words.rag_word(row.rag)}", True, None),),
                ((row.ref, False, "595959"),),
            ),
            _SHADE[row.rag] if row.rag else None,
        )
        progress = Cell(tuple(((text, False, None),) for text in progress_paragraphs(row)))
        rows.append((requirement, progress))
    if not theme.rows:
        rows.append(
            (
                Cell(((("No actions under this theme.", False, None),),)),
                Cell(((("", False, None),),)),
            )
        )
    return PendingRows(table, widths, rows)


def _metrics(document: DocxDocument, appendix: BoardAppendix, charts: Mapping[str, bytes]) -> None:
    document.add_heading("Waiting lists and DoLS", level=2)
    widths = tuple(Cm(w) for w in (3.6, 2.6, 2.6, 2.2, 2.2, 1.8, 2.0))
    table = _table(document, METRIC_HEADINGS, widths, font_size=Pt(8))
    _add_rows(
        table,
        widths,
        [tuple(Cell((((text, False, None),),), size=16) for text in metric_cells(row)) for row in appendix.metrics],
    )
    for row in appendix.metrics:
        png = charts.get(row.metric_id)
        if png:
            document.add_picture(io.BytesIO(png), width=Cm(16))
            caption = document.add_paragraph(f"{row.name}: trend against baseline, target and trajectory")
            caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
            caption.runs[0].font.size = Pt(8)


def _areas(document: DocxDocument, appendix: BoardAppendix) -> None:
    document.add_heading("CQC assessment: quality statement scores", level=2)
    widths = (Cm(6), Cm(8), Cm(3))
    table = _table(document, ("Theme", "Quality statement", "Score (of 4)"), widths)
    rows = [
        tuple(Cell((((text, False, None),),)) for text in (area.theme_name, area.name, str(area.score)))
        for area in appendix.areas
    ]
    total = f"{appendix.total_score} of {appendix.max_score}"
    rows.append(
        (
            Cell(((("Total", True, None),),)),
            Cell(((("", False, None),),)),
            Cell((((total, True, None),),)),
        )
    )
    _add_rows(table, widths, rows)


def _withdrawn(document: DocxDocument, appendix: BoardAppendix) -> None:
    document.add_heading(WITHDRAWN_HEADING, level=2)
    widths = (Cm(3), Cm(10), Cm(4))
    table = _table(document, ("Ref", "Improvement requirement", "Owner"), widths)
    rows = [
        tuple(Cell((((text, False, None),),)) for text in (w.ref, w.requirement, w.owner_name))
        for w in appendix.withdrawn
    ]
    _add_rows(table, widths, rows)


# --- fast rows -----------------------------------------------------------------------------------
# python-docx's cell/paragraph/run API costs about a millisecond per row part, which for a plan of
# thousands of actions is seconds. Rows are plain WordprocessingML, so a table's rows are written
# as one XML string and parsed in one go: lxml's parser makes no Python object per element.

Run = tuple[str, bool, str | None]  # text, bold, colour (hex) or None


@dataclass(frozen=True)
class Cell:
    paragraphs: tuple[tuple[Run, ...], ...]
    fill: str | None = None
    size: int | None = None  # half-points, e.g. 16 = 8 pt


@dataclass(frozen=True)
class PendingRows:
    table: Table
    widths: tuple[Length, ...]
    rows: list[tuple[Cell, ...]]

    def add(self) -> None:
        _add_rows(self.table, self.widths, self.rows)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # XML 1.0 refuses these
# Markup characters, and carriage returns, which a parser would otherwise turn into line feeds.
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", "\r": "&#13;"})


def _add_rows(table: Table, widths: tuple[Length, ...], rows: list[tuple[Cell, ...]]) -> None:
    cell_starts = [f'<w:tc><w:tcPr><w:tcW w:w="{int(width.twips)}" w:type="dxa"/>' for width in widths]
    xml = [f"<w:tbl {nsdecls('w')}>"]
    for cells in rows:
        xml.append("<w:tr>")
        for cell, start in zip(cells, cell_starts, strict=True):
            xml.append(start)
            if cell.fill:
                xml.append(f'<w:shd w:val="clear" w:color="auto" w:fill="{cell.fill}"/>')
            xml.append("</w:tcPr>")
            for paragraph in cell.paragraphs:
                xml.append("<w:p>")
                xml.extend(_run(text, bold, colour, cell.size) for text, bold, colour in paragraph)
                xml.append("</w:p>")
            xml.append("</w:tc>")
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    table._tbl.extend(parse_xml("".join(xml)))


def _run(text: str, bold: bool, colour: str | None, size: int | None) -> str:
    props = ""
    if bold or colour or size:
        props = "".join(
            (
                "<w:rPr>",
                "<w:b/>" if bold else "",
                f'<w:color w:val="{colour}"/>' if colour else "",
                f'<w:sz w:val="{size}"/>' if size else "",
                "</w:rPr>",
            )
        )
    lines = _NOT_XML.sub("", text).translate(_ESCAPES).split("\n")
    # xml:space="preserve" keeps a line's leading and trailing spaces, here and in Word.
    texts = "<w:br/>".join(f'<w:t xml:space="preserve">{line}</w:t>' for line in lines)
    return f"<w:r>{props}{texts}</w:r>"


def _table(
    document: DocxDocument,
    headings: tuple[str, ...],
    widths: tuple[Length, ...],
    font_size: Length | None = None,
) -> Table:
    table = document.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    table.autofit = False
    for cell, heading in zip(table.rows[0].cells, headings, strict=True):
        run = cell.paragraphs[0].add_run(heading)
        run.bold = True
        if font_size:
            run.font.size = font_size
        _shade(cell, _HEADER_SHADE)
    # The heading row repeats on every page when a theme's table runs on.
    header_props = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    repeat.set(qn("w:val"), "true")
    header_props.append(repeat)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
        for cell in column.cells:
            cell.width = width
    return table


def _shade(cell: _Cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shading)
