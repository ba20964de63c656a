"""The composition root: builds and wires the engine, sessions, adapter and bot from settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from botbuilder.integration.aiohttp import CloudAdapter
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.account import AccountService
from bot.adapter import new_adapter
from bot.checkin import CheckinService
from bot.digest_service import DigestService
from bot.figures import FiguresService
from bot.handler import CqcBot
from bot.planning import MessageRenderer, PlanningRunner
from bot.report_links import links_for
from bot.settings import Settings
from storage.engine import new_engine, new_sessionmaker


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    adapter: CloudAdapter
    bot: CqcBot
    planning: PlanningRunner
    clock: Callable[[], datetime] = field(default=utc_now)

    async def close(self) -> None:
        await self.engine.dispose()


def build_runtime(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Runtime:
    engine = new_engine(settings.database_url)
    sessions = new_sessionmaker(engine)
    checkin = CheckinService(sessions, clock, settings.timezone)
    figures = FiguresService(sessions, clock, settings.timezone)
    digest = DigestService(sessions, clock, settings.timezone, links_for(settings))
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        adapter=new_adapter(settings),
        bot=CqcBot(sessions, clock, checkin, AccountService(sessions, clock, settings.timezone), figures, digest),
        planning=PlanningRunner(sessions, MessageRenderer(checkin, figures, digest.card_in_session), settings.timezone),
        clock=clock,
    )
