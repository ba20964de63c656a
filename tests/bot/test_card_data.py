"""Card data is checked against what it names: the round's kind, and the types the card wrote."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import select

from storage.models import Person, RoundRow
from tests.bot.test_checkin import AAD, OWNER, answer, invoke, updates
from tests.cards import texts
from tests.conftest import BotServer


@pytest.fixture
async def plan_with_people(bot_server: BotServer, example_plan: None) -> None:
    async with bot_server.runtime.sessions.begin() as session:
        for email, aad in AAD.items():
            person = await session.scalar(select(Person).where(Person.email == email))
            assert person is not None
            person.aad_object_id = aad


async def _figures_round(bot_server: BotServer) -> int:
    async with bot_server.runtime.sessions.begin() as session:
        row = RoundRow(
            kind="figures", month="2026-10", opened_at=datetime(2026, 11, 4, 9, tzinfo=UTC), deadline=date(2026, 11, 30)
        )
        session.add(row)
        await session.flush()
        return row.id


async def test_a_progress_submission_naming_a_figures_round_is_not_stored(
    bot_server: BotServer, plan_with_people: None
) -> None:
    figures_round = await _figures_round(bot_server)
    body, _ = await invoke(bot_server, OWNER, "progress.submit", answer(cycle_id=figures_round))
    assert "not in the plan any more" in texts(body["value"]) and "nothing was saved" in texts(body["value"])
    assert await updates(bot_server) == []


@pytest.mark.parametrize(
    "forged",
    [
        {"card_id": 12345},
        {"card_id": ["card-abc"]},
        {"cycle_id": "0"},
        {"cycle_id": True},
        {"cycle_id": None},
        {"action_ref": 7},
        {"card_version": 1},
    ],
)
async def test_card_ids_of_the_wrong_type_are_refused_with_nothing_stored(
    bot_server: BotServer, plan_with_people: None, forged: dict[str, Any]
) -> None:
    data = {k: v for k, v in answer(**forged).items() if v is not None}
    for _ in range(2):  # a double click: neither is stored
        body, _ = await invoke(bot_server, OWNER, "progress.submit", data)
        assert "This card can't be used" in texts(body["value"])
    assert await updates(bot_server) == []


async def test_a_figures_card_with_a_numeric_card_id_is_refused(bot_server: BotServer, plan_with_people: None) -> None:
    data = {"period": "2026-10", "metrics": ["dols-backlog"], "card_id": 99, "dols-backlog": "300"}
    body, _ = await invoke(bot_server, OWNER, "figures.submit", data)
    assert "This card can't be used" in texts(body["value"])
