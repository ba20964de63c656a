"""The monthly rounds: each round, the requests made in it and the progress updates received."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class RoundRow(Base):
    """A monthly round as stored (domain.planning.Round is what the rest of the app sees). The schema
    keeps its first name for it, `cycle`/`cycle_id`: renaming stored tables and the cards already sent
    (their data carries `cycle_id`) would buy nothing but a migration on every council's database."""

    __tablename__ = "cycle"
    __table_args__ = (UniqueConstraint("kind", "month"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # progress | figures
    month: Mapped[str] = mapped_column(String(7))  # YYYY-MM
    opened_at: Mapped[datetime]
    deadline: Mapped[date] = mapped_column(Date)
    closed_at: Mapped[datetime | None]


class ProgressUpdate(Base):
    """Every submission is kept: the action's history."""

    __tablename__ = "progress_update"
    # An action's history in order: its newest update is one index probe (the digest, the
    # report); also every lookup by action_id.
    __table_args__ = (Index("ix_progress_update_action_history", "action_id", "submitted_at", "id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("improvement_action.id"))
    # A round's answers: on its card, or sent while it was open (the digest's response rate).
    round_id: Mapped[int | None] = mapped_column("cycle_id", ForeignKey("cycle.id"), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    author_name: Mapped[str] = mapped_column(String(200))
    teams_user_id: Mapped[str | None] = mapped_column(String(200))
    submitted_at: Mapped[datetime] = mapped_column(index=True)
    rag: Mapped[str | None] = mapped_column(String(20))
    narrative: Mapped[str] = mapped_column(Text)
    evidence_links: Mapped[list[Any]] = mapped_column(default=list)
    blockers: Mapped[str] = mapped_column(Text, default="")
    revised_due: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str] = mapped_column(String(20))  # plan | teams | cli
    # The Teams activity that carried it: a redelivered activity cannot store a second update.
    activity_id: Mapped[str | None] = mapped_column(String(200), unique=True)


class ProgressRequest(Base):
    """One per open action when a round opens; the action's owner at that moment is asked."""

    __tablename__ = "progress_request"
    # By action too: the rounds that asked about one action (the dashboard's action page).
    __table_args__ = (UniqueConstraint("cycle_id", "action_id"), Index("ix_progress_request_action_id", "action_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column("cycle_id", ForeignKey("cycle.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("improvement_action.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime]
