"""delivery instances: heartbeats that share the app's rate ceiling between running workers

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _when(name: str) -> sa.Column:
    return sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "delivery_instance",
        sa.Column("name", sa.String(length=100), nullable=False),
        _when("started_at"),
        _when("heartbeat_at"),
        _when("expires_at"),
        sa.Column("share", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_delivery_instance")),
    )


def downgrade() -> None:
    op.drop_table("delivery_instance")
