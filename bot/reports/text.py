"""The board appendix as Markdown and as CSV: plain text, for pasting, diffing and spreadsheets."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

from dialogs import digest_items as words
from domain.board_appendix import AppendixRow, BoardAppendix, month_words
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
    return (
        f"{appendix.organisation} — position at {month_words(appendix.month)} "
        f"(as at {words.short_date(appendix.as_of)})"
    )


def metric_cells(row: MetricRow) -> tuple[str, ...]:
    """The measures table's cells, shared by every format."""
    unit = f" {row.unit}" if row.unit else ""
    latest = (
        f"{words.number(row.latest)}{unit} ({month_words(f'{row.latest_period:%Y-%m}')})"
        if row.latest is not None and row.latest_period
        else "No figure yet"
    )
    trajectory = words.number(row.trajectory) if row.trajectory is not None else "—"
    return (
        row.name,
        latest,
        words.change_words(row),
        f"{words.number(row.baseline)} ({words.short_date(row.baseline_date)})",
        f"{words.number(row.target)} by {words.short_date(row.target_date)}",
        trajectory,
        row.status.label,
    )


def progress_paragraphs(row: AppendixRow) -> list[str]:
    paragraphs = [p.strip() for p in row.progress.split("\n\n") if p.strip()] or ["No update yet."]
    if row.progress_date:
        paragraphs.append(f"Updated {words.short_date(row.progress_date)}.")
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
        for row in appendix.metrics:
            if chart_paths and row.metric_id in chart_paths:
                out += [
                    f"![{row.name}: trend against baseline, target and trajectory]({chart_paths[row.metric_id]})",
                    "",
                ]
    out += _areas_markdown(appendix)
    return "\n".join(out).rstrip() + "\n"


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


class _SafeWriter(csv.DictWriter):  # type: ignore[type-arg]
    """Text a spreadsheet would run as a formula (=, +, -, @ first) is written with a leading ',
    since narratives are typed by people and CSV files get opened in Excel."""

    def writerow(self, rowdict):  # type: ignore[no-untyped-def, override]
        return super().writerow(
            {
                k: "'" + v if k in _TEXT_COLUMNS and v[:1] in ("=", "+", "-", "@", "\t", "\r") else v
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
                "latest": "" if metric.latest is None else f"{metric.latest:g}",
                "updated": metric.latest_period.isoformat() if metric.latest_period else "",
                "change": "" if metric.change is None else f"{metric.change:g}",
                "baseline": f"{metric.baseline:g}",
                "target": f"{metric.target:g}",
                "trajectory": "" if metric.trajectory is None else f"{metric.trajectory:g}",
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
    return buffer.getvalue()
