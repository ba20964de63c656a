"""An evidence pack: per quality statement what a council sends in answer to a CQC information
request — the statement and its scores, its actions with their latest progress, its evidence by
category with dates and who added it, and where the evidence is thin; the plan's figures once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from domain.evidence import EvidenceCategory, EvidenceItem
from domain.readiness_view import Readiness, StatementReadiness


@dataclass(frozen=True)
class FigureLine:
    name: str
    unit: str
    baseline: float
    target: float
    target_date: date
    latest: float | None
    latest_period: str | None  # YYYY-MM


@dataclass(frozen=True)
class PackStatement:
    statement: StatementReadiness
    by_category: tuple[tuple[EvidenceCategory | None, tuple[EvidenceItem, ...]], ...]
    thin: tuple[EvidenceCategory, ...]


@dataclass(frozen=True)
class EvidencePack:
    organisation: str
    as_of: date
    statements: tuple[PackStatement, ...]
    figures: tuple[FigureLine, ...]
    cqc_summary: str
    self_summary: str


def compose_pack(
    organisation: str, as_of: date, readiness: Readiness, figures: Sequence[FigureLine], only: str | None = None
) -> EvidencePack:
    """The pack for every statement, or ``only`` one; retired items are left out."""
    statements = []
    for statement in readiness.statements:
        if only is not None and statement.statement_id != only:
            continue
        live = [item for item in statement.evidence if item.live]
        groups = tuple(
            (category, tuple(item for item in live if item.category == category))
            for category in (*EvidenceCategory, None)
        )
        statements.append(
            PackStatement(statement, tuple(g for g in groups if g[0] is not None or g[1]), tuple(statement.thin))
        )
    return EvidencePack(
        organisation,
        as_of,
        tuple(statements),
        tuple(figures),
        readiness.cqc.summary,
        readiness.self_assessed.summary,
    )


def category_label(category: EvidenceCategory | None) -> str:
    return category.label if category else "Not yet categorised (from progress updates)"
