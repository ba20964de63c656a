"""The board report's "CQC readiness" section in each format, and its chart (CQC's score against the
latest self-assessment per statement). Hooked into bot/reports/export.py after the appendix.

The chart is never the only carrier: the table beside it holds every figure, and the chart tells
the two series apart by pattern and label as well as colour. Names, refs and requirements are typed
by people, so each format escapes them as the appendix does (bot/reports/text.py, html_page.py).
"""

from __future__ import annotations

import csv
import io

from bot.reports.html_page import escape
from bot.reports.text import md_cell, md_text, spreadsheet_text
from dialogs.digest_readiness import STRETCH_HEADING, next_band_words
from domain.evidence import EvidenceCategory
from domain.readiness_view import Readiness, StatementReadiness

HEADING = "CQC readiness"
TABLE_HEADINGS = ("Quality statement", "CQC score", "Self-assessed", "Change", *(c.label for c in EvidenceCategory))
CHART_ALT = (
    "Bar chart: CQC's score and the latest self-assessment (of 4) for each quality statement; "
    "the table gives every figure."
)
_CQC, _SELF = "#0072B2", "#E69F00"  # Okabe–Ito, colour-blind safe; hatching tells them apart in grey


def _row(s: StatementReadiness) -> tuple[str, ...]:
    counts = s.evidence_counts
    own = str(s.latest.score) if s.latest else "not yet"
    change = "" if s.change is None else ("no change" if s.change == 0 else f"{s.change:+d}")
    thin = set(s.thin)
    return (
        s.name,
        str(s.cqc_score),
        own,
        change,
        *(f"{counts[c]}{' (thin)' if c in thin else ''}" for c in EvidenceCategory),
    )


def summary_paragraphs(r: Readiness) -> list[str]:
    lines = [
        f"CQC's published scores: {r.cqc.summary}.",
        f"Latest self-assessment ({r.assessed} of {len(r.statements)} statements assessed): {r.self_assessed_words}.",
    ]
    if words := next_band_words(r.self_assessed):
        lines.append(f"{words}.")
    if r.signoff:
        lines.append(f"{r.signoff}.")
    return lines


def _stretch(r: Readiness) -> list[tuple[str, str, str, str]]:
    return [
        (a.ref, a.requirement, s.name, a.rag.label if a.rag else "No RAG yet")
        for s in r.statements
        for a in s.stretch_actions
    ]


