"""The composition root: builds and wires the engine, sessions, adapter and bot from settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from botbuilder.integration.aiohttp import CloudAdapter

from bot.delivery.worker import DeliveryConfig, DeliveryWorker
from bot.services.account import AccountService
from bot.services.checkin import CheckinService
from bot.services.digest import DigestService
from bot.services.evidence import EvidenceService
from bot.services.figures import FiguresService
from bot.services.planning import MessageRenderer, PlanningRunner
from bot.services.readiness import ReadinessService
from bot.services.report_links import links_for
from bot.services.signoff import SignoffService
from bot.settings import Settings
from bot.teams.adapter import new_adapter
from bot.teams.gateway import BotFrameworkGateway
from bot.teams.handler import CqcBot
from domain.outbox import DeliveryStatus
from storage.engine import Engine, Sessions, new_engine, new_sessionmaker


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: Sessions
    adapter: CloudAdapter
    bot: CqcBot
    planning: PlanningRunner
    clock: Callable[[], datetime] = field(default=utc_now)

    def delivery_worker(self, on_settled: Callable[[DeliveryStatus], None] | None = None) -> DeliveryWorker:
        """The outbox worker, sending through the Teams edge under the configured limits."""
        gateway = BotFrameworkGateway(self.adapter, self.settings.app_id, clock=self.clock)
        config = DeliveryConfig.from_settings(self.settings)
        return DeliveryWorker(self.sessions, gateway, config, clock=self.clock, on_settled=on_settled)

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
        bot=CqcBot(
            sessions,
            clock,
            checkin,
            AccountService(sessions, clock, settings.timezone),
            figures,
            digest,
            ReadinessService(sessions, clock, settings.timezone),
            SignoffService(sessions, clock, settings.timezone),
            EvidenceService(sessions, clock, settings.timezone),
        ),
        planning=PlanningRunner(sessions, MessageRenderer(checkin, figures, digest.card_in_session), settings.timezone),
        clock=clock,
    )
