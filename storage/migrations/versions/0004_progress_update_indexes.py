"""progress_update indexes for the digest: each action's newest update, and a round's answers

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # (action_id, submitted_at, id) finds an action's newest update with one index probe; it also
    # serves every lookup by action_id, so the single-column index goes.
    op.create_index(
        "ix_progress_update_action_history", "progress_update", ["action_id", "submitted_at", "id"], unique=False
    )
    op.drop_index(op.f("ix_progress_update_action_id"), table_name="progress_update")
    op.create_index(op.f("ix_progress_update_cycle_id"), "progress_update", ["cycle_id"], unique=False)
    op.create_index(op.f("ix_progress_update_submitted_at"), "progress_update", ["submitted_at"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_progress_update_submitted_at"), table_name="progress_update")
    op.drop_index(op.f("ix_progress_update_cycle_id"), table_name="progress_update")
    op.create_index(op.f("ix_progress_update_action_id"), "progress_update", ["action_id"], unique=False)
    op.drop_index("ix_progress_update_action_history", table_name="progress_update")
