"""The board appendix as Markdown and as CSV: plain text, for pasting, diffing and spreadsheets.

Both are inert whatever people typed. The Markdown is CommonMark with no raw HTML at all: text
people typed has HTML and Markdown punctuation backslash-escaped (so `<script>` or `[x](javascript:…)`
shows as typed, on any renderer, HTML-enabled or not), and line breaks are Markdown's own. Control
and bidi-override characters are dropped from every format's text (they can make a line read
differently from what it says). CSV cells a spreadsheet would run as a formula are neutralised.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping

from dialogs import digest_items as words
from dialogs.formatting import month_label, number, plain_number, short_date
from domain.board_appendix import AppendixRow, BoardAppendix
from domain.digest_model import MetricRow

TITLE = "Appendix Two — Details of progress towards objectives of the Improvement Plan"
METRIC_HEADINGS = ("Measure", "Latest", "Change", "Baseline", "Target", "Trajectory", "Status")
CSV_COLUMNS = (
    "section",
    "theme",
    "ref",
    "item",
    "rag",
    "progress",
    "updated",
    "owner",
    "latest",
    "change",
    "baseline",
    "target",
    "trajectory",
    "status",
    "score",
)


def subtitle(appendix: BoardAppendix) -> str:
    return f"{appendix.organisation} — position at {month_label(appendix.month)} (as at {short_date(appendix.as_of)})"


def metric_cells(row: MetricRow) -> tuple[str, ...]:
    """The measures table's cells, shared by every format."""
    trajectory = number(row.trajectory) if row.trajectory is not None else "—"
    return (
        row.name,
        words.latest_words(row),
        words.change_words(row),
        f"{number(row.baseline)} ({short_date(row.baseline_date)})",
        f"{number(row.target)} by {short_date(row.target_date)}",
        trajectory,
        row.status.label,
    )


def progress_paragraphs(row: AppendixRow) -> list[str]:
    paragraphs = [p.strip() for p in row.progress.split("\n\n") if p.strip()] or ["No update yet."]
    if row.progress_date:
        paragraphs.append(f"Updated {short_date(row.progress_date)}.")
    return paragraphs


# Controls other than tab and newline, DEL and C1 controls, and the bidi embeddings, overrides and isolates.
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """``text`` without control or bidi-override characters."""
    return _INVISIBLE.sub("", text)


# --- Markdown ------------------------------------------------------------------------------------

_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]<>|!~&])")
_MD_BLOCK_MARK = re.compile(r"^(\s*)([#>+=-])")  # a heading, quote, list item or underline
_MD_NUMBERED = re.compile(r"^(\s*\d+)([.)])")  # "1." starts a numbered list


def md_text(text: str) -> str:
    """One line of people's text for Markdown: shown as typed, never as HTML, links or markup."""
    escaped = _MD_PUNCTUATION.sub(r"\\\1", inert(text))
    return _MD_NUMBERED.sub(r"\1\\\2", _MD_BLOCK_MARK.sub(r"\1\\\2", escaped))


def md_cell(text: str) -> str:
    """People's text for a Markdown table cell: one line, escaped as md_text does."""
    return md_text(" ".join(text.split()))


def _paragraph(text: str) -> str:
    # A line break inside a paragraph is Markdown's hard break (a trailing backslash), not <br>.
    lines = [md_text(line.strip()) for line in text.splitlines() if line.strip()]
    return "\\\n".join(lines)


def render_markdown(appendix: BoardAppendix, chart_paths: Mapping[str, str] | None = None) -> str:
    """CommonMark (tables from GitHub-flavoured Markdown); charts linked when ``chart_paths`` says where."""
    out = [f"# {TITLE}", "", subtitle(appendix), "", "## Summary", ""]
    for paragraph in appendix.summary:
        out += [_paragraph(paragraph), ""]
    for theme in appendix.themes:
        out += [f"## Theme {theme.number}: {md_text(theme.name)}", ""]
        # One section per action, not a table row: a table cell cannot hold paragraphs without HTML.
        for row in theme.rows:
            out += [
                f"### {md_text(row.ref)} — RAG: {words.rag_word(row.rag)}",
                "",
                f"**Improvement requirement:** {md_cell(row.requirement)}",
                "",
                "**Progress:**",
                "",
            ]
            for paragraph in progress_paragraphs(row):
                out += [_paragraph(paragraph), ""]
        if not theme.rows:
            out += ["No actions under this theme.", ""]
    if appendix.metrics:
        out += [
            "## Waiting lists and DoLS",
            "",
            "| " + " | ".join(METRIC_HEADINGS) + " |",
            "|" + " --- |" * len(METRIC_HEADINGS),
        ]
        out += ["| " + " | ".join(md_cell(c) for c in metric_cells(row)) + " |" for row in appendix.metrics]
        out.append("")
        for metric in appendix.metrics:
            if chart_paths and metric.metric_id in chart_paths:
                out += [
                    f"![{md_text(metric.name)}: trend against baseline, target and trajectory]"
                    f"(<{chart_paths[metric.metric_id]}>)",
                    "",
                ]
    out += _areas_markdown(appendix)
    out += _withdrawn_markdown(appendix)
    return "\n".join(out).rstrip() + "\n"


