"""CQC readiness: self-assessments of quality statements, the evidence library, plan sign-off snapshots."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class SelfAssessment(Base):
    """Every self-assessment is kept: the statement's history, newest last."""

    __tablename__ = "self_assessment"
    __table_args__ = (
        CheckConstraint("score BETWEEN 1 AND 4", name="score_1_to_4"),
        Index("ix_self_assessment_history", "statement_id", "assessed_at", "id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    statement_id: Mapped[str] = mapped_column(ForeignKey("quality_statement.id"))
    score: Mapped[int]
    rationale: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text, default="")  # what the score rests on: links or references
    assessor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    assessor_name: Mapped[str] = mapped_column(String(200))
    assessed_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))  # teams | cli
    activity_id: Mapped[str | None] = mapped_column(String(200), unique=True)  # a redelivery stores nothing


class EvidenceItem(Base):
    """One item of the evidence library; retired, never deleted."""

    __tablename__ = "evidence_item"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    url: Mapped[str] = mapped_column(String(2000))
    statement_ids: Mapped[list[Any]] = mapped_column(default=list)
    category: Mapped[str | None] = mapped_column(String(40))  # None: from a progress update, not yet categorised
    action_id: Mapped[int | None] = mapped_column(ForeignKey("improvement_action.id"), index=True)
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    evidence_date: Mapped[date] = mapped_column(Date)
    added_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    added_by_name: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime]
    source: Mapped[str] = mapped_column(String(20))  # progress | teams | cli
    retired_at: Mapped[datetime | None]
    retired_reason: Mapped[str | None] = mapped_column(Text)


class PlanSignoff(Base):
    """What the chair signed: the plan as it stood, kept whole so later drift can be listed."""

    __tablename__ = "plan_signoff"
    id: Mapped[int] = mapped_column(primary_key=True)
    signed_at: Mapped[datetime]
    signer_email: Mapped[str] = mapped_column(String(320))
    signer_name: Mapped[str] = mapped_column(String(200))
    snapshot: Mapped[dict[str, Any]]
