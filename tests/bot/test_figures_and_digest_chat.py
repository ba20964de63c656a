"""The figures card and the chair's digest commands, end to end through /api/messages."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Metric, MetricReading, OutboxMessage, Person
from tests import activities
from tests.cards import execute_data, texts
from tests.conftest import BotServer, FakeClock

PEOPLE = {
    "sarah.whitfield@halton.example": "00000000-0000-4000-8000-0000000000a1",  # metric owner
    "helen.carter@halton.example": "00000000-0000-4000-8000-0000000000a2",  # chair
    "mark.doyle@halton.example": "00000000-0000-4000-8000-0000000000a3",  # owner only
}


def who(email: str) -> dict[str, Any]:
    return activities.user(
        f"29:{email.split('@')[0]}", email.split("@")[0].replace(".", " ").title(), aad=PEOPLE[email]
    )


@pytest.fixture
async def people(bot_server: BotServer, example_plan: None) -> None:
    async with bot_server.runtime.sessions.begin() as session:
        for email, aad in PEOPLE.items():
            person = await session.scalar(select(Person).where(Person.email == email))
            assert person is not None
            person.aad_object_id = aad


async def say(bot_server: BotServer, email: str, text: str) -> dict[str, Any]:
    message = activities.personal_message(bot_server.service_url, text, who(email))
    await bot_server.post(message)
    return bot_server.connector.sent(message["conversation"]["id"])[-1]


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    return activity["attachments"][0]["content"]


async def test_figures_command_card_and_submission(bot_server: BotServer, people: None) -> None:
    owner = "sarah.whitfield@halton.example"
    card = card_of(await say(bot_server, owner, "figures"))
    data = execute_data(card)
    async with bot_server.runtime.sessions() as session:
        baselines = {m.id: m.baseline_value for m in (await session.scalars(select(Metric))).all()}
    # A little better than the baseline: no big-change confirmation needed.
    answer = {**data, **{f"value__{m}": str(int(baselines[m]) - 1) for m in data["metrics"]}}
    invoke = activities.card_invoke(bot_server.service_url, who(owner), "figures.submit", answer)
    response = await bot_server.post(invoke)
    body = await response.json()
    assert body["statusCode"] == 200 and "recorded" in texts(body["value"]).lower()
    async with bot_server.runtime.sessions() as session:
        stored = (await session.scalars(select(MetricReading))).all()
    assert sorted(r.metric_id for r in stored) == sorted(data["metrics"])
    assert {r.period for r in stored} == {data["period"]}


async def test_figures_command_for_someone_without_metrics(bot_server: BotServer, people: None) -> None:
    reply = await say(bot_server, "mark.doyle@halton.example", "figures")
    assert "don't report any of the plan's figures" in reply["text"]


async def test_digest_preview_is_for_the_chair_and_others_are_refused(bot_server: BotServer, people: None) -> None:
    preview = card_of(await say(bot_server, "helen.carter@halton.example", "digest"))
    assert "Working with People" in texts(preview)
    refusal = card_of(await say(bot_server, "mark.doyle@halton.example", "digest"))
    assert "chair" in texts(refusal).lower()
    refusal = card_of(await say(bot_server, "mark.doyle@halton.example", "post digest"))
    assert "chair" in texts(refusal).lower()
    async with bot_server.runtime.sessions() as session:
        assert (await session.scalars(select(OutboxMessage))).all() == []


async def test_digest_preview_for_a_month_named_in_the_command(bot_server: BotServer, people: None) -> None:
    chair = "helen.carter@halton.example"
    preview = texts(card_of(await say(bot_server, chair, "digest March 2025")))
    assert "March 2025" in preview and "No progress round was opened for March 2025" in preview
    reply = await say(bot_server, chair, "digest next week")
    assert "January 2027" in reply["text"] and not reply.get("attachments")


async def test_a_digest_for_a_month_still_to_come_is_not_posted(bot_server: BotServer, people: None) -> None:
    # Posted once per month: posted early, it would stop that month's own digest from going out.
    chair = "helen.carter@halton.example"
    await bot_server.post(activities.team_install(bot_server.service_url))
    refusal = texts(card_of(await say(bot_server, chair, "post digest December 2099")))
    assert "December 2099 has not begun" in refusal and "digest December 2099" in refusal
    forged = texts(await press(bot_server, chair, "digest.post", {"month": "2099-12"}))  # an old card's button
    assert "has not begun" in forged
    assert await queued_digests(bot_server) == []


async def press(bot_server: BotServer, email: str, verb: str, data: dict[str, Any]) -> dict[str, Any]:
    response = await bot_server.post(activities.card_invoke(bot_server.service_url, who(email), verb, data))
    body = await response.json()
    assert body["statusCode"] == 200
    return body["value"]


async def test_unknown_verb_is_refused(bot_server: BotServer, people: None) -> None:
    # The verb table, not the figures service, knows which verbs exist: this one looks like theirs.
    # Answered as Universal Actions' error (the card shows it), not with a card or a crash.
    sender = who("sarah.whitfield@halton.example")
    response = await bot_server.post(activities.card_invoke(bot_server.service_url, sender, "figures.nope", {}))
    body = await response.json()
    assert response.status == 200 and body["statusCode"] == 400
    assert body["type"] == "application/vnd.microsoft.error" and "not one I know" in body["value"]["message"]


async def queued_digests(bot_server: BotServer) -> list[OutboxMessage]:
    async with bot_server.runtime.sessions() as session:
        return list((await session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "digest"))).all())


async def test_post_digest_asks_first_then_queues_it_once_for_the_chair_and_the_channel(
    bot_server: BotServer, people: None
) -> None:
    chair = "helen.carter@halton.example"
    await bot_server.post(activities.team_install(bot_server.service_url))
    question = card_of(await say(bot_server, chair, "post digest"))
    assert "Post the" in texts(question) and "channel" in texts(question)
    assert await queued_digests(bot_server) == []  # nothing goes out before the chair says yes
    data = execute_data(question)
    assert data == {"month": data["month"]} and len(data["month"]) == 7
    first = await press(bot_server, chair, "digest.post", data)
    again = await press(bot_server, chair, "digest.post", data)  # a double click
    assert "on its way" in texts(first) and "nothing was sent again" in texts(again)
    queued = await queued_digests(bot_server)
    assert len(queued) == 2  # the channel and the chair, once each
    assert sorted(m.idempotency_key.rsplit("/", 1)[-1] for m in queued) == ["chair", "channel"]
    assert {m.person_id is not None for m in queued} == {True, False}
    done = card_of(await say(bot_server, chair, "post digest"))
    assert "already posted" in texts(done) and "actions" not in done


async def test_post_digest_confirmation_warns_while_answers_are_still_due(
    bot_server: BotServer, people: None, clock: FakeClock
) -> None:
    await bot_server.post(activities.team_install(bot_server.service_url))

    async def open_round(planner, now):  # type: ignore[no-untyped-def]
        return await planner.open_round(now, month=now.strftime("%Y-%m"), force=True)

    await bot_server.runtime.planning.run(open_round, clock())
    question = card_of(await say(bot_server, "helen.carter@halton.example", "post digest"))
    assert "Actions updated\n0 of 20" in texts(question)
    assert "20 actions had no update by the deadline" in texts(question)


async def test_the_post_button_is_refused_to_others_and_checks_its_data(bot_server: BotServer, people: None) -> None:
    await bot_server.post(activities.team_install(bot_server.service_url))
    month = {"month": "2026-11"}
    refusal = await press(bot_server, "mark.doyle@halton.example", "digest.post", month)
    assert "chair" in texts(refusal).lower()
    forged = await press(bot_server, "helen.carter@halton.example", "digest.post", {"month": "2026-13"})
    assert "not ones I know" in texts(forged)
    assert await queued_digests(bot_server) == []


async def test_older_clients_post_through_the_action_submit_fallback(bot_server: BotServer, people: None) -> None:
    chair = "helen.carter@halton.example"
    await bot_server.post(activities.team_install(bot_server.service_url))
    question = await say(bot_server, chair, "post digest")
    value = card_of(question)["actions"][0]["fallback"]["data"]
    submit = activities.card_submit(bot_server.service_url, who(chair), value, reply_to_id=question["id"])
    assert (await bot_server.post(submit)).status in (200, 201)
    [update] = bot_server.connector.updates(submit["conversation"]["id"], question["id"])
    assert "on its way" in texts(card_of(update))  # the question card becomes the answer in place
    assert len(await queued_digests(bot_server)) == 2
