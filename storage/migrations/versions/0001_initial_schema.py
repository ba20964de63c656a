"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import storage.types

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=320), nullable=False),
        sa.Column("entity", sa.String(length=40), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("change", sa.String(length=40), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_log_at"), ["at"], unique=False)

    op.create_table(
        "cycle",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("opened_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("closed_at", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cycle")),
        sa.UniqueConstraint("kind", "month", name=op.f("uq_cycle_kind_month")),
    )
    op.create_table(
        "organisation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organisation")),
    )
    op.create_table(
        "person",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("upn", sa.String(length=320), nullable=True),
        sa.Column("aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("roles", sa.JSON(), nullable=False),
        sa.Column("away_until", sa.Date(), nullable=True),
        sa.Column("unreachable_since", storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("unreachable_reason", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint("aad_object_id", name=op.f("uq_person_aad_object_id")),
        sa.UniqueConstraint("email", name=op.f("uq_person_email")),
    )
    op.create_table(
        "processed_activity",
        sa.Column("activity_id", sa.String(length=200), nullable=False),
        sa.Column("received_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("activity_id", name=op.f("pk_processed_activity")),
    )
    op.create_table(
        "theme",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
    )
    op.create_table(
        "conversation_ref",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=400), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("service_url", sa.String(length=400), nullable=False),
        sa.Column("tenant_id", sa.String(length=64), nullable=True),
        sa.Column("channel_id", sa.String(length=40), nullable=False),
        sa.Column("bot_id", sa.String(length=200), nullable=True),
        sa.Column("bot_name", sa.String(length=200), nullable=True),
        sa.Column("user_id", sa.String(length=200), nullable=True),
        sa.Column("aad_object_id", sa.String(length=64), nullable=True),
        sa.Column("team_id", sa.String(length=200), nullable=True),
        sa.Column("teams_channel_id", sa.String(length=200), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("installed", sa.Boolean(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_conversation_ref_person_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_ref")),
        sa.UniqueConstraint("conversation_id", name=op.f("uq_conversation_ref_conversation_id")),
    )
    op.create_table(
        "metric",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("unit", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=4), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_metric_owner_id_person")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric")),
    )
    op.create_table(
        "quality_statement",
        sa.Column("id", sa.String(length=80), nullable=False),
        sa.Column("theme_id", sa.String(length=80), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 4", name=op.f("ck_quality_statement_score_1_to_4")),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_quality_statement_theme_id_theme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_quality_statement")),
    )
    op.create_table(
        "improvement_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=40), nullable=False),
        sa.Column("theme_id", sa.String(length=80), nullable=False),
        sa.Column("quality_statement_id", sa.String(length=80), nullable=True),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rag", sa.String(length=20), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("updated_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["person.id"], name=op.f("fk_improvement_action_owner_id_person")),
        sa.ForeignKeyConstraint(
            ["quality_statement_id"],
            ["quality_statement.id"],
            name=op.f("fk_improvement_action_quality_statement_id_quality_statement"),
        ),
        sa.ForeignKeyConstraint(["theme_id"], ["theme.id"], name=op.f("fk_improvement_action_theme_id_theme")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_improvement_action")),
        sa.UniqueConstraint("ref", name=op.f("uq_improvement_action_ref")),
    )
    op.create_table(
        "metric_reading",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("metric_id", sa.String(length=80), nullable=False),
        sa.Column("period", sa.String(length=7), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("submitted_by_id", sa.Integer(), nullable=True),
        sa.Column("submitted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["metric_id"], ["metric.id"], name=op.f("fk_metric_reading_metric_id_metric")),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"], ["person.id"], name=op.f("fk_metric_reading_submitted_by_id_person")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_metric_reading")),
        sa.UniqueConstraint("metric_id", "period", name=op.f("uq_metric_reading_metric_id_period")),
    )
    op.create_table(
        "action_delegate",
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["improvement_action.id"],
            name=op.f("fk_action_delegate_action_id_improvement_action"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["person_id"], ["person.id"], name=op.f("fk_action_delegate_person_id_person")),
        sa.PrimaryKeyConstraint("action_id", "person_id", name=op.f("pk_action_delegate")),
    )
    op.create_table(
        "progress_update",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("cycle_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("teams_user_id", sa.String(length=200), nullable=True),
        sa.Column("submitted_at", storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("rag", sa.String(length=20), nullable=True),
        sa.Column("narrative", sa.Text(), nullable=False),
        sa.Column("evidence_links", sa.JSON(), nullable=False),
        sa.Column("blockers", sa.Text(), nullable=False),
        sa.Column("revised_due", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("activity_id", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"], ["improvement_action.id"], name=op.f("fk_progress_update_action_id_improvement_action")
        ),
        sa.ForeignKeyConstraint(["author_id"], ["person.id"], name=op.f("fk_progress_update_author_id_person")),
        sa.ForeignKeyConstraint(["cycle_id"], ["cycle.id"], name=op.f("fk_progress_update_cycle_id_cycle")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_update")),
        sa.UniqueConstraint("activity_id", name=op.f("uq_progress_update_activity_id")),
    )
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_progress_update_action_id"), ["action_id"], unique=False)

    _make_audit_log_append_only()


def downgrade() -> None:
    _drop_audit_log_guards()
    with op.batch_alter_table("progress_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progress_update_action_id"))

    op.drop_table("progress_update")
    op.drop_table("action_delegate")
    op.drop_table("metric_reading")
    op.drop_table("improvement_action")
    op.drop_table("quality_statement")
    op.drop_table("metric")
    op.drop_table("conversation_ref")
    op.drop_table("theme")
    op.drop_table("processed_activity")
    op.drop_table("person")
    op.drop_table("organisation")
    op.drop_table("cycle")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_log_at"))

    op.drop_table("audit_log")


_SQLITE_GUARDS = [
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END",
]
_POSTGRES_GUARDS = [
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$",
    "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
]


def _make_audit_log_append_only() -> None:
    # The audit log is evidence: the database itself refuses to rewrite it.
    guards = _SQLITE_GUARDS if op.get_bind().dialect.name == "sqlite" else _POSTGRES_GUARDS
    for statement in guards:
        op.execute(statement)


def _drop_audit_log_guards() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log")
        op.execute("DROP FUNCTION IF EXISTS audit_log_append_only()")
