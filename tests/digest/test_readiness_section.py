"""The "CQC readiness" section: in the digest card the chair gets over HTTP, and in the report the bot
serves: both projections, per statement scores and evidence, the stretch actions, the sign-off drift."""

from __future__ import annotations

import io

from docx import Document

from bot.reports.export import ReportFormat, render_report
from bot.services.reporting import load_month_report
from dialogs.cards import MAX_CARD_BYTES, card_size_bytes, find
from tests.bot.test_figures_and_digest_chat import card_of, people, say
from tests.cards import texts, validate_cards
from tests.conftest import BotServer, FakeClock
from tests.digest.history import AS_OF, MONTH
from tests.digest.test_report_routes_and_cli import Served, path_of, served

__all__ = ["people", "served"]  # fixtures shared with the digest and report tests

CQC = "Good, 64 %: 1 point above Requires improvement, 9 points short of Outstanding"
SELF = "Good, 75 %: 5 points above Requires improvement, 5 points short of Outstanding"
SIGNED = "Plan signed off on Friday 20 March 2026 by Helen Carter; since then 0 actions added, 2 changed"


async def test_the_chairs_digest_card_shows_the_readiness_section(
    bot_server: BotServer, people: None, history: None, clock: FakeClock
) -> None:
    clock.now = AS_OF
    card = card_of(await say(bot_server, "helen.carter@halton.example", "digest"))
    words = texts(card)
    assert "CQC readiness" in words and CQC in words and SELF in words
    assert "Self-assessed (8 of 9)" in words
    assert "CQC 2 · self-assessed 3 (+1) · evidence: people 2, staff 1, partners 0, processes 1" in words
    assert "Stretch — toward Outstanding" in words and "STR-01" in words
    assert SIGNED in words and "STR-02: target date 2026-12-31 → 2027-03-31" in words
    assert "To reach Outstanding:" in words
    assert card_size_bytes(card) <= MAX_CARD_BYTES
    assert validate_cards([card]) == [[]]
    # The projection is on the first screen; the statements and stretch actions open on request.
    details = find(card, "readiness_details")
    assert details["isVisible"] is False and "STR-01" in texts({"body": details["items"]})
    toggle = find(card, "readiness_toggle")["actions"][0]
    assert toggle["type"] == "Action.ToggleVisibility" and toggle["targetElements"] == ["readiness_details"]


async def test_the_served_report_and_its_docx_show_the_projection(served: Served) -> None:
    page = await (await served.get(path_of(served.links.report_url(MONTH)))).text()
    assert '<h2 id="readiness">CQC readiness</h2>' in page and CQC in page and SELF in page
    assert 'alt="Bar chart: CQC&#x27;s score and the latest self-assessment' in page
    assert "STR-03: owner helen.carter@halton.example → priya.shah@halton.example" in page
    docx = await (await served.get(path_of(served.links.report_url(MONTH, "docx")))).read()
    text = "\n".join(p.text for p in Document(io.BytesIO(docx)).paragraphs)
    assert "CQC readiness" in text and SELF in text and SIGNED in text


async def test_a_plan_without_self_assessments_projects_cqcs_scores_for_both(sessions, example_plan: None) -> None:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        report = await load_month_report(session, MONTH, AS_OF)
    assert report is not None and report.readiness is not None
    assert report.readiness.cqc.summary == report.readiness.self_assessed.summary == CQC
    assert report.readiness.assessed == 0 and report.readiness.signoff is None
    csv = render_report(report, ReportFormat.CSV).content.decode()
    assert f'readiness-total,CQC,"{CQC}"' in csv
    # Words say it is CQC's score repeated, not the leads' view.
    assert report.readiness.self_assessed_words.startswith("none yet")
    markdown = render_report(report, ReportFormat.MD).content.decode()
    assert "(0 of 9 statements assessed): none yet" in markdown
