"""The digest's repeated pieces as Adaptive Card elements, and the words and numbers in them.

Kept apart from the card assembly (dialogs/digest.py) so the report and the terminal preview
say things the same way: "Red (was Amber)", "down 12 on last month (better)", "14 Apr 2026".
"""

from __future__ import annotations

from datetime import date
from typing import Any

from dialogs import cards
from dialogs.formatting import month_label, number, short_date
from domain.checkin import overdue_since
from domain.digest_model import Completion, Concern, MetricRow, PersonNote, ThemeSummary
from domain.model import ActionStatus, Rag
from domain.months import month_of

Element = dict[str, Any]

REQUIREMENT_CHARS = 160  # the card is a summary: the report has the full wording
BLOCKERS_CHARS = 300
REFS_SHOWN = 6


# --- words ---------------------------------------------------------------------------------------


def plain(text: str, limit: int) -> str:
    """User text on one line, so a narrative's "- " or "1." cannot turn into a Markdown list."""
    return cards.shorten(" ".join(text.split()), limit)


def rag_word(rag: Rag | None) -> str:
    return rag.value.capitalize() if rag else "Not rated"


def change_words(row: MetricRow) -> str:
    if row.latest is None:
        return "No figure yet"
    if row.change is None:
        return "First figure"
    if row.change == 0:
        return "No change on last month"
    better = (row.change < 0) == row.lower_is_better
    direction = "down" if row.change < 0 else "up"
    return f"{direction} {number(abs(row.change))} on last month ({'better' if better else 'worse'})"


def theme_words(theme: ThemeSummary) -> str:
    counts = " · ".join(f"{n:,} {rag_word(rag).lower()}" for rag, n in theme.counts) or "no actions"
    moves = [f"{theme.improved:,} up"] if theme.improved else []
    moves += [f"{theme.slipped:,} down"] if theme.slipped else []
    return f"{counts} — {', '.join(moves) if moves else 'no change'}"


def refs_words(refs: tuple[str, ...]) -> str:
    shown = ", ".join(refs[:REFS_SHOWN])
    return shown + (f" and {len(refs) - REFS_SHOWN} more" if len(refs) > REFS_SHOWN else "")


def person_line(kind: str, note: PersonNote) -> str:
    """One line per person: ``kind`` is "overdue", "waiting", "away" or "unreachable"."""
    refs = f" — {refs_words(note.refs)}" if note.refs else ""
    if kind == "away" and note.until:
        return f"**Away** until {short_date(note.until)}: {note.name}{refs}"
    if kind == "unreachable":
        since = f" since {short_date(note.since)}" if note.since else ""
        reason = f" ({plain(note.reason, 80)})" if note.reason else ""
        return f"**Unreachable**{since}: {note.name}{reason}{refs}"
    label = "Overdue" if kind == "overdue" else "Not yet answered"
    return f"**{label}:** {note.name}{refs}"


# --- elements ------------------------------------------------------------------------------------


def _text(text: str, **options: Any) -> Element:
    return {"type": "TextBlock", "text": text, "wrap": True, **options}


def concern_element(concern: Concern, today: date | None = None) -> Element:
    was = f" (was {rag_word(concern.previous_rag)})" if concern.previous_rag not in (None, concern.rag) else ""
    due = f" · revised due {short_date(concern.revised_due)}" if concern.revised_due else ""
    # Red and amber actions are not complete: past their due date, they are overdue.
    late = overdue_since(due=concern.due, status=ActionStatus.IN_PROGRESS, today=today) if today else None
    due += f" · Overdue since {short_date(late)}" if late else ""
    support = (
        f"Support asked: {plain(concern.blockers, BLOCKERS_CHARS)}"
        if concern.blockers
        else "No blockers given this month."
    )
    owner = concern.owner_name
    return {
        "type": "Container",
        "spacing": "medium",
        "items": [
            # The RAG in words, not colour: amber and red text fail 4.5:1 contrast in Teams' themes.
            _text(f"**{concern.ref}** · {rag_word(concern.rag)}{was} · {owner}{due}"),
            _text(plain(concern.requirement, REQUIREMENT_CHARS), spacing="none"),
            _text(support, spacing="none", isSubtle=True),
        ],
    }


def completion_element(completion: Completion) -> Element:
    return _text(
        f"**{completion.ref}** — {plain(completion.requirement, REQUIREMENT_CHARS)} ({completion.owner_name})",
        spacing="small",
    )


def person_element(kind: str, note: PersonNote) -> Element:
    return _text(person_line(kind, note), spacing="small")


def latest_words(row: MetricRow) -> str:
    """'1,234 people (March 2026)', or that there is no figure yet."""
    if row.latest is None or not row.latest_period:
        return "No figure yet"
    unit = f" {row.unit}" if row.unit else ""
    return f"{number(row.latest)}{unit} ({month_label(month_of(row.latest_period))})"


def metric_facts(row: MetricRow) -> list[dict[str, str]]:
    facts = [
        ("Latest", latest_words(row)),
        ("Change", change_words(row)),
        ("Baseline", f"{number(row.baseline)} ({short_date(row.baseline_date)})"),
        ("Target", f"{number(row.target)} by {short_date(row.target_date)}"),
    ]
    if row.trajectory is not None and row.latest_period:
        facts.append(("Trajectory", f"{number(row.trajectory)} for {short_date(row.latest_period)}"))
    return [cards.fact(title, value) for title, value in facts]


def metric_element(row: MetricRow, chart_url: str | None) -> Element:
    items: list[Element] = [
        _text(f"**{row.name}** — {row.status.label}"),
        {"type": "FactSet", "spacing": "small", "facts": metric_facts(row)},
    ]
    if chart_url:
        items.append(
            {
                "type": "Image",
                "url": chart_url,
                "size": "stretch",
                "spacing": "small",
                "altText": f"Trend of {row.name} against its baseline, target and trajectory",
            }
        )
    return {"type": "Container", "spacing": "medium", "items": items}
