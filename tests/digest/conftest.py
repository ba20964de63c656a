"""Fixtures for the digest and report tests: the example plan with two months of history."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.digest.history import add_history


@pytest.fixture
async def history(sessions: async_sessionmaker[AsyncSession], example_plan: None) -> None:
    async with sessions.begin() as session:
        await add_history(session)
