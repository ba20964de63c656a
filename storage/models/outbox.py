"""The outbox ledger's tables: every proactive message is a row before it is ever sent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, BigId


class OutboxMessage(Base):
    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint("person_id IS NOT NULL OR conversation_ref_id IS NOT NULL", name="has_recipient"),
        CheckConstraint(
            "status IN ('pending', 'claimed', 'sending', 'sent', 'failed', 'unreachable', 'unknown')",
            name="known_status",
        ),
        # The worker's query: due rows of one status, oldest first.
        Index("ix_outbox_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(30))
    # A person is reached through their personal chat (found or created when sending); a
    # conversation (a channel: a new thread) is named directly. For a person the conversation
    # used is recorded here once sent, so a later update finds the message.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    conversation_ref_id: Mapped[int | None] = mapped_column(ForeignKey("conversation_ref.id"))
    # An update of a sent card in place names the message it replaces.
    update_of_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    activity_id: Mapped[str | None] = mapped_column(String(200))
    conversation_id: Mapped[str | None] = mapped_column(String(400))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]


class DeliveryState(Base):
    """Shared by every instance: while Teams has asked us to back off (429), nobody sends."""

    __tablename__ = "delivery_state"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    paused_until: Mapped[datetime | None]
    reason: Mapped[str | None] = mapped_column(String(400))
    updated_at: Mapped[datetime]


class DeliveryInstance(Base):
    """A running delivery worker while its heartbeat is fresh: the deployment's ceiling
    (DELIVERY_APP_RATE) is divided between the live ones."""

    __tablename__ = "delivery_instance"
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]
    expires_at: Mapped[datetime]  # dead (its share and claims go to the others) after this
    share: Mapped[float] = mapped_column(Float)  # requests/s it paces at, for the operator to see
