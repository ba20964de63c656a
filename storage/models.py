"""SQLAlchemy 2 typed models. Alembic migrations (storage/migrations) are the only way a schema is made."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.types import UTCDateTime

# Named constraints so migrations can alter them on both databases.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# BIGINT on PostgreSQL, INTEGER (the rowid alias, so it autoincrements) on SQLite.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}


class Organisation(Base):
    __tablename__ = "organisation"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    timezone: Mapped[str] = mapped_column(String(64))
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime]


class Person(Base):
    __tablename__ = "person"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    upn: Mapped[str | None] = mapped_column(String(320))
    aad_object_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    roles: Mapped[list[Any]] = mapped_column(default=list)
    away_until: Mapped[date | None] = mapped_column(Date)
    unreachable_since: Mapped[datetime | None]
    unreachable_reason: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)


class Theme(Base):
    __tablename__ = "theme"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int]


class QualityStatement(Base):
    __tablename__ = "quality_statement"
    __table_args__ = (CheckConstraint("score BETWEEN 1 AND 4", name="score_1_to_4"),)
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    theme_id: Mapped[str] = mapped_column(ForeignKey("theme.id"))
    name: Mapped[str] = mapped_column(String(200))
    score: Mapped[int]
    position: Mapped[int]


class ImprovementAction(Base):
    __tablename__ = "improvement_action"
    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(40), unique=True)
    theme_id: Mapped[str] = mapped_column(ForeignKey("theme.id"))
    quality_statement_id: Mapped[str | None] = mapped_column(ForeignKey("quality_statement.id"))
    requirement: Mapped[str] = mapped_column(Text)
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    due: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    rag: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int]
    updated_at: Mapped[datetime]
    delegates: Mapped[list[Person]] = relationship(secondary="action_delegate", lazy="raise")


class ActionDelegate(Base):
    __tablename__ = "action_delegate"
    action_id: Mapped[int] = mapped_column(ForeignKey("improvement_action.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)


class ConversationRef(Base):
    """Where the bot can write: a personal chat, a group chat or a team channel.

    Kept as our own JSON-friendly columns (never a pickled SDK object) so a change of SDK does
    not strand the stored references.
    """

    __tablename__ = "conversation_ref"
    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # personal | groupChat | channel
    service_url: Mapped[str] = mapped_column(String(400))
    tenant_id: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[str] = mapped_column(String(40))  # the Bot Framework channel, "msteams"
    bot_id: Mapped[str | None] = mapped_column(String(200))
    bot_name: Mapped[str | None] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(200))  # the user's bot-specific id (MRI)
    aad_object_id: Mapped[str | None] = mapped_column(String(64))
    team_id: Mapped[str | None] = mapped_column(String(200))
    teams_channel_id: Mapped[str | None] = mapped_column(String(200))
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    installed: Mapped[bool] = mapped_column(default=True)
    updated_at: Mapped[datetime]


class Cycle(Base):
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
    cycle_id: Mapped[int | None] = mapped_column(ForeignKey("cycle.id"), index=True)
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


class Metric(Base):
    __tablename__ = "metric"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    unit: Mapped[str] = mapped_column(String(40))
    direction: Mapped[str] = mapped_column(String(4))  # down: lower is better
    owner_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    baseline_value: Mapped[float] = mapped_column(Float)
    baseline_date: Mapped[date] = mapped_column(Date)
    target_value: Mapped[float] = mapped_column(Float)
    target_date: Mapped[date] = mapped_column(Date)
    position: Mapped[int]


class MetricReading(Base):
    __tablename__ = "metric_reading"
    __table_args__ = (UniqueConstraint("metric_id", "period"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    metric_id: Mapped[str] = mapped_column(ForeignKey("metric.id"))
    period: Mapped[str] = mapped_column(String(7))  # YYYY-MM: the month the figure is for
    value: Mapped[float] = mapped_column(Float)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    submitted_at: Mapped[datetime]


class AuditEntry(Base):
    """Append-only (database triggers refuse UPDATE and DELETE): who changed what, when, before → after."""

    __tablename__ = "audit_log"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(320))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(200))
    change: Mapped[str] = mapped_column(String(40))  # create | update | submit | ...
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ProcessedActivity(Base):
    """Inbound activity ids already handled, so Teams' redeliveries are answered but not re-applied."""

    __tablename__ = "processed_activity"
    activity_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    received_at: Mapped[datetime]


# Feature tables kept in their own modules, registered on Base here so Alembic sees every table.
import storage.checkin_models  # noqa: E402
import storage.outbox_models  # noqa: E402, F401
