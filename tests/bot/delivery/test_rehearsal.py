"""Rehearsing a month: `cqcbot deliver --as-of T` sends what a simulated calendar queued for T, and
`cqcbot tick --deliver --as-of T` runs the calendar to T and sends what it queued."""

from __future__ import annotations

import asyncio
import os
import sys
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.cli.delivery import simulated_clock
from domain.outbox import DeliveryStatus
from storage.models import ConversationRef, Person
from tests.activities import BOT_ID, TENANT_ID
from tests.bot.delivery.helpers import SENT, add_people, delivered, enqueue_prompts, rows
from tests.fakes.connector import FakeConnector

REHEARSED = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # later than the machine's clock


async def _cli(database_url: str, *args: str) -> tuple[int, str]:
    env = {**os.environ, "DATABASE_URL": database_url, "MicrosoftAppId": "", "COLUMNS": "200"}
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", *args, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    return process.returncode or 0, output.decode()


async def test_deliver_as_of_sends_what_the_rehearsed_moment_queued(
    sessions: async_sessionmaker[AsyncSession], database_url: str, connector: FakeConnector
) -> None:
    people = await add_people(sessions, 2, connector.base_url)
    keys = await enqueue_prompts(sessions, people, scope="progress-2027-01", now=REHEARSED)

    code, output = await _cli(database_url, "deliver")
    assert code == 0 and "Sent 0" in output, output  # not due yet by the machine's clock
    code, output = await _cli(database_url, "deliver", "--as-of", "2027-01-04T09:00")
    assert code == 0 and "Sent 2" in output, output
    assert {key: row.status for key, row in (await rows(sessions)).items()} == dict.fromkeys(keys, SENT)
    assert delivered(connector) == dict.fromkeys(keys, 1)
    code, output = await _cli(database_url, "deliver", "--as-of", "2027-01-04T09:05")
    assert "Sent 0" in output  # each key once


def test_the_simulated_clock_starts_at_the_moment_and_runs_on() -> None:
    ticks = iter([100.0, 100.0, 161.5])
    clock = simulated_clock(REHEARSED, monotonic=lambda: next(ticks))
    assert clock() == REHEARSED
    assert (clock() - REHEARSED).total_seconds() == 61.5


async def _give_personal_chat(sessions: async_sessionmaker[AsyncSession], email: str, service_url: str) -> str:
    """The person of the plan installed the bot: a personal chat the delivery worker can write to."""
    async with sessions.begin() as session:
        person = await session.scalar(select(Person).where(Person.email == email))
        assert person is not None, email
        conversation_id = f"a:personal-{person.id}"
        session.add(
            ConversationRef(
                conversation_id=conversation_id, kind="personal", service_url=service_url, tenant_id=TENANT_ID,
                channel_id="msteams", bot_id=BOT_ID, bot_name="CQC Improvement", user_id=f"29:user-{person.id}",
                person_id=person.id, installed=True, updated_at=REHEARSED,
            )
        )  # fmt: skip
    return conversation_id


async def test_tick_deliver_sends_what_the_rehearsed_moment_queued(
    sessions: async_sessionmaker[AsyncSession], example_plan: None, database_url: str, connector: FakeConnector
) -> None:
    reachable = ("rachel.ahmed@halton.example", "joanne.kelly@halton.example")
    chats = {email: await _give_personal_chat(sessions, email, connector.base_url) for email in reachable}

    # January's round opens on its first working day, a moment still ahead of the machine's clock.
    code, output = await _cli(database_url, "tick", "--deliver", "--as-of", "2027-01-04T09:30")
    assert code == 0 and "queued  prompt progress-2027-01" in output, output
    queued = await rows(sessions)
    prompts = {key: row for key, row in queued.items() if key.startswith("prompt/progress-2027-01/")}
    assert prompts and all(row.status != DeliveryStatus.PENDING.value for row in queued.values()), output

    async with sessions() as session:
        ids = {email: id_ for email, id_ in (await session.execute(select(Person.email, Person.id))).all()}
    for email in ids:
        mine = [row for row in prompts.values() if row.person_id == ids[email]]
        if email in chats:
            # Each of their prompts reached Teams exactly once, in their own chat.
            assert mine and all(row.status == SENT for row in mine), email
            assert len(connector.sent(chats[email])) == len(mine), email
        else:
            assert all(row.status == DeliveryStatus.UNREACHABLE.value for row in mine), email

    # Running the same moment again queues and sends nothing more.
    code, again = await _cli(database_url, "tick", "--deliver", "--as-of", "2027-01-04T09:45")
    assert code == 0 and "0 messages queued" in again and "Sent 0" in again, again
    assert len(connector.sent()) == sum(len(connector.sent(c)) for c in chats.values())
