"""The plan: organisation, people, themes, statements, actions, delegates, metrics, readings; conversations."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, BigId


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
    lead_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))


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
    stretch: Mapped[bool] = mapped_column(default=False, server_default=false())
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