WITHDRAWN_HEADING = "Withdrawn actions (kept in the history, no longer reported on)"


def _withdrawn_markdown(appendix: BoardAppendix) -> list[str]:
    if not appendix.withdrawn:
        return []
    out = [f"## {WITHDRAWN_HEADING}", "", "| Ref | Improvement requirement | Owner |", "| --- | --- | --- |"]
    out += [f"| {md_cell(w.ref)} | {md_cell(w.requirement)} | {md_cell(w.owner_name)} |" for w in appendix.withdrawn]
    return [*out, ""]


def _areas_markdown(appendix: BoardAppendix) -> list[str]:
    if not appendix.areas:
        return []
    out = [
        "## CQC assessment: quality statement scores",
        "",
        "| Theme | Quality statement | Score (of 4) |",
        "| --- | --- | --- |",
    ]
    out += [f"| {md_cell(a.theme_name)} | {md_cell(a.name)} | {a.score} |" for a in appendix.areas]
    out += [f"| **Total** | | **{appendix.total_score} of {appendix.max_score}** |", ""]
    return out


# --- CSV -----------------------------------------------------------------------------------------


_TEXT_COLUMNS = frozenset({"theme", "ref", "item", "progress", "owner"})


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet would run ``text`` as a formula (=, +, -, @ first, or a tab or CR)."""
    return text.startswith(_FORMULA_STARTS)


def spreadsheet_text(text: str) -> str:
    """People's ``text`` for a CSV cell: with a leading ' when a spreadsheet would run it as a formula.
    Only for text people typed: a generated "+1" or "-3" is a figure and is written as it is."""
    return "'" + text if looks_like_formula(text) else text


class _SafeWriter(csv.DictWriter):
    """The text columns through spreadsheet_text: narratives are typed by people and CSV files get
    opened in Excel."""

    def writerow(self, rowdict: Mapping[str, object]) -> object:
        return super().writerow(
            {k: spreadsheet_text(v) if k in _TEXT_COLUMNS and isinstance(v, str) else v for k, v in rowdict.items()}
        )


def render_csv(appendix: BoardAppendix) -> str:
    """One table, a row per action, measure, quality statement and summary paragraph."""
    buffer = io.StringIO()
    writer = _SafeWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for paragraph in appendix.summary:
        writer.writerow({"section": "summary", "progress": paragraph})
    for theme in appendix.themes:
        for row in theme.rows:
            writer.writerow(
                {
                    "section": "action",
                    "theme": theme.name,
                    "ref": row.ref,
                    "item": row.requirement,
                    "rag": words.rag_word(row.rag),
                    "progress": row.progress,
                    "updated": row.progress_date.isoformat() if row.progress_date else "",
                    "owner": row.owner_name,
                }
            )
    for metric in appendix.metrics:
        writer.writerow(
            {
                "section": "measure",
                "ref": metric.metric_id,
                "item": metric.name,
                "latest": "" if metric.latest is None else plain_number(metric.latest),
                "updated": metric.latest_period.isoformat() if metric.latest_period else "",
                "change": "" if metric.change is None else plain_number(metric.change),
                "baseline": plain_number(metric.baseline),
                "target": plain_number(metric.target),
                "trajectory": "" if metric.trajectory is None else plain_number(metric.trajectory),
                "status": metric.status.label,
            }
        )
    for area in appendix.areas:
        writer.writerow(
            {
                "section": "quality statement",
                "theme": area.theme_name,
                "item": area.name,
                "score": area.score,
            }
        )
    for withdrawn in appendix.withdrawn:
        writer.writerow(
            {
                "section": "withdrawn action",
                "ref": withdrawn.ref,
                "item": withdrawn.requirement,
                "owner": withdrawn.owner_name,
            }
        )
    return buffer.getvalue()
