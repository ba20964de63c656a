"""With LOG_FORMAT=json, what is logged while an activity is handled names that activity and its
conversation, so an operator can find every line of one turn (bot.teams.turn_log)."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from bot.log_config import configure_logging
from storage.models import Person
from tests import activities
from tests.conftest import BotServer
from tests.conftest import test_settings as settings_for


def json_logs() -> io.StringIO:
    stream = io.StringIO()
    configure_logging(settings_for("sqlite+aiosqlite:///unused.db", LOG_FORMAT="json"), stream)
    return stream


def lines_about(stream: io.StringIO, words: str) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in stream.getvalue().splitlines() if line.startswith("{")]
    return [r for r in records if words in r["event"]]


async def test_a_failed_turn_is_logged_with_its_activity_and_conversation(bot_server: BotServer) -> None:
    stream = json_logs()
    # Teams refuses every reply: the turn fails, and so does telling the person.
    bot_server.connector.fail(500, times=None)
    activity = activities.personal_message(bot_server.service_url, "help")
    response = await bot_server.post(activity)
    assert response.status < 500

    [failure] = lines_about(stream, "while handling a message activity")
    assert failure["level"] == "ERROR"
    assert failure["activity_id"] == activity["id"]
    assert failure["conversation"] == activity["conversation"]["id"]


async def test_a_refused_button_is_logged_with_its_activity_and_conversation(bot_server: BotServer) -> None:
    stream = json_logs()
    activity = activities.card_invoke(bot_server.service_url, activities.user(), "no.such.verb", {})
    response = await bot_server.post(activity)
    assert response.status == 200

    [refusal] = lines_about(stream, "unknown verb")
    assert refusal["level"] == "INFO" and refusal["logger"] == "bot.teams.answers"
    assert refusal["activity_id"] == activity["id"]
    assert refusal["conversation"] == activity["conversation"]["id"]


async def test_lines_outside_a_turn_name_no_activity(bot_server: BotServer) -> None:
    stream = json_logs()
    await bot_server.post(activities.personal_message(bot_server.service_url, "help"))
    logging.getLogger("bot.delivery.outcomes").info("a line logged after the turn")
    [after] = lines_about(stream, "a line logged after the turn")
    assert "activity_id" not in after and "conversation" not in after


async def test_a_person_reachable_again_is_logged_with_the_install_that_did_it(
    bot_server: BotServer, example_plan: None
) -> None:
    email = "tom.fielding@halton.example"
    sender = activities.user("29:tom.fielding", "Tom Fielding", aad="aad-tom.fielding")
    async with bot_server.runtime.sessions.begin() as session:
        person = await session.scalar(select(Person).where(Person.email == email))
        assert person is not None
        person.aad_object_id, person.unreachable_since = sender["aadObjectId"], datetime(2026, 12, 3, 9, tzinfo=UTC)
    stream = json_logs()
    install = activities.personal_install(bot_server.service_url, sender)
    assert (await bot_server.post(install)).status in (200, 201)

    # Logged by storage, which knows nothing of activities: the turn's fields are stamped on it.
    [reachable] = lines_about(stream, f"{email} can be reached in Teams again")
    assert reachable["logger"] == "storage.conversations"
    assert reachable["activity_id"] == install["id"]
    assert reachable["conversation"] == install["conversation"]["id"]
