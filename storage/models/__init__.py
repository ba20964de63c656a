"""SQLAlchemy 2 typed models, one module per part of the schema. Alembic migrations (storage/migrations)
are the only way a schema is made; importing this package registers every table on Base.metadata."""

from storage.models.audit import AuditEntry, ProcessedActivity
from storage.models.base import Base, BigId
from storage.models.checkin import ProgressRequest, ProgressUpdate, RoundRow
from storage.models.outbox import DeliveryInstance, DeliveryState, OutboxMessage
from storage.models.plan import (
    ActionDelegate,
    ConversationRef,
    ImprovementAction,
    Metric,
    MetricReading,
    Organisation,
    Person,
    QualityStatement,
    Theme,
)
from storage.models.readiness import EvidenceItem, PlanSignoff, SelfAssessment

__all__ = [
    "ActionDelegate",
    "AuditEntry",
    "Base",
    "BigId",
    "ConversationRef",
    "DeliveryInstance",
    "DeliveryState",
    "EvidenceItem",
    "ImprovementAction",
    "Metric",
    "MetricReading",
    "Organisation",
    "OutboxMessage",
    "Person",
    "PlanSignoff",
    "ProcessedActivity",
    "ProgressRequest",
    "ProgressUpdate",
    "QualityStatement",
    "RoundRow",
    "SelfAssessment",
    "Theme",
]
