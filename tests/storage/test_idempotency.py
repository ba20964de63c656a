"""Idempotency keys: claimed once, in one statement, without spoiling the caller's transaction."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.idempotency import claim_all, submission_keys
from storage.models import ProcessedActivity

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def test_a_submission_claims_its_activity_and_its_card() -> None:
    assert submission_keys("act-1", "card-1") == ["activity:act-1", "card:card-1"]
    assert submission_keys(None, "card-1") == ["card:card-1"]
    assert (
        submission_keys("act-1", None)
        == submission_keys("act-1", "")
        == submission_keys("act-1", 7)
        == ["activity:act-1"]
    )
    assert submission_keys(None, None) == []


async def test_keys_are_claimed_once(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions.begin() as session:
        assert await claim_all(session, ["activity:a", "card:c"], now=NOW)
        assert await claim_all(session, [], now=NOW)  # nothing to claim
    async with sessions.begin() as session:
        assert not await claim_all(session, ["activity:a", "card:c"], now=NOW)  # redelivered
        assert not await claim_all(session, ["activity:b", "card:c"], now=NOW)  # double click on one card
        # A refused claim leaves the transaction usable: the new key was recorded and commits.
        assert await claim_all(session, ["activity:d"], now=NOW)
    async with sessions() as session:
        keys = set((await session.scalars(select(ProcessedActivity.activity_id))).all())
        assert keys == {"activity:a", "card:c", "activity:b", "activity:d"}
        assert await session.scalar(select(func.count()).select_from(ProcessedActivity)) == 4
