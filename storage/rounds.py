"""The monthly rounds (the cycle table) read back as domain Rounds."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.planning import Round
from storage.models import RoundRow


def to_round(row: RoundRow) -> Round:
    return Round(row.id, row.kind, row.month, row.deadline, row.closed_at is not None)


async def round_by_id(session: AsyncSession, round_id: int) -> Round | None:
    row = await session.get(RoundRow, round_id)
    return to_round(row) if row else None


async def open_progress_round(session: AsyncSession) -> Round | None:
    """The newest progress round not yet closed: the one a new prompt card belongs to."""
    row = await session.scalar(
        select(RoundRow)
        .where(RoundRow.kind == "progress", RoundRow.closed_at.is_(None))
        .order_by(RoundRow.month.desc())
        .limit(1)
    )
    return to_round(row) if row else None


async def opened_rounds(session: AsyncSession) -> set[tuple[str, str]]:
    """Every round opened so far, as (kind, month): what `cqcbot schedule` checks for a missed run."""
    return {(kind, month) for kind, month in (await session.execute(select(RoundRow.kind, RoundRow.month))).all()}
