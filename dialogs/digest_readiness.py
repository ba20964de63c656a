"""The digest's "CQC readiness" section: per statement CQC's score, the latest self-assessment and its
change, the evidence by category; the rating both project; what reaches the next band; the stretch
actions; the sign-off drift. Its own module, hooked into the digest card and its text preview."""

from __future__ import annotations

from typing import Any

from dialogs import cards
from dialogs.cards import Card
from dialogs.digest import DIGEST_BUDGET, DigestLinks, build_digest_card
from domain.digest_model import Digest
from domain.evidence import EvidenceCategory
from domain.readiness import Projection
from domain.readiness_view import Readiness, StatementReadiness

STRETCH_HEADING = "Stretch — toward Outstanding"
DRIFT_SHOWN = 5
SHORT_CATEGORY = {
    EvidenceCategory.PEOPLES_EXPERIENCE: "people",
    EvidenceCategory.STAFF_AND_LEADERS: "staff",
    EvidenceCategory.PARTNERS: "partners",
    EvidenceCategory.PROCESSES: "processes",
}


def statement_words(s: StatementReadiness) -> str:
    """E.g. "CQC 2 · self-assessed 3 (+1) · evidence: people 2, staff 0, partners 1, processes 3 · thin: staff"."""
    if s.latest is None:
        own = "not self-assessed"
    else:
        change = s.change or 0
        own = f"self-assessed {s.latest.score} ({'no change' if change == 0 else f'{change:+d}'})"
    counts = s.evidence_counts
    evidence = ", ".join(f"{SHORT_CATEGORY[c]} {counts[c]}" for c in EvidenceCategory)
    thin = f" · thin: {', '.join(SHORT_CATEGORY[c] for c in s.thin)}" if s.thin else ""
    return f"CQC {s.cqc_score} · {own} · evidence: {evidence}{thin}"


def next_band_words(projection: Projection) -> str | None:
    if not projection.move_sets or projection.band.next is None:
        return None
    first = "; ".join(m.text for m in projection.move_sets[0])
    others = projection.move_sets_total - 1
    alternatives = f" (or {others} other set{'s' if others != 1 else ''} of the same size)" if others else ""
    return f"To reach {projection.band.next.label}: {first}{alternatives}"


def summary_lines(readiness: Readiness) -> list[tuple[str, str]]:
    lines = [
        ("CQC's scores", readiness.cqc.summary),
        (f"Self-assessed ({readiness.assessed} of {len(readiness.statements)})", readiness.self_assessed_words),
    ]
    if words := next_band_words(readiness.self_assessed):
        lines.append(("Next band", words))
    return lines


def stretch_lines(readiness: Readiness) -> list[tuple[str, str]]:
    return [
        (a.ref, f"{a.rag.label if a.rag else 'No RAG yet'} — {a.requirement} ({s.name})")
        for s in readiness.statements
        for a in s.stretch_actions
    ]


def readiness_section(readiness: Readiness) -> dict[str, Any]:
    """A Container to add to the digest card's body: the projection on the first screen, the
    statements and stretch actions in a part the chair opens (as the digest's other sections)."""
    details: list[dict[str, Any]] = [
        {
            "type": "FactSet",
            "facts": [cards.fact(cards.shorten(s.name, 40), statement_words(s)) for s in readiness.statements],
        },
    ]
    if stretch := stretch_lines(readiness):
        details += [
            {"type": "TextBlock", "text": STRETCH_HEADING, "weight": "bolder", "wrap": True},
            {"type": "FactSet", "facts": [cards.fact(t, cards.shorten(v, 160)) for t, v in stretch]},
        ]
    items: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": "CQC readiness", "weight": "bolder", "size": "medium", "wrap": True},
        {"type": "FactSet", "facts": [cards.fact(t, v) for t, v in summary_lines(readiness)]},
    ]
    if readiness.signoff:
        items.append({"type": "TextBlock", "text": readiness.signoff, "wrap": True, "isSubtle": True})
        shown = readiness.drift_lines[:DRIFT_SHOWN]
        more = len(readiness.drift_lines) - len(shown)
        lines = [f"- {line}" for line in shown] + ([f"- and {more} more in the report"] if more else [])
        if lines:
            details.append({"type": "TextBlock", "text": "\n".join(lines), "wrap": True, "isSubtle": True})
    toggle = {
        "type": "Action.ToggleVisibility",
        "title": "Show or hide the statements and stretch actions",
        "targetElements": ["readiness_details"],
    }
    items += [
        {"type": "ActionSet", "id": "readiness_toggle", "spacing": "small", "actions": [toggle]},
        {"type": "Container", "id": "readiness_details", "isVisible": False, "items": details},
    ]
    return {"type": "Container", "id": "readiness", "separator": True, "items": items}


def build_digest_with_readiness(digest: Digest, links: DigestLinks, readiness: Readiness | None) -> Card:
    """The digest card with the readiness section before its closing buttons; the other sections
    get the budget the readiness section leaves. A plan with no statements gets no section."""
    if readiness is None:
        return build_digest_card(digest, links)
    section = readiness_section(readiness)
    card = build_digest_card(digest, links, budget=DIGEST_BUDGET - cards.card_size_bytes(section))
    body = card["body"]
    closing = [i for i, element in enumerate(body) if element.get("type") == "ActionSet"]
    body.insert(closing[-1] if closing else len(body), section)
    return card


def readiness_text(readiness: Readiness | None) -> str:
    """The section for the terminal preview."""
    if readiness is None:
        return ""
    lines = ["", "CQC readiness"]
    lines += [f"  {title}: {value}" for title, value in summary_lines(readiness)]
    lines += [f"  {s.name}: {statement_words(s)}" for s in readiness.statements]
    if stretch := stretch_lines(readiness):
        lines += [f"  {STRETCH_HEADING}:"] + [f"    {t}: {v}" for t, v in stretch]
    if readiness.signoff:
        lines += [f"  {readiness.signoff}"] + [f"    {line}" for line in readiness.drift_lines]
    return "\n".join(lines) + "\n"
