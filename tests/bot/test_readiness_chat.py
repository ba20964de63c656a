"""Self-assessment over HTTP: the `assess` card out, Action.Execute in, refused or stored once and audited;
an owner's progress evidence link lands in the library under its statement."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.evidence import list_items
from storage.models import AuditEntry, Person, PlanSignoff, SelfAssessment
from tests import activities
from tests.bot.test_checkin import AAD, answer, invoke, plan_with_people, sender
from tests.cards import execute_data, input_value, texts
from tests.conftest import BotServer

__all__ = ["plan_with_people"]  # the fixture, shared with the check-in tests

LEAD = "rachel.ahmed@halton.example"  # leads assessing-needs in the example plan
NOT_LEAD = "tom.fielding@halton.example"  # a metric owner, leads nothing
ADMIN = "priya.shah@halton.example"


def assessment(**overrides: Any) -> dict[str, Any]:
    data = {
        "statement_id": "assessing-needs",
        "card_version": "assess-1",
        "score": "3",
        "rationale": "Waiting times halved; audits show strengths-based assessments in 9 of 10 files.",
        "evidence": "https://halton.example/sites/asc/assessment-audit-2026.xlsx",
    }
    data.update(overrides)
    return data


def card_of(body: dict[str, Any]) -> dict[str, Any]:
    return body["value"]


async def stored(bot_server: BotServer) -> list[SelfAssessment]:
    async with bot_server.runtime.sessions() as session:
        return list((await session.scalars(select(SelfAssessment))).all())


async def test_assess_sends_the_leads_statement_with_cqc_score_actions_and_evidence(
    bot_server: BotServer, plan_with_people: None
) -> None:
    message = activities.personal_message(bot_server.service_url, "assess", sender(LEAD))
    await bot_server.post(message)
    sent = bot_server.connector.sent(message["conversation"]["id"])
    cards = [a["attachments"][0]["content"] for a in sent if a.get("attachments")]
    assert len(cards) == 1
    words = texts(cards[0])
    assert "**Assessing people's needs** (Working with People)" in words
    assert "2 of 4 — some shortfalls" in words  # CQC's score
    assert "Green — on track" in words or "Amber — at risk" in words
    assert "STR-01 (stretch)" in words
    assert "People's experience" in words


async def test_bad_scores_and_an_empty_rationale_come_back_with_the_text_kept(
    bot_server: BotServer, plan_with_people: None
) -> None:
    body, _ = await invoke(bot_server, LEAD, "assess.submit", assessment(score="5"))
    card = card_of(body)
    assert "“5” is not a score: CQC scores each statement from 1 to 4." in texts(card)
    assert input_value(card, "rationale") == assessment()["rationale"]
    body, _ = await invoke(bot_server, LEAD, "assess.submit", assessment(rationale="   "))
    assert "Please say why you give this score — this is required." in texts(card_of(body))
    assert input_value(card_of(body), "score") == "3"
    assert await stored(bot_server) == []


async def test_someone_who_is_not_the_lead_is_refused_and_keeps_their_text(
    bot_server: BotServer, plan_with_people: None
) -> None:
    body, _ = await invoke(bot_server, NOT_LEAD, "assess.submit", assessment())
    card = card_of(body)
    assert "Only the statement's lead (Rachel Ahmed), the chair or an admin" in texts(card)
    assert input_value(card, "rationale") == assessment()["rationale"]
    assert await stored(bot_server) == []


async def test_the_lead_records_a_score_once_audited_and_the_projection_moves(
    bot_server: BotServer, plan_with_people: None
) -> None:
    activity = activities.card_invoke(bot_server.service_url, sender(LEAD), "assess.submit", assessment())
    first = await (await bot_server.post(activity)).json()
    again = await (await bot_server.post(activity)).json()  # Teams redelivers the same activity
    words = texts(card_of(first))
    assert "Self-assessment recorded" in words
    # 23 of 36 with assessing-needs 2 → 3: 24 of 36, 67 %.
    assert (
        "Self-assessed projection now: Good, 67 %: 2 points above Requires improvement, 8 points short of Outstanding"
        in words
    )
    assert "Self-assessment recorded" in texts(card_of(again))
    rows = await stored(bot_server)
    assert [(r.statement_id, r.score, r.assessor_name, r.source) for r in rows] == [
        ("assessing-needs", 3, "Rachel Ahmed", "teams")
    ]
    async with bot_server.runtime.sessions() as session:
        audit = (await session.scalars(select(AuditEntry).where(AuditEntry.entity == "self_assessment"))).all()
    assert [(a.actor, a.entity_id, a.after["score"]) for a in audit if a.after] == [(LEAD, "assessing-needs", 3)]


async def test_an_admin_may_assess_any_statement_and_history_is_kept(
    bot_server: BotServer, plan_with_people: None
) -> None:
    await invoke(bot_server, LEAD, "assess.submit", assessment(score="3"))
    await invoke(bot_server, ADMIN, "assess.submit", assessment(score="2", rationale="Moderated down at the board."))
    assert [(r.score, r.assessor_name) for r in await stored(bot_server)] == [(3, "Rachel Ahmed"), (2, "Priya Shah")]
    message = activities.personal_message(bot_server.service_url, "assess assessing-needs", sender(NOT_LEAD))
    await bot_server.post(message)
    card = next(a for a in bot_server.connector.sent(message["conversation"]["id"]) if a.get("attachments"))
    words = texts(card["attachments"][0]["content"])
    assert "2 of 4 — some shortfalls" in words and "by Priya Shah" in words


async def test_an_owners_progress_evidence_link_appears_in_the_library_under_its_statement(
    bot_server: BotServer, plan_with_people: None
) -> None:
    link = "https://halton.example/sites/asc/named-worker.docx"
    await invoke(bot_server, "rachel.ahmed@halton.example", "progress.submit", answer(evidence=link))
    await invoke(bot_server, "rachel.ahmed@halton.example", "progress.submit", answer(evidence=link, card_id="x2"))
    async with bot_server.runtime.sessions() as session:
        items = await list_items(session, statement="assessing-needs")
    assert [(i.url, i.action_ref, i.source, i.category, i.added_by) for i in items] == [
        (link, "WWP-01", "progress", None, "Rachel Ahmed")
    ]


CHAIR = "helen.carter@halton.example"


async def test_the_chair_signs_off_the_plan_from_the_card_once(
    bot_server: BotServer, plan_with_people: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with bot_server.runtime.sessions.begin() as session:
        chair = await session.scalar(select(Person).where(Person.email == CHAIR))
        assert chair is not None
        chair.aad_object_id = "00000000-0000-4000-8000-000000000009"
    monkeypatch.setitem(AAD, CHAIR, "00000000-0000-4000-8000-000000000009")
    message = activities.personal_message(bot_server.service_url, "sign off plan", sender(CHAIR))
    await bot_server.post(message)
    card = next(a for a in bot_server.connector.sent(message["conversation"]["id"]) if a.get("attachments"))
    card = card["attachments"][0]["content"]
    words = texts(card)
    assert (
        "Sign off the improvement plan" in words and "Working with People" in words and "**STR-01** (stretch)" in words
    )
    data = execute_data(card)
    refused, _ = await invoke(bot_server, LEAD, "signoff.confirm", data)
    assert "Only the chair signs off the plan" in texts(card_of(refused))
    first, _ = await invoke(bot_server, CHAIR, "signoff.confirm", data)
    again, _ = await invoke(bot_server, CHAIR, "signoff.confirm", data)  # a double click
    assert "Plan signed off" in texts(card_of(first)) and "by Helen Carter: 27 actions" in texts(card_of(again))
    async with bot_server.runtime.sessions() as session:
        assert len((await session.scalars(select(PlanSignoff))).all()) == 1
    stale, _ = await invoke(bot_server, CHAIR, "signoff.confirm", {"fingerprint": "0" * 16})
    assert "The plan has changed since this card was sent" in texts(card_of(stale))


async def test_evidence_add_in_chat_checks_the_link_keeps_the_text_and_adds_once(
    bot_server: BotServer, plan_with_people: None
) -> None:
    message = activities.personal_message(bot_server.service_url, "evidence add", sender(LEAD))
    await bot_server.post(message)
    card = next(a for a in bot_server.connector.sent(message["conversation"]["id"]) if a.get("attachments"))
    card = card["attachments"][0]["content"]
    assert "Add evidence to the CQC library" in texts(card) and "Feedback from partners" in str(card)
    data = {
        **execute_data(card),
        "title": "Named worker: what people told us",
        "url": "https://halton.example/sites/asc/token-here.docx?token=abc",
        "statements": "assessing-needs,equity",
        "category": "peoples_experience",
        "evidence_date": "2026-03-09",
    }
    undated, _ = await invoke(bot_server, LEAD, "evidence.submit", {**data, "evidence_date": "9 March"})
    assert "YYYY-MM-DD" in texts(card_of(undated)) and "The link carries a secret" in texts(card_of(undated))
    async with bot_server.runtime.sessions() as session:
        assert await list_items(session, statement="equity") == []  # not stored under another date
    bad, _ = await invoke(bot_server, LEAD, "evidence.submit", data)
    assert "The link carries a secret" in texts(card_of(bad))
    assert input_value(card_of(bad), "title") == data["title"]
    good = {**data, "url": "https://halton.example/sites/asc/named-worker-feedback.docx"}
    first, _ = await invoke(bot_server, LEAD, "evidence.submit", good)
    again, _ = await invoke(bot_server, LEAD, "evidence.submit", good)
    assert "Added evidence item" in texts(card_of(first)) and "already in the library" in texts(card_of(again))
    async with bot_server.runtime.sessions() as session:
        items = await list_items(session, statement="equity")
    assert [(i.title, i.category.value if i.category else None, i.added_by, str(i.evidence_date)) for i in items] == [
        ("Named worker: what people told us", "peoples_experience", "Rachel Ahmed", "2026-03-09")
    ]
