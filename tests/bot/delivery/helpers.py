"""Seeding people and conversations, building workers against the fake Bot Connector, and reading
back what it delivered."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.worker import DeliveryConfig, DeliveryWorker
from bot.runtime import build_runtime, utc_now
from domain.outbox import DeliveryStatus, MessageKind, Recipient, TeamsGateway, message_payload
from storage import outbox
from storage.models import ConversationRef, OutboxMessage, Person
from tests.activities import BOT_ID, TENANT_ID
from tests.conftest import test_settings
from tests.fakes.connector import FakeConnector

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
# Small waits so retries happen within a test; the logic is the production one.
FAST = DeliveryConfig(
    app_rate=50,
    backoff_base=0.02,
    backoff_cap=0.1,
    max_local_wait=5.0,
    idle_poll=0.2,
    update_recheck=0.05,
    instance_lease=timedelta(seconds=2),
)


def card(key: str, text: str | None = None) -> dict[str, Any]:
    """A card that carries its own key, so what the fake received can be counted per message."""
    body = [{"type": "TextBlock", "text": key}, {"type": "TextBlock", "text": text or "Please update"}]
    return message_payload(card={"type": "AdaptiveCard", "version": "1.5", "body": body})


def key_of(activity: dict[str, Any]) -> str:
    return activity["attachments"][0]["content"]["body"][0]["text"]


def delivered(connector: FakeConnector) -> Counter[str]:
    return connector.delivered_count_by_key(key_of)  # type: ignore[return-value]


def member_json(n: int) -> dict[str, str]:
    return {
        "id": f"29:user-{n}",
        "name": f"Person {n}",
        "aadObjectId": f"aad-{n:04d}",
        "email": f"person{n}@council.gov.uk",
        "userPrincipalName": f"person{n}@council.gov.uk",
        "tenantId": TENANT_ID,
    }


async def add_people(
    sessions: async_sessionmaker[AsyncSession], count: int, service_url: str, *, chats: bool = True, start: int = 1
) -> list[int]:
    """People numbered from `start`; each with a personal chat with the bot when `chats`."""
    ids = []
    async with sessions.begin() as session:
        for n in range(start, start + count):
            person = Person(
                name=f"Person {n}",
                email=f"person{n}@council.gov.uk",
                upn=f"person{n}@council.gov.uk",
                aad_object_id=f"aad-{n:04d}",
                roles=[],
            )
            session.add(person)
            await session.flush()
            ids.append(person.id)
            if chats:
                session.add(
                    ConversationRef(
                        conversation_id=f"a:personal-{n}",
                        kind="personal",
                        service_url=service_url,
                        tenant_id=TENANT_ID,
                        channel_id="msteams",
                        bot_id=BOT_ID,
                        bot_name="CQC Improvement",
                        user_id=f"29:user-{n}",
                        aad_object_id=f"aad-{n:04d}",
                        person_id=person.id,
                        installed=True,
                        updated_at=T0,
                    )
                )
    return ids


async def add_channel(
    sessions: async_sessionmaker[AsyncSession],
    service_url: str,
    *,
    team_id: str = "19:team@thread.tacv2",
    channel_id: str | None = None,
) -> int:
    channel_id = channel_id or team_id
    async with sessions.begin() as session:
        row = ConversationRef(
            conversation_id=channel_id,
            kind="channel",
            service_url=service_url,
            tenant_id=TENANT_ID,
            channel_id="msteams",
            bot_id=BOT_ID,
            bot_name="CQC Improvement",
            team_id=team_id,
            teams_channel_id=channel_id,
            installed=True,
            updated_at=T0,
        )
        session.add(row)
        await session.flush()
        return row.id


async def enqueue_prompts(
    sessions: async_sessionmaker[AsyncSession],
    person_ids: list[int],
    *,
    scope: str = "2026-11",
    now: datetime | None = None,
) -> list[str]:
    keys = []
    async with sessions.begin() as session:
        for person_id in person_ids:
            key = f"prompt/{scope}/person-{person_id}/0"
            await outbox.enqueue(
                session,
                key=key,
                recipient=Recipient.person(person_id),
                kind=MessageKind.PROMPT,
                payload=card(key),
                now=now or datetime.now(UTC) - timedelta(seconds=1),
            )
            keys.append(key)
    return keys


async def rows(sessions: async_sessionmaker[AsyncSession]) -> dict[str, OutboxMessage]:
    async with sessions() as session:
        found = (await session.scalars(select(OutboxMessage))).all()
    return {row.idempotency_key: row for row in found}


async def statuses(sessions: async_sessionmaker[AsyncSession]) -> Counter[str]:
    return Counter(row.status for row in (await rows(sessions)).values())


def gateway(database_url: str, edge: str = "botbuilder") -> TeamsGateway:
    """The production gateway of the edge BOT_SDK names, in local mode (no auth) — the fake is on loopback."""
    return build_runtime(test_settings(database_url, BOT_SDK=edge)).edge.gateway(utc_now)


def worker(
    sessions: async_sessionmaker[AsyncSession],
    database_url: str,
    config: DeliveryConfig = FAST,
    *,
    edge: str = "botbuilder",
    **kwargs: Any,
) -> DeliveryWorker:
    return DeliveryWorker(sessions, gateway(database_url, edge), config, **kwargs)


SENT = DeliveryStatus.SENT.value
