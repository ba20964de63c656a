"""A turn that fails inside the bot: the person gets a plain apology, the request is not a 5xx, on
both Teams edges (the `edge` fixture)."""

from __future__ import annotations

from typing import Any

import pytest

import storage.progress
from tests import activities
from tests.bot.test_checkin import OWNER, answer, plan_with_people, sender
from tests.conftest import BotServer

__all__ = ["plan_with_people"]


def broken(*_: Any, **__: Any) -> Any:
    raise RuntimeError("the database went away mid-turn")


async def test_a_failing_card_action_answers_200_with_the_error_for_the_card(
    bot_server: BotServer, plan_with_people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.progress, "store_update", broken)
    invoke = activities.card_invoke(bot_server.service_url, sender(OWNER), "progress.submit", answer())
    response = await bot_server.post(invoke)
    assert response.status == 200, await response.text()
    body = await response.json()
    assert body["type"] == "application/vnd.microsoft.error" and body["statusCode"] == 500
    assert "went wrong on our side" in body["value"]["message"]
    assert "Traceback" not in str(body) and "database went away" not in str(body)


async def test_a_failing_command_is_answered_with_an_apology_naming_its_reference(
    bot_server: BotServer, plan_with_people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage.progress, "actions_for", broken)
    message = activities.personal_message(bot_server.service_url, "status", sender(OWNER))
    response = await bot_server.post(message)
    assert response.status < 500
    [reply] = [a for a in bot_server.connector.sent(message["conversation"]["id"]) if a.get("text")][-1:]
    assert "went wrong on our side" in reply["text"] and "(error " in reply["text"]
    assert "database went away" not in reply["text"]
