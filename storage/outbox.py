"""The outbox ledger: enqueue (idempotent), claim due rows, and record what happened to each.

Every transition names the worker that claimed the row, so a worker whose claim was taken back
(its lease ran out) can never send or settle a row that is no longer its own.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import BindParameter, Update, and_, bindparam, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from domain.outbox import DeliveryStatus, MessageKind, Recipient, check_payload
from storage.models import DeliveryState, OutboxMessage
from storage.upsert import insert_for, rowcount

S = DeliveryStatus
SHARED = "global"  # the one delivery_state row every instance reads


@dataclass(frozen=True)
class OutboxItem:
    """A claimed row, detached from the session: what a worker needs to deliver it."""

    id: int
    key: str
    kind: MessageKind
    person_id: int | None
    conversation_ref_id: int | None
    update_of_id: int | None
    payload: dict[str, Any]
    attempts: int  # Teams calls made for it before this claim


async def enqueue(
    session: AsyncSession,
    *,
    key: str,
    recipient: Recipient,
    kind: MessageKind,
    payload: Mapping[str, Any],
    now: datetime,
    not_before: datetime | None = None,
) -> bool:
    """Add a message to the outbox in the caller's transaction; False if the key is already there.

    Nothing reaches Teams except from a row added here, and a key is only ever added once
    (INSERT … ON CONFLICT DO NOTHING, so concurrent planners cannot both add it).
    """
    values = {
        "idempotency_key": key,
        "kind": MessageKind(kind).value,
        "person_id": recipient.person_id,
        "conversation_ref_id": recipient.conversation_ref_id,
        "payload": check_payload(payload),
    }
    return await _add(session, values, now=now, not_before=not_before)


async def enqueue_update(
    session: AsyncSession,
    *,
    key: str,
    original_key: str,
    payload: Mapping[str, Any],
    now: datetime,
) -> bool:
    """Replace a card already sent (or still to be sent) under `original_key`, in place.

    The update waits for the original to be sent; if the original is never sent, it fails too.
    """
    original = await session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == original_key))
    if original is None:
        raise LookupError(f"no outbox message {original_key!r} to update")
    values = {
        "idempotency_key": key,
        "kind": original.kind,
        "person_id": original.person_id,
        "conversation_ref_id": original.conversation_ref_id,
        "update_of_id": original.id,
        "payload": check_payload(payload),
    }
    return await _add(session, values, now=now, not_before=None)


async def _add(session: AsyncSession, values: dict[str, Any], *, now: datetime, not_before: datetime | None) -> bool:
    statement = (
        insert_for(session)(OutboxMessage)
        .values(
            **values,
            status=S.PENDING.value,
            attempts=0,
            next_attempt_at=max(now, not_before) if not_before else now,
            created_at=now,
            updated_at=now,
        )
        .on_conflict_do_nothing(index_elements=["idempotency_key"])
    )
    return bool(rowcount(await session.execute(statement)))


async def queued_keys(session: AsyncSession, keys: Collection[str]) -> set[str]:
    """Which of these idempotency keys are in the outbox already, whatever their status."""
    if not keys:
        return set()
    found = await session.scalars(
        select(OutboxMessage.idempotency_key).where(OutboxMessage.idempotency_key.in_(list(keys)))
    )
    return set(found.all())


async def claim_due(
    session: AsyncSession, *, now: datetime, limit: int, worker: str, lease: timedelta
) -> list[OutboxItem]:
    """Take up to `limit` due rows for `worker`. PostgreSQL skips rows another worker has locked;
    SQLite has one writer at a time (every transaction begins IMMEDIATE), which does the same."""
    rows = (
        await session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.status == S.PENDING.value, OutboxMessage.next_attempt_at <= now)
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    ).all()
    for row in rows:
        row.status = S.CLAIMED.value
        row.claimed_by = worker
        row.lease_expires_at = now + lease
        row.updated_at = now
    await session.flush()
    return [
        OutboxItem(
            row.id,
            row.idempotency_key,
            MessageKind(row.kind),
            row.person_id,
            row.conversation_ref_id,
            row.update_of_id,
            dict(row.payload),
            row.attempts,
        )
        for row in rows
    ]


# The worker's two writes per message, built once: constructing and caching-keying an UPDATE
# costs more CPU than running it.
_MINE = and_(OutboxMessage.id == bindparam("item_id"), OutboxMessage.claimed_by == bindparam("worker"))
_MARK_SENDING = (
    update(OutboxMessage)
    .where(_MINE, OutboxMessage.status == S.CLAIMED.value)
    .values(
        status=S.SENDING.value,
        attempts=OutboxMessage.attempts + 1,
        lease_expires_at=bindparam("lease_until"),
        updated_at=bindparam("now"),
    )
)
_SETTLEABLE = (S.CLAIMED.value, S.SENDING.value, S.UNKNOWN.value)


@lru_cache(maxsize=64)
def _settle_statement(fields: frozenset[str]) -> Update:
    values: dict[str, BindParameter[Any]] = {name: bindparam(f"v_{name}") for name in sorted(fields)}
    return update(OutboxMessage).where(_MINE, OutboxMessage.status.in_(_SETTLEABLE)).values(values)


async def mark_sending(session: AsyncSession, item_id: int, *, worker: str, now: datetime, lease: timedelta) -> bool:
    """Claimed → sending, counted as an attempt. Commit this before calling Teams: if the process
    dies during the call the row stays `sending` and becomes `unknown`, never sent twice."""
    connection = await session.connection()
    params = {"item_id": item_id, "worker": worker, "lease_until": now + lease, "now": now}
    result = await connection.execute(_MARK_SENDING, params)
    return bool(result.rowcount)


async def settle(
    session: AsyncSession,
    item_id: int,
    *,
    worker: str,
    status: DeliveryStatus,
    now: datetime,
    **fields: Any,
) -> bool:
    """Record the outcome of this worker's claim: sent, failed, unreachable, unknown, or back to
    pending (with `next_attempt_at`). A row already flagged `unknown` (its lease ran out mid-call)
    still takes the real outcome when it arrives."""
    values: dict[str, Any] = {"status": status.value, "updated_at": now, **fields}
    if status is not S.UNKNOWN:
        values.update(claimed_by=None, lease_expires_at=None)
    if status is S.SENT:
        values["sent_at"] = now
    if values.get("last_error"):
        values["last_error"] = str(values["last_error"])[:2000]
    connection = await session.connection()
    params = {"item_id": item_id, "worker": worker, **{f"v_{k}": v for k, v in values.items()}}
    result = await connection.execute(_settle_statement(frozenset(values)), params)
    return bool(result.rowcount)


@dataclass(frozen=True)
class Recovered:
    requeued: int  # claimed but never sent: safe to send again
    unknown: int  # were being sent: flagged for a human


async def recover_abandoned(
    session: AsyncSession, *, now: datetime, ignore_leases: bool = False, dead_workers: Collection[str] = ()
) -> Recovered:
    """Rows whose worker's lease ran out (it crashed or hung), or whose worker is known dead (its
    heartbeat stopped: `dead_workers`). `ignore_leases` is for a restart after a crash when no
    other worker can be running (one SQLite instance, an operator's word)."""
    expired = OutboxMessage.lease_expires_at < now
    if dead_workers:
        expired = or_(expired, OutboxMessage.claimed_by.in_(list(dead_workers)))
    claimed = OutboxMessage.status == S.CLAIMED.value
    sending = OutboxMessage.status == S.SENDING.value
    requeued = await session.execute(
        update(OutboxMessage)
        .where(claimed if ignore_leases else and_(claimed, expired))
        .values(status=S.PENDING.value, claimed_by=None, lease_expires_at=None, updated_at=now)
    )
    unknown = await session.execute(
        update(OutboxMessage)
        .where(sending if ignore_leases else and_(sending, expired))
        .values(
            status=S.UNKNOWN.value,
            updated_at=now,
            last_error="the worker stopped during the Teams call: it may or may not have been sent",
        )
    )
    return Recovered(rowcount(requeued), rowcount(unknown))


async def release_claims(session: AsyncSession, *, worker: str, now: datetime) -> Recovered:
    """A stopping worker's own claims, at once rather than after the lease: rows it never sent go
    back to pending; rows whose Teams call it gave up waiting for are flagged `unknown`."""
    mine = OutboxMessage.claimed_by == worker
    requeued = await session.execute(
        update(OutboxMessage)
        .where(mine, OutboxMessage.status == S.CLAIMED.value)
        .values(status=S.PENDING.value, claimed_by=None, lease_expires_at=None, updated_at=now)
    )
    unknown = await session.execute(
        update(OutboxMessage)
        .where(mine, OutboxMessage.status == S.SENDING.value)
        .values(
            status=S.UNKNOWN.value,
            updated_at=now,
            last_error="the worker shut down before Teams answered: it may or may not have been sent",
        )
    )
    return Recovered(rowcount(requeued), rowcount(unknown))


async def paused_until(session: AsyncSession) -> datetime | None:
    return await session.scalar(select(DeliveryState.paused_until).where(DeliveryState.id == SHARED))


async def pause(session: AsyncSession, *, until: datetime, reason: str, now: datetime) -> None:
    """Every instance stops sending until `until`; an earlier pause never shortens a later one."""
    await session.execute(
        insert_for(session)(DeliveryState)
        .values(id=SHARED, paused_until=None, reason=None, updated_at=now)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    await session.execute(
        update(DeliveryState)
        .where(DeliveryState.id == SHARED)
        .where((DeliveryState.paused_until.is_(None)) | (DeliveryState.paused_until < until))
        .values(paused_until=until, reason=reason[:400], updated_at=now)
    )


async def next_wake(session: AsyncSession) -> datetime | None:
    """When something will next need a worker: a pending row falling due or a lease running out."""
    due = await session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(OutboxMessage.status == S.PENDING.value)
    )
    lease = await session.scalar(
        select(func.min(OutboxMessage.lease_expires_at)).where(
            OutboxMessage.status.in_([S.CLAIMED.value, S.SENDING.value])
        )
    )
    return min((t for t in (due, lease) if t is not None), default=None)


async def oldest_due(session: AsyncSession, *, now: datetime) -> datetime | None:
    """When the longest-waiting message that is due now fell due (None: nothing is waiting)."""
    return await session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == S.PENDING.value, OutboxMessage.next_attempt_at <= now
        )
    )


async def status_counts(session: AsyncSession) -> dict[DeliveryStatus, int]:
    rows = await session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status))
    counts = {status: 0 for status in DeliveryStatus}
    for status, count in rows:
        counts[DeliveryStatus(status)] = count
    return counts
