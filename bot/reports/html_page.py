"""The board appendix as one HTML page: what the digest's "Open the full report" button opens.

Everything people typed is escaped, without control or bidi-override characters. The bot serves the
page with a Content-Security-Policy that allows no script (bot/web/report_response.py). Charts are given
as image sources: signed URLs when the bot serves the page, data: URIs when it is exported to a file
(so the file stands alone).
"""

from __future__ import annotations

import base64
import html
from collections.abc import Mapping

from bot.reports.text import (
    METRIC_HEADINGS,
    TITLE,
    WITHDRAWN_HEADING,
    inert,
    metric_cells,
    progress_paragraphs,
    subtitle,
)
from dialogs import digest_items as words
from domain.board_appendix import AppendixTheme, BoardAppendix
from domain.model import Rag

_RAG_CLASS = {Rag.RED: "red", Rag.AMBER: "amber", Rag.GREEN: "green", Rag.COMPLETE: "complete"}
_STYLE = """
body{font-family:Arial,Helvetica,sans-serif;max-width:60em;margin:1.5em auto;padding:0 1em;
color:#1b1b1b;line-height:1.4}
table{border-collapse:collapse;width:100%;margin:.5em 0 1.5em}
th,td{border:1px solid #777;padding:.4em .5em;vertical-align:top;text-align:left}
th{background:#e8e8e8}
td.req{width:32%}
.rag{display:inline-block;margin-top:.4em;padding:.1em .5em;border-radius:3px;font-weight:bold}
.red{background:#f4c7c3}.amber{background:#fce8b2}.green{background:#b7e1cd}
.complete{background:#d9d9d9}.none{background:#eee}
.updated{color:#555;font-size:.9em}
img{max-width:100%;height:auto;display:block;margin:.5em 0 1em}
@media (forced-colors:active){th,.rag{background:Canvas;color:CanvasText;border:1px solid CanvasText}}
"""


def escape(text: str) -> str:
    return html.escape(inert(text))


def png_data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def render_html(appendix: BoardAppendix, chart_src: Mapping[str, str] | None = None) -> str:
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(TITLE)} — {escape(appendix.month)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{escape(TITLE)}</h1>",
        f"<p>{escape(subtitle(appendix))}</p>",
        "<h2>Summary</h2>",
    ]
    parts += [f"<p>{escape(p)}</p>" for p in appendix.summary]
    for theme in appendix.themes:
        parts += _theme_table(theme)
    if appendix.metrics:
        parts += ["<h2>Waiting lists and DoLS</h2>", "<table>", "<thead><tr>"]
        parts += [f'<th scope="col">{escape(h)}</th>' for h in METRIC_HEADINGS]
        parts += ["</tr></thead>", "<tbody>"]
        for row in appendix.metrics:
            parts.append("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in metric_cells(row)) + "</tr>")
        parts += ["</tbody>", "</table>"]
        for row in appendix.metrics:
            if chart_src and row.metric_id in chart_src:
                alt = f"{row.name}: trend against baseline, target and trajectory"
                parts.append(f'<img src="{escape(chart_src[row.metric_id])}" alt="{escape(alt)}">')
    if appendix.areas:
        parts += [
            "<h2>CQC assessment: quality statement scores</h2>",
            "<table>",
            '<thead><tr><th scope="col">Theme</th><th scope="col">Quality statement</th>'
            '<th scope="col">Score (of 4)</th></tr></thead>',
            "<tbody>",
        ]
        parts += [
            f"<tr><td>{escape(a.theme_name)}</td><td>{escape(a.name)}</td><td>{a.score}</td></tr>"
            for a in appendix.areas
        ]
        parts += [
            f"<tr><th>Total</th><td></td><th>{appendix.total_score} of {appendix.max_score}</th></tr>",
            "</tbody>",
            "</table>",
        ]
    parts += _withdrawn_html(appendix)
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _theme_table(theme: AppendixTheme) -> list[str]:
    parts = [
        f"<h2>Theme {theme.number}: {escape(theme.name)}</h2>",
        "<table>",
        '<thead><tr><th scope="col">Improvement requirement</th><th scope="col">Progress</th></tr></thead>',
        "<tbody>",
    ]
    for row in theme.rows:
        css = _RAG_CLASS[row.rag] if row.rag else "none"
        progress = progress_paragraphs(row)
        dated = progress.pop() if row.progress_date else None
        cells = "".join(f"<p>{escape(p)}</p>" for p in progress)
        if dated:
            cells += f'<p class="updated">{escape(dated)}</p>'
        parts.append(
            f'<tr><td class="req">{escape(row.requirement)}<br>'
            f'<span class="rag {css}">RAG: {escape(words.rag_word(row.rag))}</span> '
            f"<small>{escape(row.ref)}</small></td><td>{cells}</td></tr>"
        )
    if not theme.rows:
        parts.append('<tr><td colspan="2">No actions under this theme.</td></tr>')
    parts += ["</tbody>", "</table>"]
    return parts


def _withdrawn_html(appendix: BoardAppendix) -> list[str]:
    if not appendix.withdrawn:
        return []
    rows = [
        f"<tr><td>{escape(w.ref)}</td><td>{escape(w.requirement)}</td><td>{escape(w.owner_name)}</td></tr>"
        for w in appendix.withdrawn
    ]
    return [
        f"<h2>{escape(WITHDRAWN_HEADING)}</h2>",
        "<table>",
        '<thead><tr><th scope="col">Ref</th><th scope="col">Improvement requirement</th>'
        '<th scope="col">Owner</th></tr></thead>',
        "<tbody>",
        *rows,
        "</tbody>",
        "</table>",
    ]
