"""progress requests: who was asked about which action in each round

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "progress_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"], ["improvement_action.id"], name=op.f("fk_progress_request_action_id_improvement_action")
        ),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_progress_request_cycle_id_cycle")),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_progress_request_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_request")),
        sa.UniqueConstraint("cycle_id", "action_id", name=op.f("uq_progress_request_cycle_id_action_id")),
    )
    op.create_index(op.f("ix_progress_request_cycle_id"), "progress_request", ["cycle_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_progress_request_cycle_id"), table_name="progress_request")
    op.drop_table("progress_request")
