"""The figures service tests' people, and pressing the card's buttons as Teams does."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.checkin import Sender
from bot.services.figures import FiguresService
from bot.teams.routes import CardHandler, match_invoke
from storage.models import AuditEntry, MetricReading
from tests import activities
from tests.cards import element

AAD = {
    "sarah.whitfield@halton.example": "00000000-0000-4000-8000-0000000000a1",  # OT and carers lists
    "rachel.ahmed@halton.example": "00000000-0000-4000-8000-0000000000a2",  # care plan reviews
    "tom.fielding@halton.example": "00000000-0000-4000-8000-0000000000a3",  # financial assessments
    "priya.shah@halton.example": "00000000-0000-4000-8000-0000000000a4",  # admin, owns no metric
}
SARAH = "sarah.whitfield@halton.example"
OT, CARERS = "ot-assessments-waiting", "carers-assessments-waiting"
SHORT = {"ot": OT, "carers": CARERS}
SUBMIT = "figures.submit"
Sessions = async_sessionmaker[AsyncSession]


def user(email: str) -> dict[str, Any]:
    name = email.split("@")[0]
    return activities.user(f"29:{name}", name.replace(".", " ").title(), aad=AAD[email])


def sender_of(email: str) -> Sender:
    account = user(email)
    return Sender(account["id"], account["aadObjectId"], account["name"])


async def press(
    service: FiguresService,
    email: str,
    verb: str,
    data: dict[str, Any],
    activity: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """What the handler does with an Action.Execute invoke: route its verb, then call the service method
    the route names; pass ``activity`` to redeliver one."""
    activity = activity or activities.card_invoke("https://smba.example/uk/", user(email), verb, data)
    route = match_invoke(activity["value"])
    assert route is not None
    if route.handler is CardHandler.FIGURES_EDIT:
        return await service.edit_from_card(sender_of(email), route.data)
    assert route.handler is CardHandler.FIGURES_SUBMIT, route
    return await service.submit_from_card(sender_of(email), route.data, activity["id"])


def answer(card: dict[str, Any], **figures: str) -> dict[str, Any]:
    """The card's submit data with its boxes filled in, as Teams merges them; blanks left out."""
    typed = {f"value__{SHORT[k]}": v for k, v in figures.items() if v}
    return {**element(card, "submit")["data"], **typed}


async def readings(sessions: Sessions) -> dict[tuple[str, str], float]:
    async with sessions() as session:
        rows = (await session.scalars(select(MetricReading))).all()
        return {(r.metric_id, r.period): r.value for r in rows}


async def audit_of(sessions: Sessions) -> list[AuditEntry]:
    async with sessions() as session:
        query = select(AuditEntry).where(AuditEntry.entity == "metric_reading").order_by(AuditEntry.id)
        return list((await session.scalars(query)).all())


async def seed(sessions: Sessions, metric_id: str, period: str, value: float) -> None:
    async with sessions.begin() as session:
        session.add(
            MetricReading(
                metric_id=metric_id,
                period=period,
                value=value,
                submitted_at=datetime(2026, 10, 5, 9, tzinfo=UTC),
            )
        )


async def fresh(service: FiguresService, **figures: str) -> dict[str, Any]:
    """Sarah fills in a fresh `figures` card and submits it."""
    return await press(service, SARAH, SUBMIT, answer(await sarahs_card(service), **figures))


async def sarahs_card(service: FiguresService) -> dict[str, Any]:
    card = await service.figures_card(sender_of(SARAH))
    assert card is not None
    return card
