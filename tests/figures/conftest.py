"""The figures service on the example plan, its people known to Teams by their Entra ids."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.services.figures import FiguresService
from storage.models import Person
from tests.conftest import FakeClock
from tests.figures.helpers import AAD, Sessions


@pytest.fixture
async def service(sessions: Sessions, example_plan: None, clock: FakeClock) -> FiguresService:
    async with sessions.begin() as session:
        for email, aad in AAD.items():
            person = await session.scalar(select(Person).where(Person.email == email))
            assert person is not None
            person.aad_object_id = aad
    return FiguresService(sessions, clock, "Europe/London")  # the clock says 23 November 2026
