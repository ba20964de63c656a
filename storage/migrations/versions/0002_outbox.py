"""outbox ledger and shared delivery state

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _when(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, storage.types.UTCDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "delivery_state",
        sa.Column("id", sa.String(length=40), nullable=False),
        _when("paused_until", nullable=True),
        sa.Column("reason", sa.String(length=400), nullable=True),
        _when("updated_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delivery_state")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("conversation_ref_id", sa.Integer(), nullable=True),
        sa.Column("update_of_id", BIG_ID, nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _when("next_attempt_at"),
        sa.Column("claimed_by", sa.String(length=100), nullable=True),
        _when("lease_expires_at", nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("activity_id", sa.String(length=200), nullable=True),
        sa.Column("conversation_id", sa.String(length=400), nullable=True),
        _when("created_at"),
        _when("updated_at"),
        _when("sent_at", nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'claimed', 'sending', 'sent', 'failed', 'unreachable', 'unknown')",
            name=op.f("ck_outbox_known_status"),
        ),
        sa.CheckConstraint(
            "person_id IS NOT NULL OR conversation_ref_id IS NOT NULL",
            name=op.f("ck_outbox_has_recipient"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_ref_id"],
            ["conversation_ref.id"],
            name=op.f("fk_outbox_conversation_ref_id_conversation_ref"),
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_outbox_person_id_person")),
        sa.ForeignKeyConstraint(["update_of_id"], ["outbox.id"], name=op.f("fk_outbox_update_of_id_outbox")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_outbox_idempotency_key")),
    )
    op.create_index(op.f("ix_outbox_person_id"), "outbox", ["person_id"], unique=False)
    op.create_index("ix_outbox_status_next_attempt_at", "outbox", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_outbox_status_next_attempt_at", table_name="outbox")
    op.drop_index(op.f("ix_outbox_person_id"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("delivery_state")
