"""The append-only audit log and the activities already processed (idempotency)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


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
