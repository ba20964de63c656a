"""readiness: statement leads, stretch actions, self-assessments, evidence library, plan sign-off

Revision ID: 0008
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0008"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_signoff",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("signed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("signer_email", sa.String(length=320), nullable=False),
        sa.Column("signer_name", sa.String(length=200), nullable=False),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_signoff")),
    )
    op.create_table(
        "self_assessment",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("statement_id", sa.String(length=80), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("assessor_id", sa.Integer(), nullable=True),
        sa.Column("assessor_name", sa.String(length=200), nullable=False),
        sa.Column("assessed_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("activity_id", sa.String(length=200), nullable=True),
        sa.CheckConstraint("score BETWEEN 1 AND 4", name=op.f("ck_self_assessment_score_1_to_4")),
        sa.ForeignKeyConstraint(["assessor_id"], ["person.id"], name=op.f("fk_self_assessment_assessor_id_person")),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["quality_statement.id"], name=op.f("fk_self_assessment_statement_id_quality_statement")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_self_assessment")),
        sa.UniqueConstraint("activity_id", name=op.f("uq_self_assessment_activity_id")),
    )
    with op.batch_alter_table("self_assessment", schema=None) as batch_op:
        batch_op.create_index("ix_self_assessment_history", ["statement_id", "assessed_at", "id"], unique=False)

    op.create_table(
        "evidence_item",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("statement_ids", sa.JSON(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=True),
        sa.Column("action_id", sa.Integer(), nullable=True),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("evidence_date", sa.Date(), nullable=False),
        sa.Column("added_by_id", sa.Integer(), nullable=True),
        sa.Column("added_by_name", sa.String(length=200), nullable=False),
        sa.Column("added_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("retired_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retired_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["improvement_action.id"], name=op.f("fk_evidence_item_action_id_improvement_action")
        ),
        sa.ForeignKeyConstraint(["added_by_id"], ["person.id"], name=op.f("fk_evidence_item_added_by_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_item")),
    )
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_item_action_id"), ["action_id"], unique=False)

    with op.batch_alter_table("improvement_action", schema=None) as batch_op:
        # Existing actions are not stretch actions.
        batch_op.add_column(sa.Column("stretch", sa.Boolean(), nullable=False, server_default=sa.false()))

    with op.batch_alter_table("quality_statement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lead_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_quality_statement_lead_id_person"), "person", ["lead_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("quality_statement", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_quality_statement_lead_id_person"), type_="foreignkey")
        batch_op.drop_column("lead_id")

    with op.batch_alter_table("improvement_action", schema=None) as batch_op:
        batch_op.drop_column("stretch")

    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_evidence_item_action_id"))

    op.drop_table("evidence_item")
    with op.batch_alter_table("self_assessment", schema=None) as batch_op:
        batch_op.drop_index("ix_self_assessment_history")

    op.drop_table("self_assessment")
    op.drop_table("plan_signoff")
