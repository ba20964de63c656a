"""Idempotency keys: an inbound activity or a card is applied once, however often it arrives."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ProcessedActivity
from storage.upsert import insert_for

_PROCESSED = ProcessedActivity.__table__


async def claim_all(session: AsyncSession, keys: Sequence[str], *, now: datetime) -> bool:
    """Record every key as handled; False when any of them already was (a redelivery or a double click).

    One INSERT … ON CONFLICT DO NOTHING for all the keys: a duplicate neither fails the statement
    nor the caller's transaction, and RETURNING says which keys were new. Concurrent claims of one
    key queue on its unique index, so exactly one of them gets it.
    """
    if not keys:
        return True
    statement = (
        insert_for(session)(_PROCESSED)  # the table, not the entity: no ORM bulk-insert machinery for two rows
        .values([{"activity_id": key, "received_at": now} for key in keys])
        .on_conflict_do_nothing(index_elements=["activity_id"])
        .returning(_PROCESSED.c.activity_id)
    )
    claimed = (await session.execute(statement)).scalars().all()
    return len(claimed) == len(keys)


def submission_keys(activity_id: str | None, card_id: object) -> list[str]:
    """The keys a card submission claims: its activity (Teams redelivers) and its card (double clicks)."""
    keys = [f"activity:{activity_id}"] if activity_id else []
    if isinstance(card_id, str) and card_id:
        keys.append(f"card:{card_id}")
    return keys
