"""The composition root: builds and wires the engine, sessions, the Teams edge and the services from settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.delivery.outcomes import DeliveryEvents
from bot.delivery.worker import DeliveryConfig, DeliveryWorker
from bot.services.account import AccountService
from bot.services.checkin import CheckinService
from bot.services.digest import DigestService
from bot.services.evidence import EvidenceService
from bot.services.figures import FiguresService
from bot.services.planning import MessageRenderer, PlanningRunner, ResendService
from bot.services.readiness import ReadinessService
from bot.services.report_links import links_for
from bot.services.signoff import SignoffService
from bot.services.tab_links import tab_links_for
from bot.settings import BotSdk, Settings
from bot.teams.answers import BotAnswers
from bot.teams.botbuilder_edge import BotbuilderEdge
from bot.teams.edge import TeamsEdge
from storage.engine import Engine, Sessions, new_engine, new_sessionmaker


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    sessions: Sessions
    edge: TeamsEdge
    planning: PlanningRunner
    clock: Callable[[], datetime] = field(default=utc_now)

    def delivery_worker(self, events: DeliveryEvents | None = None) -> DeliveryWorker:
        """The outbox worker, sending through the Teams edge under the configured limits."""
        config = DeliveryConfig.from_settings(self.settings)
        return DeliveryWorker(self.sessions, self.edge.gateway(self.clock), config, clock=self.clock, events=events)

    async def close(self) -> None:
        await self.engine.dispose()


def new_edge(settings: Settings, answers: BotAnswers) -> TeamsEdge:
    """The Teams edge BOT_SDK names; everything above it is the same on both."""
    if settings.bot_sdk is BotSdk.AGENTS:
        # Imported only when chosen: the Agents SDK is an optional extra.
        from bot.teams.agents.edge import AgentsEdge

        return AgentsEdge(settings, answers)
    return BotbuilderEdge(settings, answers)


def build_runtime(settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Runtime:
    engine = new_engine(settings.database_url)
    sessions = new_sessionmaker(engine)
    checkin = CheckinService(sessions, clock, settings.timezone, tab_links_for(settings))
    figures = FiguresService(sessions, clock, settings.timezone)
    digest = DigestService(sessions, clock, settings.timezone, links_for(settings, clock), tab_links_for(settings))
    planning = PlanningRunner(sessions, MessageRenderer(checkin, figures, digest.card_in_session), settings.timezone)
    resend = ResendService(sessions, clock, settings.timezone, planning)
    account = AccountService(sessions, clock, settings.timezone)
    answers = BotAnswers(
        sessions,
        clock,
        checkin,
        account,
        figures,
        digest,
        resend,
        ReadinessService(sessions, clock, settings.timezone),
        SignoffService(sessions, clock, settings.timezone),
        EvidenceService(sessions, clock, settings.timezone),
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=sessions,
        edge=new_edge(settings, answers),
        planning=planning,
        clock=clock,
    )
