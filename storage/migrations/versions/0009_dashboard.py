"""Indexes for the dashboard's action page: an action's audit trail and the rounds that asked for it

Revision ID: 0009
Revises: 0004
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0009"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The action page reads one action's audit entries (by its ref) and the requests made for it;
    # without these each would scan the whole log or every round's requests.
    op.create_index("ix_audit_log_entity_id", "audit_log", ["entity_id", "entity"], unique=False)
    op.create_index("ix_progress_request_action_id", "progress_request", ["action_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_progress_request_action_id", table_name="progress_request")
    op.drop_index("ix_audit_log_entity_id", table_name="audit_log")