def render_chart(r: Readiness) -> bytes:
    """A PNG of the scores per statement, CQC's beside the self-assessed (CQC's until the first)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6.4, 0.42 * len(r.statements) + 1.0), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    names = [s.name if len(s.name) <= 34 else s.name[:33] + "…" for s in r.statements][::-1]
    positions = range(len(names))
    cqc = [s.cqc_score for s in r.statements][::-1]
    own = [s.self_score for s in r.statements][::-1]
    axes.barh([p + 0.2 for p in positions], cqc, height=0.38, color=_CQC, label="CQC's score")
    axes.barh([p - 0.2 for p in positions], own, height=0.38, color=_SELF, hatch="//", edgecolor="#333333",
              label="Self-assessed")  # fmt: skip
    axes.set_yticks(list(positions), names, fontsize=7)
    axes.set_xlim(0, 4.05)
    axes.set_xticks([1, 2, 3, 4])
    axes.tick_params(axis="x", labelsize=7)
    axes.grid(axis="x", linewidth=0.3, alpha=0.6)
    axes.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    axes.set_title("Scores per quality statement (of 4)", fontsize=9, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    # Fixed margins rather than a layout engine (as chart_drawing.py): the names fit a third of the width.
    height = 0.42 * len(r.statements) + 1.0
    figure.subplots_adjust(left=0.36, right=0.97, top=1 - 0.35 / height, bottom=0.55 / height)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def markdown(r: Readiness | None, chart_path: str | None = None) -> str:
    if r is None:
        return ""
    out = ["", f"## {HEADING}", "", *[f"{md_text(p)}\n" for p in summary_paragraphs(r)]]
    out.append("| " + " | ".join(TABLE_HEADINGS) + " |")
    out.append("|" + " --- |" * len(TABLE_HEADINGS))
    # Only the name is people's text: the figures go as they are (md_text would make "+1" "\+1").
    out += ["| " + " | ".join((md_cell(s.name), *_row(s)[1:])) + " |" for s in r.statements]
    if chart_path:
        out += ["", f"![{CHART_ALT}]({chart_path})"]
    if stretch := _stretch(r):
        out += [
            "",
            f"### {STRETCH_HEADING}",
            "",
            "| Ref | Action | Quality statement | RAG |",
            "| --- | --- | --- | --- |",
        ]
        out += [f"| {md_cell(ref)} | {md_cell(text)} | {md_cell(name)} | {rag} |" for ref, text, name, rag in stretch]
    if r.drift_lines:
        out += ["", "### Changes since sign-off", "", *[f"- {md_text(line)}" for line in r.drift_lines]]
    return "\n".join(out) + "\n"


def html_section(r: Readiness | None, chart_src: str | None = None) -> str:
    if r is None:
        return ""
    e = escape
    parts = [f'<section aria-labelledby="readiness"><h2 id="readiness">{HEADING}</h2>']
    parts += [f"<p>{e(p)}</p>" for p in summary_paragraphs(r)]
    parts.append("<table><caption>Scores and evidence per quality statement</caption><thead><tr>")
    parts += [f'<th scope="col">{e(h)}</th>' for h in TABLE_HEADINGS]
    parts.append("</tr></thead><tbody>")
    for s in r.statements:
        cells = _row(s)
        parts.append(
            f'<tr><th scope="row">{e(cells[0])}</th>' + "".join(f"<td>{e(c)}</td>" for c in cells[1:]) + "</tr>"
        )
    parts.append("</tbody></table>")
    if chart_src:
        parts.append(
            f'<figure><img src="{e(chart_src)}" alt="{e(CHART_ALT)}"><figcaption>{e(CHART_ALT)}</figcaption></figure>'
        )
    if stretch := _stretch(r):
        parts.append(f"<h3>{e(STRETCH_HEADING)}</h3><ul>")
        parts += [
            f"<li><strong>{e(ref)}</strong> — {e(text)} ({e(name)}): {e(rag)}</li>" for ref, text, name, rag in stretch
        ]
        parts.append("</ul>")
    if r.drift_lines:
        parts.append("<h3>Changes since sign-off</h3><ul>")
        parts += [f"<li>{e(line)}</li>" for line in r.drift_lines]
        parts.append("</ul>")
    parts.append("</section>")
    return "".join(parts)


def csv_rows(r: Readiness | None) -> str:
    """Rows for the report's CSV, in a section of their own."""
    if r is None:
        return ""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["readiness", *TABLE_HEADINGS])
    for s in r.statements:
        # Only the name is people's text: the change ("+1", "-1") is a figure and stays as it is.
        writer.writerow(["readiness", spreadsheet_text(s.name), *_row(s)[1:]])
    writer.writerow(["readiness-total", "CQC", r.cqc.summary])
    writer.writerow(["readiness-total", "Self-assessed", r.self_assessed.summary])
    for ref, text, name, rag in _stretch(r):
        writer.writerow(["stretch", spreadsheet_text(ref), spreadsheet_text(text), spreadsheet_text(name), rag])
    for line in r.drift_lines:
        writer.writerow(["signoff-drift", spreadsheet_text(line)])  # it starts with a ref
    return buffer.getvalue()


def add_to_docx(document_bytes: bytes, r: Readiness | None, chart: bytes | None = None) -> bytes:
    """The section appended to a rendered report."""
    if r is None:
        return document_bytes
    from docx import Document
    from docx.shared import Cm

    document = Document(io.BytesIO(document_bytes))
    document.add_heading(HEADING, level=2)
    for paragraph in summary_paragraphs(r):
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=len(TABLE_HEADINGS))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, TABLE_HEADINGS, strict=True):
        cell.text = text
    for s in r.statements:
        for cell, text in zip(table.add_row().cells, _row(s), strict=True):
            cell.text = text
    if chart:
        document.add_picture(io.BytesIO(chart), width=Cm(16))
        document.add_paragraph(CHART_ALT)
    if stretch := _stretch(r):
        document.add_heading(STRETCH_HEADING, level=3)
        for ref, text, name, rag in stretch:
            document.add_paragraph(f"{ref} — {text} ({name}): {rag}", style="List Bullet")
    if r.drift_lines:
        document.add_heading("Changes since sign-off", level=3)
        for line in r.drift_lines:
            document.add_paragraph(line, style="List Bullet")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
