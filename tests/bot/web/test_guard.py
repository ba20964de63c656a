"""The activity gate: malformed activities get a 400 with a reason, and nothing reaches the bot."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Person
from tests import activities
from tests.bot.test_checkin import AAD, OWNER, answer, sender, updates
from tests.conftest import BotServer


@pytest.fixture
async def plan_with_people(bot_server: BotServer, example_plan: None) -> None:
    async with bot_server.runtime.sessions.begin() as session:
        for email, aad in AAD.items():
            person = await session.scalar(select(Person).where(Person.email == email))
            assert person is not None
            person.aad_object_id = aad


def _message(bot_server: BotServer, **changes: Any) -> dict[str, Any]:
    activity = activities.personal_message(bot_server.service_url, "help")
    activity.update(changes)
    return activity


def _nested(depth: int) -> str:
    return '{"type": "message", "value": ' + "[" * depth + "]" * depth + "}"


async def _refused(bot_server: BotServer, body: Any) -> str:
    response = await bot_server.post(body)
    text = await response.text()
    assert response.status == 400, (response.status, text)
    assert "Traceback" not in text
    return json.loads(text)["error"]["message"]


async def test_malformed_activities_get_400_with_a_short_reason(
    bot_server: BotServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    tenant_as_text = _message(bot_server)
    tenant_as_text["channelData"]["tenant"] = activities.TENANT_ID
    cases: list[tuple[Any, str]] = [
        (_nested(100_000), "nests more than 32 levels"),
        (_nested(40), "nests more than 32 levels"),
        ('{"type": "message", "n": NaN}', "not a JSON number"),
        ('{"type": "message", "n": 1e999}', "out of range"),
        (_message(bot_server, value={"cycle_id": 2**70}), "out of range"),
        (_message(bot_server, value={"cycle_id": -(2**63)}), "out of range"),
        (tenant_as_text, "channelData.tenant must be an object"),
        (_message(bot_server, text=["help"]), "text must be a string"),
        (_message(bot_server, conversation="a:1"), "conversation must be an object"),
        (_message(bot_server, entities=["mention"]), "entities must be a list of objects"),
        (_message(bot_server, serviceUrl="file:///etc/passwd"), "serviceUrl must be an http(s) address"),
        ({**_message(bot_server), "from": {"id": 29}}, "from.id must be a string"),
        ({"type": "message", "values": list(range(30_000))}, "more than 20000 values"),
        (
            activities.card_invoke(bot_server.service_url, activities.user(), "progress.submit", {})
            | {"value": {"action": "Action.Execute"}},
            "value.action as an object",
        ),
    ]
    for body, reason in cases:
        assert reason in await _refused(bot_server, body), reason
    assert bot_server.connector.calls == []
    assert not [r for r in caplog.records if r.exc_info], "an expected rejection logged a traceback"


async def test_lone_surrogates_and_nul_are_removed_before_the_database(
    bot_server: BotServer, plan_with_people: None
) -> None:
    # Sent as JSON escapes, as a client that split an emoji or pasted a NUL would send them.
    data = answer(narrative="Rolled out\\u0000 to two teams \\ud83d and \\ude00 more.", card_id="card-nul")
    raw = json.dumps(activities.card_invoke(bot_server.service_url, sender(OWNER), "progress.submit", data))
    raw = raw.replace("\\\\u0000", "\\u0000").replace("\\\\ud83d", "\\ud83d").replace("\\\\ude00", "\\ude00")
    assert "\\u0000" in raw and "\\ud83d" in raw
    response = await bot_server.post(raw)
    body = await response.json()
    assert response.status == 200 and body["statusCode"] == 200, body
    stored = await updates(bot_server)
    assert [u.narrative for u in stored] == ["Rolled out to two teams  and  more."]


async def test_an_unexpected_error_is_answered_with_an_error_id_not_a_trace(
    bot_server: BotServer, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*_args: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(bot_server.runtime.edge, "receive", broken)
    response = await bot_server.post(_message(bot_server))
    body = await response.json()
    assert response.status == 500 and "Traceback" not in json.dumps(body)
    reference = body["error"]["errorId"]
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert len(logged) == 1 and logged[0].exc_info is not None


async def test_submissions_with_an_empty_activity_id_are_each_stored(
    bot_server: BotServer, plan_with_people: None
) -> None:
    for card in ("card-one", "card-two"):
        activity = activities.card_invoke(
            bot_server.service_url, sender(OWNER), "progress.submit", answer(card_id=card)
        )
        activity["id"] = ""
        response = await bot_server.post(activity)
        assert response.status == 200 and (await response.json())["statusCode"] == 200, await response.text()
    assert len(await updates(bot_server)) == 2
