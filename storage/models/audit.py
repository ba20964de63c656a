"""The append-only audit log and the activities already processed (idempotency)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Index,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class AuditEntry(Base):
    """Append-only (database triggers refuse UPDATE and DELETE): who changed what, when, before → after."""

    __tablename__ = "audit_log"
    # One entity's trail (the dashboard's action page) without reading the whole log.
    __table_args__ = (Index("ix_audit_log_entity_id", "entity_id", "entity"),)
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
