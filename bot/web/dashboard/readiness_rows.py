"""What the Readiness page prints per quality statement, worked out once from issue 14's read model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from domain.evidence import EvidenceCategory
from domain.readiness_view import ActionLine, StatementReadiness


@dataclass(frozen=True)
class EvidenceCell:
    category: EvidenceCategory
    count: int
    thin: bool


@dataclass(frozen=True)
class StatementRow:
    statement_id: str
    name: str
    theme_name: str
    lead: str
    cqc_score: int
    self_score: int | None  # the latest self-assessment, if any
    assessed_on: date | None
    assessor: str
    change: str  # "Up 1", "Down 1", "No change", or "" before the first
    change_key: str  # up | down | same | none: the symbol beside the words
    evidence: tuple[EvidenceCell, ...]
    uncategorised: int  # links harvested from updates, not yet filed under a category
    stretch: tuple[ActionLine, ...]


def _change(value: int | None) -> tuple[str, str]:
    if value is None:
        return "", "none"
    if value == 0:
        return "No change", "same"
    return (f"Up {value}", "up") if value > 0 else (f"Down {-value}", "down")


def statement_row(statement: StatementReadiness, timezone: str) -> StatementRow:
    latest = statement.latest
    counts = statement.evidence_counts
    thin = set(statement.thin)
    change, key = _change(statement.change)
    return StatementRow(
        statement_id=statement.statement_id,
        name=statement.name,
        theme_name=statement.theme_name,
        lead=statement.lead_name or "No lead named",
        cqc_score=statement.cqc_score,
        self_score=latest.score if latest else None,
        assessed_on=latest.assessed_at.astimezone(ZoneInfo(timezone)).date() if latest else None,
        assessor=latest.assessor if latest else "",
        change=change,
        change_key=key,
        evidence=tuple(EvidenceCell(c, counts[c], c in thin) for c in EvidenceCategory),
        uncategorised=counts[None],
        stretch=statement.stretch_actions,
    )
