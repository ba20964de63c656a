"""The monthly round's requests: who was asked about which action, so answers can be counted."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base


class ProgressRequest(Base):
    """One per open action when a round opens; the action's owner at that moment is asked."""

    __tablename__ = "progress_request"
    __table_args__ = (UniqueConstraint("cycle_id", "action_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("cycle.id"), index=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("improvement_action.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    created_at: Mapped[datetime]
