"""The board appendix as Markdown and as CSV: plain text, for pasting, diffing and spreadsheets."""

from __future__ import annotations

import csv
import io
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


# --- Markdown ------------------------------------------------------------------------------------


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "\\|").split())


def render_markdown(appendix: BoardAppendix, chart_paths: Mapping[str, str] | None = None) -> str:
    """GitHub-flavoured Markdown; charts are linked when ``chart_paths`` gives where they are."""
    out = [f"# {TITLE}", "", subtitle(appendix), "", "## Summary", ""]
    for paragraph in appendix.summary:
        out += [paragraph, ""]
    for theme in appendix.themes:
        out += [
            f"## Theme {theme.number}: {theme.name}",
            "",
            "| Improvement requirement | Progress |",
            "| --- | --- |",
        ]
        for row in theme.rows:
            requirement = f"{_cell(row.requirement)}<br>**RAG: {words.rag_word(row.rag)}** ({row.ref})"
            progress = "<br><br>".join(
                "<br>".join(_cell(line) for line in p.splitlines()) for p in progress_paragraphs(row)
            )
            out.append(f"| {requirement} | {progress} |")
        if not theme.rows:
            out.append("| No actions under this theme | |")
        out.append("")
    if appendix.metrics:
        out += [
            "## Waiting lists and DoLS",
            "",
            "| " + " | ".join(METRIC_HEADINGS) + " |",
            "|" + " --- |" * len(METRIC_HEADINGS),
        ]
        out += ["| " + " | ".join(_cell(c) for c in metric_cells(row)) + " |" for row in appendix.metrics]
        out.append("")
        for metric in appendix.metrics:
            if chart_paths and metric.metric_id in chart_paths:
                out += [
                    f"![{metric.name}: trend against baseline, target and trajectory]({chart_paths[metric.metric_id]})",
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
    out += [f"| {_cell(w.ref)} | {_cell(w.requirement)} | {_cell(w.owner_name)} |" for w in appendix.withdrawn]
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
    out += [f"| {_cell(a.theme_name)} | {_cell(a.name)} | {a.score} |" for a in appendix.areas]
    out += [f"| **Total** | | **{appendix.total_score} of {appendix.max_score}** |", ""]
    return out


# --- CSV -----------------------------------------------------------------------------------------


_TEXT_COLUMNS = frozenset({"theme", "ref", "item", "progress", "owner"})


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class _SafeWriter(csv.DictWriter):
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading ',
    since narratives are typed by people and CSV files get opened in Excel."""

    def writerow(self, rowdict: Mapping[str, object]) -> object:
        return super().writerow(
            {
                k: "'" + v if k in _TEXT_COLUMNS and isinstance(v, str) and v.startswith(_FORMULA_STARTS) else v
                for k, v in rowdict.items()
            }
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
