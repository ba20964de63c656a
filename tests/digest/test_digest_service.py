"""The chair's commands: `digest` previews privately, `post digest` queues it once; everyone else is
refused politely. Also the `digest.more` pages and the scheduled post's card."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.services.checkin import Sender
from bot.services.digest import DigestService, digest_key, digest_messages
from bot.services.report_links import ReportLinks
from domain.outbox import Recipient
from storage.models import ConversationRef, Organisation, OutboxMessage, Person
from tests.cards import texts as card_texts
from tests.digest.history import AS_OF, MONTH

AAD = {
    "helen.carter@halton.example": "aad-chair",
    "priya.shah@halton.example": "aad-admin",
    "mark.doyle@halton.example": "aad-owner",
}
CHANNEL = "19:improvement-group@thread.tacv2"
LINKS = ReportLinks("https://bot.example", b"k")


def sender(email: str | None) -> Sender:
    return Sender(user_id="29:someone", aad_object_id=AAD.get(email or "", "aad-stranger"), name="Someone")


@pytest.fixture
async def service(sessions: async_sessionmaker[AsyncSession], history: None) -> DigestService:
    async with sessions.begin() as session:
        for person in (await session.scalars(select(Person))).all():
            person.aad_object_id = AAD.get(person.email)
    return DigestService(sessions, lambda: AS_OF, "Europe/London", LINKS)


async def add_group_channel(sessions: async_sessionmaker[AsyncSession]) -> int:
    async with sessions.begin() as session:
        organisation = await session.get(Organisation, 1)
        organisation.settings = {**organisation.settings, "group_channel": CHANNEL}
        row = ConversationRef(
            conversation_id=CHANNEL,
            kind="channel",
            service_url="https://smba.example/",
            channel_id="msteams",
            teams_channel_id=CHANNEL,
            team_id="19:team@thread.tacv2",
            installed=True,
            updated_at=AS_OF,
        )
        session.add(row)
        await session.flush()
        return row.id


@pytest.mark.parametrize("who", ["helen.carter@halton.example", "priya.shah@halton.example"])
async def test_chair_and_admin_get_a_private_preview(service: DigestService, who: str) -> None:
    card = await service.preview(sender(who))
    text = card_texts(card)
    assert "CQC improvement digest — April 2026" in text and "**12 of 19** actions updated (63%)" in text
    assert "https://bot.example/reports/2026-04.html?t=" in str(card)


@pytest.mark.parametrize("who", ["mark.doyle@halton.example", None])
async def test_others_are_refused_politely(service: DigestService, who: str | None) -> None:
    asked = (service.preview(sender(who)), service.confirm_post(sender(who)), service.post(sender(who)))
    for card in [await call for call in asked]:
        text = card_texts(card)
        assert "digest —" not in text
        assert ("for the chair" in text) if who else ("not in the plan" in text)


async def test_post_digest_queues_once_for_channel_and_chair(
    service: DigestService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    channel_id = await add_group_channel(sessions)
    first = card_texts(await service.post(sender("helen.carter@halton.example")))
    again = card_texts(await service.post(sender("priya.shah@halton.example")))
    assert "on its way to the group's channel as a new thread, and to the chair" in first
    assert "already sent" in again and "nothing was sent again" in again
    async with sessions() as session:
        rows = (await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
        helen = await session.scalar(select(Person.id).where(Person.email == "helen.carter@halton.example"))
    assert [(r.kind, r.conversation_ref_id, r.person_id) for r in rows] == [
        ("digest", channel_id, None),
        ("digest", None, helen),
    ]
    # The planner's keys, so a scheduled post after a manual one sends nothing more.
    assert [r.idempotency_key for r in rows] == [
        digest_key(MONTH, Recipient.conversation(channel_id), "channel"),
        digest_key(MONTH, Recipient.person(helen), "chair"),
    ]
    assert rows[0].payload["card"]["type"] == "AdaptiveCard"


async def test_post_digest_asks_first_and_then_says_it_was_posted(
    service: DigestService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    await add_group_channel(sessions)
    question = await service.confirm_post(sender("helen.carter@halton.example"))
    assert "Post the April 2026 digest now?" in card_texts(question)
    assert "12 of 19" in card_texts(question)
    async with sessions() as session:
        assert (await session.scalars(select(OutboxMessage))).all() == []
    await service.post_from_card(sender("helen.carter@halton.example"), question["actions"][0]["data"])
    done = await service.confirm_post(sender("priya.shah@halton.example"))
    assert "was already posted" in card_texts(done) and "actions" not in done


async def test_digest_messages_without_a_channel_go_to_the_chair(
    service: DigestService, sessions: async_sessionmaker[AsyncSession]
) -> None:
    async with sessions() as session:
        messages = await digest_messages(session, MONTH, {"type": "AdaptiveCard"})
    assert [m.key.split("/")[-1] for m in messages] == ["chair"]
    text = card_texts(await service.post(sender("helen.carter@halton.example")))
    assert "I'm not in the group's channel yet" in text


async def test_more_pages_for_people_in_the_plan(service: DigestService) -> None:
    data = {"month": MONTH, "section": "concerns", "offset": 1}
    text = card_texts(await service.more(sender("mark.doyle@halton.example"), data))
    assert "Red and amber actions — April 2026" in text and "2–5 of 5" in text
    assert "**LEAD-04**" not in text and "**PS-02**" in text
    assert "not in the plan" in card_texts(await service.more(sender(None), data))
    assert "can't show that" in card_texts(await service.more(sender("mark.doyle@halton.example"), {"x": 1}))


async def test_scheduled_post_card(service: DigestService) -> None:
    card = await service.card_for_month(MONTH, as_of=datetime(2026, 4, 20, 8, tzinfo=UTC))
    assert card["type"] == "AdaptiveCard" and "April 2026" in card_texts(card)
