"""Mutated Teams activities never get a 5xx, and the server is healthy after them.

Hypothesis mutates real activities (messages, card invokes and submits, installation and conversation
updates): values replaced by any JSON value (huge integers, lone surrogates, U+0000, wrong types),
keys removed or added, bodies truncated. The bot runs in this test's event loop; Hypothesis drives
it from a worker thread, so each example is one real HTTP request. Bounded: 150 examples per
database, a few seconds each.
"""

from __future__ import annotations

import asyncio
import copy
import json
import logging
import os
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from storage.models import Person
from tests import activities
from tests.bot.test_checkin import AAD, OWNER, answer, sender
from tests.conftest import BotServer

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "150"))  # more for a longer hunt

_odd_text = st.sampled_from(["\ud800", "a\udfffb", "\x00", "nul\x00in", "\u202eevil", "", " ", "💥" * 3, "9" * 400])
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | _odd_text
)
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


def _mutate(data: st.DataObject, activity: dict[str, Any]) -> dict[str, Any] | Any:
    doc: Any = copy.deepcopy(activity)
    for _ in range(data.draw(st.integers(1, 4), label="mutations")):
        path = data.draw(st.sampled_from(_paths(doc)), label="path")
        operation = data.draw(st.sampled_from(["replace", "delete", "add"]), label="operation")
        if not path:
            doc = data.draw(_json) if operation == "replace" else doc
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if operation == "replace":
            parent[last] = data.draw(_json, label="value")
        elif operation == "delete":
            del parent[last]
        elif isinstance(parent[last], dict):
            parent[last][data.draw(st.text(max_size=12), label="key")] = data.draw(_json, label="value")
    return doc


def _bases(service_url: str) -> list[dict[str, Any]]:
    owner = sender(OWNER)
    conversation_update = activities.personal_install(service_url, owner)
    conversation_update.update(type="conversationUpdate", membersAdded=[owner, {"id": activities.BOT_ID}])
    conversation_update.pop("action")
    return [
        activities.personal_message(service_url, "my actions", owner),
        activities.personal_message(service_url, "away until 2026-12-31", owner),
        activities.channel_message(service_url, "status"),
        activities.card_invoke(service_url, owner, "progress.submit", answer(card_id="fuzz")),
        activities.card_invoke(service_url, owner, "progress.edit", {"cycle_id": 0, "action_ref": "WWP-01"}),
        activities.card_invoke(
            service_url,
            owner,
            "figures.submit",
            {"period": "2026-10", "metrics": ["dols-backlog"], "dols-backlog": "3"},
        ),
        activities.card_submit(service_url, owner, {"verb": "progress.submit", **answer(card_id="f2")}, "card-1"),
        activities.personal_install(service_url, owner),
        activities.team_install(service_url),
        activities.card_invoke(service_url, owner, "progress.submit", answer(card_id="fuzz-3")) | {"id": ""},
        conversation_update,
    ]


async def test_mutated_activities_never_get_a_5xx(
    bot_server: BotServer, example_plan: None, caplog: pytest.LogCaptureFixture
) -> None:
    async with bot_server.runtime.sessions.begin() as session:
        for email, aad in AAD.items():
            person = await session.scalar(select(Person).where(Person.email == email))
            assert person is not None
            person.aad_object_id = aad
    loop = asyncio.get_running_loop()
    bases = _bases(bot_server.service_url)
    answers: list[int] = []

    async def post(body: str) -> tuple[int, str]:
        response = await bot_server.post(body)
        return response.status, await response.text()

    def send(body: str) -> tuple[int, str]:
        return asyncio.run_coroutine_threadsafe(post(body), loop).result(timeout=60)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(base=st.sampled_from(range(len(bases))), data=st.data(), truncate=st.integers(0, 12))
    def mutated(base: int, data: st.DataObject, truncate: int) -> None:
        activity = _mutate(data, bases[base])
        body = json.dumps(activity)
        if truncate == 0:  # now and then, a body cut short
            body = body[: data.draw(st.integers(0, len(body)), label="cut")]
        status, text = send(body)
        answers.append(status)
        assert status < 500 or (status == 501 and _foreign_invoke(activity)), (status, text[:500], body[:2000])
        assert "Traceback" not in text

    await asyncio.to_thread(_run, mutated)
    assert len(answers) >= EXAMPLES
    # Nothing the bot did not expect: a crash inside a turn is answered politely but logged as an error.
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR and r.name.startswith("bot.")]
    assert errors == []
    for path in ("/healthz", "/readyz"):
        async with bot_server.http.get(bot_server.url + path) as response:
            assert response.status == 200, path
    help_message = activities.personal_message(bot_server.service_url, "help", sender(OWNER))
    assert (await bot_server.post(help_message)).status == 201
    assert bot_server.connector.sent(help_message["conversation"]["id"])


def _foreign_invoke(activity: Any) -> bool:
    """An invoke this app's manifest never asks Teams to send: 501 Not Implemented is the right answer."""
    return (
        isinstance(activity, dict)
        and activity.get("type") == "invoke"
        and activity.get("name") != "adaptiveCard/action"
    )


def _run(test: Callable[[], None]) -> None:
    test()
