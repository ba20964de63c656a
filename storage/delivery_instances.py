"""Delivery instances' heartbeats: who is sending, so each takes `ceiling / live instances`.

An instance beats every few seconds, pushing its lease forward. One whose lease ran out is dead:
the next beat of any other removes it and names it, so its claims can be taken back at once and
its share of the ceiling returns to the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import DeliveryInstance
from storage.upsert import insert_for

BEAT_LOCK = 0x0CC0_0017  # the advisory lock key beats take turns on


@dataclass(frozen=True)
class Membership:
    live: int  # instances with a fresh lease, this one included
    joined: bool  # this instance was not live before this beat (new, or back after a stall)
    dead: tuple[str, ...]  # instances whose lease ran out, removed by this beat


@dataclass(frozen=True)
class LiveInstance:
    name: str
    started_at: datetime
    heartbeat_at: datetime
    share: float


async def beat(session: AsyncSession, *, name: str, now: datetime, lease: timedelta, share: float) -> Membership:
    """Renew `name`'s lease (registering it if need be) and count the live instances.

    Beats take turns (PostgreSQL: a transaction lock; SQLite has one writer at a time), so two
    instances starting together cannot both count themselves alone."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(select(func.pg_advisory_xact_lock(BEAT_LOCK)))
    expired = DeliveryInstance.expires_at < now
    dead = tuple((await session.scalars(select(DeliveryInstance.name).where(expired))).all())
    was_live = name not in dead and await session.scalar(
        select(DeliveryInstance.name).where(DeliveryInstance.name == name)
    )
    if dead:
        await session.execute(delete(DeliveryInstance).where(DeliveryInstance.name.in_(dead), expired))
    renewed = {"heartbeat_at": now, "expires_at": now + lease, "share": share}
    statement = insert_for(session)(DeliveryInstance).values(name=name, started_at=now, **renewed)
    await session.execute(statement.on_conflict_do_update(index_elements=["name"], set_=renewed))
    live = await session.scalar(select(func.count()).select_from(DeliveryInstance)) or 1
    return Membership(live=live, joined=not was_live, dead=tuple(d for d in dead if d != name))


async def leave(session: AsyncSession, name: str) -> None:
    """A clean stop: the others take this instance's share at their next beat."""
    await session.execute(delete(DeliveryInstance).where(DeliveryInstance.name == name))


async def live_instances(session: AsyncSession, *, now: datetime) -> list[LiveInstance]:
    rows = await session.execute(
        select(
            DeliveryInstance.name, DeliveryInstance.started_at, DeliveryInstance.heartbeat_at, DeliveryInstance.share
        )
        .where(DeliveryInstance.expires_at >= now)
        .order_by(DeliveryInstance.started_at, DeliveryInstance.name)
    )
    return [LiveInstance(*row) for row in rows]
