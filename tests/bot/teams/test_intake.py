"""Reading an inbound activity once and writing invoke answers: the same as the adapter's own path."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from aiohttp import ClientSession
from aiohttp.test_utils import TestServer
from botbuilder.core import InvokeResponse
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.schema import Activity, AdaptiveCardInvokeResponse, ExpectedReplies

from bot.runtime import build_runtime
from bot.teams.intake import invoke_json, read_activity
from bot.web.app import create_app
from dialogs.progress import LastUpdateView, ProgressPromptView, build_receipt_card, build_refusal_card
from domain.model import Rag
from tests import activities
from tests.conftest import test_settings as settings_for

VIEW = ProgressPromptView(
    round_id=3,
    month="2026-11",
    deadline=date(2026, 11, 14),
    action_ref="WWP-01",
    requirement="People feel they have to tell their story a number of times",
    theme_name="Working with People",
    quality_statement_name="Assessing needs",
    quality_statement_score=2,
    action_due=None,
    owner_name="Rachel",
    last=None,
)


def _stored() -> LastUpdateView:
    return LastUpdateView(
        rag=Rag.AMBER,
        narrative="Rolled out to two more teams — 3 of 5.",
        evidence_links=("https://x.example/a b",),
        blockers="",
        revised_due=date(2027, 1, 31),
        submitted_at_text="23 November 2026, 10:00",
        author_name="R",
    )


def _bodies() -> list[Any]:
    refusal = build_refusal_card("Unknown action", "Not in the plan.", details=[("Action owner", "Rachel")])
    receipt = build_receipt_card(
        VIEW,
        _stored(),
        author_name="Rachel “R” Ahmed",
        submitted_at_text="23 November 2026, 10:00",
        editable=True,
    )
    card = "application/vnd.microsoft.card.adaptive"
    return [
        AdaptiveCardInvokeResponse(status_code=200, type=card, value=receipt),
        AdaptiveCardInvokeResponse(status_code=200, type=card, value=refusal),
        AdaptiveCardInvokeResponse(
            status_code=400, type="application/vnd.microsoft.error", value={"code": "BadRequest", "message": "no"}
        ),
        AdaptiveCardInvokeResponse(status_code=200, type=card, value=None),
        ExpectedReplies(activities=[Activity(type="message", text="hi")]),
        None,
    ]


@pytest.mark.parametrize("body", _bodies())
def test_invoke_answers_are_written_as_the_adapter_writes_them(body: Any) -> None:
    assert invoke_json(InvokeResponse(status=200, body=body)) == serializer_helper(body)


def test_a_well_formed_activity_is_read_as_the_adapter_reads_it() -> None:
    raw = activities.card_invoke("http://127.0.0.1:1/", activities.user(), "progress.submit", {"rag": "green"})
    activity = read_activity(raw)
    assert isinstance(activity, Activity)
    assert activity.serialize() == Activity().deserialize(raw).serialize()


@pytest.mark.parametrize("body", [[], {"type": ""}, {"type": "message", "conversation": {"id": "c"}}])
def test_malformed_activities_are_described_not_raised(body: Any) -> None:
    assert isinstance(read_activity(body), str)


async def test_outside_local_mode_a_request_without_a_token_gets_401(database_url: str) -> None:
    settings = settings_for(
        database_url,
        MicrosoftAppId="00000000-0000-4000-8000-0000000000aa",
        MicrosoftAppPassword="secret",
        MicrosoftAppTenantId="00000000-0000-4000-8000-0000000000bb",
    )
    server = TestServer(create_app(build_runtime(settings)), host="127.0.0.1")
    await server.start_server()
    try:
        async with ClientSession() as http:
            activity = activities.personal_message("http://127.0.0.1:1/", "help")
            response = await http.post(server.make_url("/api/messages"), json=activity)
            assert response.status == 401
            assert (await response.json())["error"]["message"] == "Unauthorized"
    finally:
        await server.close()
