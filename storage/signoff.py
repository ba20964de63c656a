"""Plan sign-off snapshots: stored whole, audited, the newest one read back."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.signoff import Signoff, snapshot_of
from storage import audit
from storage.models import PlanSignoff
from storage.people import StoredPerson
from storage.plan_queries import load_plan


async def sign_off(session: AsyncSession, signer: StoredPerson, *, now: datetime) -> Signoff | None:
    """None before a plan is imported."""
    plan = await load_plan(session)
    if plan is None:
        return None
    snapshot = snapshot_of(plan)
    row = PlanSignoff(signed_at=now, signer_email=signer.email, signer_name=signer.name, snapshot=snapshot)
    session.add(row)
    await session.flush()
    audit.record(
        session,
        at=now,
        actor=signer.email,
        entity="plan_signoff",
        entity_id=str(row.id),
        change="sign_off",
        before=None,
        after={"actions": len(snapshot["actions"]), "metrics": len(snapshot["metrics"])},
    )
    return Signoff(now, signer.name, signer.email, snapshot)


async def latest_signoff(session: AsyncSession) -> Signoff | None:
    row = await session.scalar(select(PlanSignoff).order_by(PlanSignoff.signed_at.desc(), PlanSignoff.id.desc()))
    return Signoff(row.signed_at, row.signer_name, row.signer_email, row.snapshot) if row else None
