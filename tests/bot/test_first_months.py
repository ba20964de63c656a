"""A new council's first months, over HTTP against the fake Bot Connector: owners who install the
app after the round opened get their prompts once, an update between rounds answers the next round,
and nobody is named wrongly as unreachable or unanswered; a metric owner who installs after the figures
request gets it once."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.delivery.loop import Until, run_worker
from domain.outbox import DeliveryStatus, MessageKind
from domain.planner import Planner
from storage.digest_queries import load_digest_input
from storage.models import ImprovementAction, OutboxMessage, Person
from storage.outbox_report import outbox_report
from tests import activities
from tests.bot.delivery.helpers import worker
from tests.cards import element, texts
from tests.conftest import BotServer, FakeClock

OPENS_DECEMBER = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)  # GMT: 09:00 local
OPENS_JANUARY = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # the first working day of January
PROMPT_TITLE = "CQC improvement — progress for"
CHAIR = "helen.carter@halton.example"


async def _owners(server: BotServer) -> dict[str, list[str]]:
    """Six owners of open actions, with their refs, in plan order."""
    async with server.runtime.sessions() as session:
        rows = (
            await session.execute(
                select(Person.email, ImprovementAction.ref)
                .join(ImprovementAction, ImprovementAction.owner_id == Person.id)
                .where(ImprovementAction.status != "complete")
                .order_by(ImprovementAction.position)
            )
        ).all()
    owners: dict[str, list[str]] = {}
    for email, ref in rows:
        owners.setdefault(email, []).append(ref)
    return dict(list(owners.items())[:6])


def _sender(email: str) -> dict[str, Any]:
    name = email.split("@")[0]
    return activities.user(f"29:{name}", name, aad=f"aad-{name}")


async def _give_aad_ids(server: BotServer, emails: list[str]) -> None:
    async with server.runtime.sessions.begin() as session:
        for person in (await session.scalars(select(Person).where(Person.email.in_(emails)))).all():
            person.aad_object_id = _sender(person.email)["aadObjectId"]


async def _install(server: BotServer, email: str) -> str:
    install = activities.personal_install(server.service_url, _sender(email))
    assert (await server.post(install)).status in (200, 201)
    return str(install["conversation"]["id"])


def _prompted_refs(server: BotServer, conversation_id: str) -> list[str]:
    cards = [a["attachments"][0]["content"] for a in server.connector.sent(conversation_id) if a.get("attachments")]
    # Sent concurrently, so in no set order.
    return sorted(element(c, "submit")["data"]["action_ref"] for c in cards if PROMPT_TITLE in texts(c))


async def _run(server: BotServer, clock: FakeClock, database_url: str, job: str) -> None:
    async def call(planner: Planner, now: datetime) -> Any:
        return await getattr(planner, job)(now)

    await server.runtime.planning.run(call, clock())
    await run_worker(worker(server.runtime.sessions, database_url, clock=clock), until=Until.IDLE)


async def test_late_joiners_get_their_prompts_once_and_nobody_is_named_wrongly(
    bot_server: BotServer, example_plan: None, clock: FakeClock, database_url: str
) -> None:
    owners = await _owners(bot_server)
    emails = list(owners)
    await _give_aad_ids(bot_server, emails)
    assert (await bot_server.post(activities.team_install(bot_server.service_url))).status in (200, 201)
    chats = {email: await _install(bot_server, email) for email in emails[:3]}  # 3 of 6 reachable

    clock.now = OPENS_DECEMBER
    await _run(bot_server, clock, database_url, "open_round")
    for email in emails[:3]:
        assert _prompted_refs(bot_server, chats[email]) == sorted(owners[email])
    async with bot_server.runtime.sessions() as session:
        late = (await session.scalars(select(Person).where(Person.email.in_(emails[3:])))).all()
        assert all(p.unreachable_since is not None for p in late)

    # The other three install over the following days; each gets their prompts, once.
    for day, email in enumerate(emails[3:], start=2):
        clock.now = OPENS_DECEMBER.replace(day=day, hour=11)
        chats[email] = await _install(bot_server, email)
        await run_worker(worker(bot_server.runtime.sessions, database_url, clock=clock), until=Until.IDLE)
        await _install(bot_server, email)  # a second install event sends nothing more
        await _run(bot_server, clock, database_url, "open_round")  # nor does re-opening the round
        assert _prompted_refs(bot_server, chats[email]) == sorted(owners[email])

    async with bot_server.runtime.sessions() as session:
        digest = await load_digest_input(session, "2026-12", clock())
        report = await outbox_report(session, now=clock())
    assert digest is not None
    # The plan's other owners never installed the app: they, and only they, are still unreachable.
    assert not {p.email for p in digest.people if p.unreachable_since is not None} & set(emails)
    assert not {p.email for p in report.unreachable_people} & set(emails)
    assert not [m for m in report.problems if any(e in m.recipient for e in emails)]

    # Everyone answers December; one owner updates again two days before January's round opens.
    for email in emails:
        for ref in owners[email]:
            await _submit(bot_server, email, ref, cycle_id=await _round_id(bot_server, "2026-12"))
    early = emails[0]
    clock.now = datetime(2026, 12, 31, 12, 0, tzinfo=UTC)
    body = await _submit(bot_server, early, owners[early][0], cycle_id=await _round_id(bot_server, "2026-12"))
    assert "15 January 2027" in texts(body)  # January's deadline, not December's nor the month's end

    clock.now = OPENS_JANUARY
    await _run(bot_server, clock, database_url, "open_round")
    assert _prompted_refs(bot_server, chats[early]).count(owners[early][0]) == 1  # December's only
    for email in emails[1:]:
        assert _prompted_refs(bot_server, chats[email]).count(owners[email][0]) == 2
    async with bot_server.runtime.sessions() as session:
        january = await load_digest_input(session, "2027-01", OPENS_JANUARY)
    assert january is not None
    answered = {a.ref for a in january.actions if a.answered}
    assert answered == {owners[early][0]}


async def _round_id(server: BotServer, month: str) -> int:
    from storage.models import RoundRow

    async with server.runtime.sessions() as session:
        found = await session.scalar(select(RoundRow.id).where(RoundRow.kind == "progress", RoundRow.month == month))
    assert found is not None
    return found


async def _submit(server: BotServer, email: str, ref: str, *, cycle_id: int) -> dict[str, Any]:
    data = {"cycle_id": cycle_id, "action_ref": ref, "rag": "green", "narrative": f"{ref} moved on."}
    response = await server.post(activities.card_invoke(server.service_url, _sender(email), "progress.submit", data))
    body = await response.json()
    assert "Progress recorded" in texts(body["value"]), texts(body["value"])
    return dict(body["value"])


async def test_the_outbox_rows_of_a_late_joiner_keep_their_keys(
    bot_server: BotServer, example_plan: None, clock: FakeClock, database_url: str
) -> None:
    owners = await _owners(bot_server)
    email = next(iter(owners))
    await _give_aad_ids(bot_server, [email])
    clock.now = OPENS_DECEMBER
    await _run(bot_server, clock, database_url, "open_round")
    async with bot_server.runtime.sessions() as session:
        before = {m.idempotency_key for m in (await session.scalars(select(OutboxMessage))).all()}
    clock.now = clock.now.replace(hour=14)
    chat = await _install(bot_server, email)
    await run_worker(worker(bot_server.runtime.sessions, database_url, clock=clock), until=Until.IDLE)
    async with bot_server.runtime.sessions() as session:
        after = {m.idempotency_key: m.status for m in (await session.scalars(select(OutboxMessage))).all()}
    assert set(after) == before  # nothing new queued: the missed prompts themselves were sent
    assert _prompted_refs(bot_server, chat) == sorted(owners[email])


async def test_the_chair_can_resend_once_per_round_and_person(
    bot_server: BotServer, example_plan: None, clock: FakeClock, database_url: str
) -> None:
    owners = await _owners(bot_server)
    email = next(iter(owners))
    await _give_aad_ids(bot_server, [email])
    chat = await _install(bot_server, email)
    clock.now = OPENS_DECEMBER
    await _run(bot_server, clock, database_url, "open_round")

    async def resend(planner: Planner, now: datetime) -> Any:
        return await planner.resend_prompts(now, email.upper())

    first = await bot_server.runtime.planning.run(resend, clock())
    again = await bot_server.runtime.planning.run(resend, clock())
    await run_worker(worker(bot_server.runtime.sessions, database_url, clock=clock), until=Until.IDLE)
    assert len(first.enqueued) == len(owners[email]) and again.enqueued == [] and again.already == len(owners[email])
    assert _prompted_refs(bot_server, chat) == sorted(owners[email] * 2)  # the prompts, and the resend once

    async def stranger(planner: Planner, now: datetime) -> Any:
        return await planner.resend_prompts(now, "nobody@halton.example")

    assert (await bot_server.runtime.planning.run(stranger, clock())).skipped == [
        "nobody@halton.example is not in the plan"
    ]


async def test_resend_to_a_name_in_chat_is_for_the_chair(
    bot_server: BotServer, example_plan: None, clock: FakeClock, database_url: str
) -> None:
    owners = await _owners(bot_server)
    owner = next(e for e in owners if e != CHAIR)
    await _give_aad_ids(bot_server, [CHAIR, owner])
    chair_chat, owner_chat = await _install(bot_server, CHAIR), await _install(bot_server, owner)
    clock.now = OPENS_DECEMBER
    await _run(bot_server, clock, database_url, "open_round")
    async with bot_server.runtime.sessions() as session:
        name = await session.scalar(select(Person.name).where(Person.email == owner))

    async def say(email: str, chat: str, text: str) -> str:
        await bot_server.post(activities.personal_message(bot_server.service_url, text, _sender(email)))
        return str(bot_server.connector.sent(chat)[-1]["text"])

    assert "will get" in await say(CHAIR, chair_chat, f"resend to {name}")
    assert "already resent" in await say(CHAIR, chair_chat, f"resend to {owner}")
    assert "Only the chair" in await say(owner, owner_chat, f"resend to {name}")
    assert "nobody called Nobody" in await say(CHAIR, chair_chat, "resend to Nobody")
    await run_worker(worker(bot_server.runtime.sessions, database_url, clock=clock), until=Until.IDLE)
    assert _prompted_refs(bot_server, owner_chat) == sorted(owners[owner] * 2)


async def test_a_chat_whose_aad_object_id_changed_is_not_the_linked_person(
    bot_server: BotServer, example_plan: None, caplog: Any
) -> None:
    owners = await _owners(bot_server)
    owner = next(iter(owners))
    await _give_aad_ids(bot_server, [owner])
    chat = await _install(bot_server, owner)
    other = {**_sender(owner), "aadObjectId": "aad-someone-else"}  # same chat and Teams id, another identity
    await bot_server.post(activities.personal_message(bot_server.service_url, "status", other))
    answer = bot_server.connector.sent(chat)[-1]["text"]
    assert "can't find you in the improvement plan" in answer
    assert any("another AAD object id" in r.getMessage() for r in caplog.records if r.levelname == "WARNING")
    async with bot_server.runtime.sessions() as session:
        person = await session.scalar(select(Person).where(Person.email == owner))
    assert person is not None and person.aad_object_id == _sender(owner)["aadObjectId"]  # not taken over


FIGURES_REQUESTED = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # December's third working day, 09:00 GMT
FIGURES_TITLE = "CQC improvement — figures for November 2026"


def _figures_cards(server: BotServer, conversation_id: str) -> int:
    cards = [a["attachments"][0]["content"] for a in server.connector.sent(conversation_id) if a.get("attachments")]
    return sum(FIGURES_TITLE in texts(c) for c in cards)


async def test_a_metric_owner_who_installs_after_the_figures_request_gets_it_once(
    bot_server: BotServer, example_plan: None, clock: FakeClock, database_url: str
) -> None:
    on_time, late = "rachel.ahmed@halton.example", "tom.fielding@halton.example"  # both report figures
    await _give_aad_ids(bot_server, [on_time, late])
    chats = {on_time: await _install(bot_server, on_time)}

    clock.now = FIGURES_REQUESTED
    await _run(bot_server, clock, database_url, "request_figures")
    assert _figures_cards(bot_server, chats[on_time]) == 1
    async with bot_server.runtime.sessions() as session:
        tom = await session.scalar(select(Person).where(Person.email == late))
        assert tom is not None and tom.unreachable_since is not None
        [request] = (
            await session.scalars(
                select(OutboxMessage).where(
                    OutboxMessage.person_id == tom.id, OutboxMessage.kind == MessageKind.FIGURES_REQUEST.value
                )
            )
        ).all()
        assert request.status == DeliveryStatus.UNREACHABLE.value

    # The next morning he installs the app: the request he missed is sent, under its own key, once.
    clock.now = FIGURES_REQUESTED.replace(day=4, hour=11)
    chats[late] = await _install(bot_server, late)
    await run_worker(worker(bot_server.runtime.sessions, database_url, clock=clock), until=Until.IDLE)
    await _install(bot_server, late)  # a second install event sends nothing more
    await _run(bot_server, clock, database_url, "request_figures")  # nor does the request's next run
    assert _figures_cards(bot_server, chats[late]) == 1
    assert _figures_cards(bot_server, chats[on_time]) == 1
    async with bot_server.runtime.sessions() as session:
        again = await session.get(OutboxMessage, request.id)
        tom = await session.scalar(select(Person).where(Person.email == late))
    assert again is not None and again.status == DeliveryStatus.SENT.value
    assert again.idempotency_key == request.idempotency_key
    assert tom is not None and tom.unreachable_since is None
