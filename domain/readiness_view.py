"""CQC readiness as the digest, the report and the evidence pack show it: per quality statement CQC's
score, the self-assessments, the actions and stretch actions under it and its evidence; overall the
rating both sets of scores project, side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from domain.evidence import EvidenceCategory, EvidenceItem, counts_by_category, thin_categories
from domain.model import ActionStatus, Rag, Role
from domain.readiness import Projection, StatementScore, project


@dataclass(frozen=True)
class Assessment:
    score: int
    rationale: str
    evidence: str
    assessor: str
    assessed_at: datetime
    source: str


@dataclass(frozen=True)
class ActionLine:
    ref: str
    requirement: str
    owner: str
    rag: Rag | None
    status: ActionStatus
    stretch: bool
    latest_progress: str | None = None


@dataclass(frozen=True)
class StatementReadiness:
    statement_id: str
    name: str
    theme_name: str
    cqc_score: int
    lead_name: str | None
    lead_email: str | None
    history: tuple[Assessment, ...]  # oldest first
    actions: tuple[ActionLine, ...]
    evidence: tuple[EvidenceItem, ...]

    @property
    def latest(self) -> Assessment | None:
        return self.history[-1] if self.history else None

    @property
    def change(self) -> int | None:
        """The latest self-assessment against the one before it (or CQC's score, for the first)."""
        if self.latest is None:
            return None
        before = self.history[-2].score if len(self.history) > 1 else self.cqc_score
        return self.latest.score - before

    @property
    def self_score(self) -> int:
        """The latest self-assessment; CQC's score until the first one."""
        return self.latest.score if self.latest else self.cqc_score

    @property
    def stretch_actions(self) -> tuple[ActionLine, ...]:
        return tuple(a for a in self.actions if a.stretch)

    @property
    def evidence_counts(self) -> dict[EvidenceCategory | None, int]:
        return counts_by_category(self.evidence)

    @property
    def thin(self) -> list[EvidenceCategory]:
        return thin_categories(self.evidence)


@dataclass(frozen=True)
class Readiness:
    statements: tuple[StatementReadiness, ...]
    cqc: Projection
    self_assessed: Projection
    assessed: int  # statements with at least one self-assessment
    signoff: str | None = None  # "Plan signed off on … by …; since then …", once signed
    drift_lines: tuple[str, ...] = ()

    @property
    def self_assessed_words(self) -> str:
        """The self-assessed projection, saying how much of it is the leads' own: a statement nobody
        has assessed counts at CQC's score, so with none assessed it would only repeat CQC's."""
        if self.assessed == 0:
            return "none yet: each quality statement's lead records a score with assess"
        rest = len(self.statements) - self.assessed
        others = (
            ""
            if not rest
            else " (the other one at CQC's score)"
            if rest == 1
            else f" (the other {rest} at CQC's score)"
        )
        return self.self_assessed.summary + others


def compose_readiness(
    statements: Sequence[StatementReadiness], *, signoff: str | None = None, drift_lines: Sequence[str] = ()
) -> Readiness | None:
    """None for a plan with no quality statements: there is nothing to project."""
    if not statements:
        return None
    cqc = project([StatementScore(s.statement_id, s.name, s.cqc_score) for s in statements])
    own = project([StatementScore(s.statement_id, s.name, s.self_score) for s in statements])
    assessed = sum(1 for s in statements if s.latest)
    return Readiness(tuple(statements), cqc, own, assessed, signoff, tuple(drift_lines))


def may_assess(email: str, roles: frozenset[Role], lead_email: str | None) -> bool:
    """The statement's lead, the chair or an admin."""
    return bool(roles & {Role.CHAIR, Role.ADMIN}) or (lead_email is not None and email.lower() == lead_email.lower())
