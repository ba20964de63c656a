"""Running the planner against a real database, with the outbox as what it produced; or against the
in-memory store (tests/fakes/planning_store.py), where the planner's own logic is all there is."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.checkin import CheckinService
from bot.services.digest import DigestService
from bot.services.figures import FiguresService
from bot.services.planning import MessageRenderer, PlanningRunner
from domain.calendar import WorkingCalendar
from domain.planner import Planner
from domain.planning import RunReport
from scheduler.jobs import JobCall
from storage.models import OutboxMessage
from storage.plan_file import load_plan_file
from tests.conftest import EXAMPLE_PLAN
from tests.fakes.planning_store import InMemoryPlanningStore


class Harness:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], clock: Any) -> None:
        self.sessions = sessions
        renderer = MessageRenderer(
            CheckinService(sessions, clock, "Europe/London"),
            FiguresService(sessions, clock, "Europe/London"),
            DigestService(sessions, clock, "Europe/London").card_in_session,
        )
        self.runner = PlanningRunner(sessions, renderer, "Europe/London")

    async def run(self, call: JobCall, now: datetime) -> RunReport:
        return await self.runner.run(call, now)

    async def keys(self) -> list[str]:
        async with self.sessions() as session:
            return list((await session.scalars(select(OutboxMessage.idempotency_key).order_by(OutboxMessage.id))).all())

    async def messages(self) -> list[OutboxMessage]:
        async with self.sessions() as session:
            return list((await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all())


@pytest.fixture
def harness(sessions: async_sessionmaker[AsyncSession], example_plan: None, clock: Any) -> Harness:
    return Harness(sessions, clock)


class MemoryHarness:
    """The planner over the in-memory store holding the example plan, each run as the scheduler's."""

    def __init__(self) -> None:
        self.store = InMemoryPlanningStore(load_plan_file(EXAMPLE_PLAN))
        self._calendar = WorkingCalendar("Europe/London")

    async def run(self, call: JobCall, now: datetime) -> RunReport:
        return await call(Planner(self.store, self._calendar), now)


@pytest.fixture
def memory() -> MemoryHarness:
    return MemoryHarness()
