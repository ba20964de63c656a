"""Reaching people and channels: a personal chat created from a team roster and kept; a channel
post as a new thread; a later card updating a sent one in place."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.delivery.loop import Until, run_worker
from bot.delivery.routing import NOT_INSTALLED
from domain.outbox import MessageKind, Recipient
from storage import outbox
from storage.models import ConversationRef, Person
from tests.activities import TENANT_ID
from tests.bot.delivery.helpers import (
    SENT,
    add_channel,
    add_people,
    card,
    delivered,
    enqueue_prompts,
    key_of,
    member_json,
    rows,
    worker,
)
from tests.fakes.connector import FakeConnector

TEAM = "19:team-cqc@thread.tacv2"


@pytest.fixture
async def small_pages() -> AsyncIterator[FakeConnector]:
    async with FakeConnector(max_page_size=2) as fake:
        yield fake


async def test_a_personal_chat_is_created_from_the_team_roster_and_kept(
    sessions: async_sessionmaker[AsyncSession], database_url: str, small_pages: FakeConnector, edge: str
) -> None:
    fake = small_pages
    await add_channel(sessions, fake.base_url, team_id=TEAM)
    fake.add_team(TEAM, "CQC Improvement Group")
    by_aad = {**member_json(1), "aadObjectId": "AAD-0001", "email": None}  # matched by AAD object id
    by_email = {**member_json(2), "aadObjectId": None, "userPrincipalName": "p2@other.example"}
    by_upn = {**member_json(3), "aadObjectId": None, "email": "someone.else@council.gov.uk"}
    for member in (by_aad, by_email, by_upn, member_json(90), member_json(91)):
        fake.add_member(TEAM, member)
    people = await add_people(sessions, 4, fake.base_url, chats=False)  # person 4 is in no team
    keys = await enqueue_prompts(sessions, people)
    [also] = await enqueue_prompts(sessions, people[:1], scope="2026-11-reminder")  # same batch

    await run_worker(worker(sessions, database_url, edge=edge), until=Until.EMPTY)

    found = await rows(sessions)
    assert [found[k].status for k in keys] == [SENT, SENT, SENT, "unreachable"]
    assert found[also].status == SENT and found[also].conversation_id == found[keys[0]].conversation_id
    assert found[keys[3]].last_error == NOT_INSTALLED
    created = {c["parameters"]["members"][0]["id"]: c for c in fake.created_conversations}
    assert set(created) == {"29:user-1", "29:user-2", "29:user-3"}
    assert all(
        # botbuilder spells it "tenantID", the Agents SDK "tenantId" (the Bot Connector reads either).
        (c["parameters"].get("tenantID") or c["parameters"].get("tenantId")) == TENANT_ID
        and c["parameters"]["isGroup"] is False
        for c in created.values()
    )
    assert len(fake.calls_matching("get_paged_members")) == 3  # five members, two a page, read once
    async with sessions() as session:
        chats = (await session.scalars(select(ConversationRef).where(ConversationRef.kind == "personal"))).all()
        nobody = await session.get(Person, people[3])
    assert {(c.person_id, c.user_id, c.conversation_id) for c in chats} == {
        (people[n], f"29:user-{n + 1}", created[f"29:user-{n + 1}"]["id"]) for n in range(3)
    }
    in_chat = {n: [key_of(m) for m in fake.sent(created[f"29:user-{n + 1}"]["id"])] for n in range(3)}
    assert (sorted(in_chat[0]), in_chat[1], in_chat[2]) == (sorted([keys[0], also]), [keys[1]], [keys[2]])
    assert nobody is not None and nobody.unreachable_reason == NOT_INSTALLED[:200]

    [again] = await enqueue_prompts(sessions, people[:1], scope="2026-12")
    await run_worker(worker(sessions, database_url, edge=edge), until=Until.EMPTY)
    assert len(fake.created_conversations) == 3  # the stored chat is used; none created twice
    assert delivered(fake)[again] == 1


async def test_a_channel_post_starts_a_thread_that_a_later_card_updates_in_place(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    channel = await add_channel(sessions, connector.base_url, team_id=TEAM)
    key = f"digest/2026-11/conversation-{channel}/0"
    async with sessions.begin() as session:
        await outbox.enqueue(
            session,
            key=key,
            recipient=Recipient.conversation(channel),
            kind=MessageKind.DIGEST,
            payload=card(key, "November: 3 actions off track"),
            now=datetime.now(UTC),
        )
    w = worker(sessions, database_url, edge=edge)
    await run_worker(w, until=Until.EMPTY)

    original = (await rows(sessions))[key]
    assert original.status == SENT and original.activity_id
    assert original.conversation_id == f"{TEAM};messageid={original.activity_id}"
    [post] = connector.created_conversations
    assert post["parameters"]["channelData"]["channel"]["id"] == TEAM and post["activityId"] == original.activity_id

    async with sessions.begin() as session:
        assert await outbox.enqueue_update(
            session,
            key=f"{key}/update-1",
            original_key=key,
            payload=card(key, "November: 2 actions off track"),
            now=datetime.now(UTC),
        )
    await run_worker(w, until=Until.EMPTY)

    [update] = connector.updates(activity_id=original.activity_id)
    assert update["attachments"][0]["content"]["body"][1]["text"] == "November: 2 actions off track"
    assert connector.activities_by_id[original.activity_id]["attachments"][0]["content"]["body"][1]["text"] == (
        "November: 2 actions off track"
    )
    assert len(connector.sent()) == 1  # updated in place, not posted again
    assert (await rows(sessions))[f"{key}/update-1"].status == SENT


async def test_an_update_waits_for_its_original_and_works_in_a_personal_chat(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector, edge: str
) -> None:
    [person] = await add_people(sessions, 1, connector.base_url)
    [key] = await enqueue_prompts(sessions, [person])
    async with sessions.begin() as session:
        await outbox.enqueue_update(
            session,
            key=f"{key}/answered",
            original_key=key,
            payload=card(key, "Thank you: received"),
            now=datetime.now(UTC),
        )

    await run_worker(worker(sessions, database_url, edge=edge), until=Until.EMPTY)

    found = await rows(sessions)
    assert found[key].status == found[f"{key}/answered"].status == SENT
    [update] = connector.updates("a:personal-1", activity_id=found[key].activity_id)
    assert update["attachments"][0]["content"]["body"][1]["text"] == "Thank you: received"
