"""The self-assessment card and its receipt: valid Teams cards, strict parsing, the officer's text kept."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest

from dialogs.evidence import build_evidence_card, build_evidence_receipt
from dialogs.readiness import (
    AssessFormErrors,
    AssessmentSubmission,
    build_assess_card,
    build_assess_receipt,
    parse_assessment,
)
from dialogs.signoff import build_signoff_card, build_signoff_receipt
from domain.evidence import EvidenceCategory, EvidenceItem
from domain.model import ActionStatus, Rag
from domain.readiness_view import ActionLine, Assessment, StatementReadiness
from tests.cards import input_value, texts, validate_cards
from tests.dialogs.test_progress_cards import teams_problems

AT = datetime(2026, 3, 5, 10, tzinfo=UTC)
ITEM = EvidenceItem(
    1, "Carers survey 2026", "https://halton.example/carers.pdf", ("assessing-needs",),
    EvidenceCategory.PEOPLES_EXPERIENCE, None, "2026-03", date(2026, 3, 1), "Rachel Ahmed", AT, "cli",
)  # fmt: skip
STATEMENT = StatementReadiness(
    statement_id="assessing-needs",
    name="Assessing people's needs",
    theme_name="Working with People",
    cqc_score=2,
    lead_name="Rachel Ahmed",
    lead_email="rachel.ahmed@halton.example",
    history=(Assessment(3, "Audits show strengths-based practice.", "", "Rachel Ahmed", AT, "teams"),),
    actions=(
        ActionLine("WWP-01", "Tell their story once", "Rachel Ahmed", Rag.AMBER, ActionStatus.IN_PROGRESS, False),
        ActionLine("STR-01", "Assessed within 28 days", "Rachel Ahmed", None, ActionStatus.NOT_STARTED, True),
    ),
    evidence=(ITEM,),
)
SNAPSHOT = {
    "themes": [{"id": "working-with-people", "name": "Working with People", "actions": 2}],
    "actions": [
        {"ref": "WWP-01", "theme": "working-with-people", "requirement": "Tell their story once",
         "owner": "rachel.ahmed@halton.example", "due": "2026-03-31", "stretch": False},
        {"ref": "STR-01", "theme": "working-with-people", "requirement": "Assessed within 28 days",
         "owner": "rachel.ahmed@halton.example", "due": None, "stretch": True},
    ],
    "metrics": [{"id": "dols-backlog", "name": "DoLS backlog", "target": 250.0, "target_date": "2026-03-31"}],
}  # fmt: skip
BARE = StatementReadiness("equity", "Equity", "Working with People", 3, None, None, (), (), ())

BUILDERS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "assess": lambda: [
        build_assess_card(STATEMENT, last_when="Thursday 5 March 2026"),
        build_assess_card(BARE),
        build_assess_card(
            STATEMENT,
            values={"score": "4", "rationale": "typed", "evidence": "x"},
            errors={k: "Please fix this." for k in ("score", "rationale", "evidence")},
            notice="Only the statement's lead can record a self-assessment.",
        ),
    ],
    "signoff": lambda: [
        build_signoff_card("Halton", SNAPSHOT, "abc123", previous="Last signed off: 20 March 2026."),
        build_signoff_card("Halton", {**SNAPSHOT, "metrics": []}, "abc123", notice="The plan has changed."),
    ],
    "signoff_receipt": lambda: [build_signoff_receipt("Plan signed off on Friday 20 March 2026 by Helen Carter.")],
    "evidence_add": lambda: [
        build_evidence_card([("equity", "Equity"), ("safeguarding", "Safeguarding")]),
        build_evidence_card(
            [("equity", "Equity")],
            values={
                "title": "Survey",
                "url": "http://x",
                "statements": "equity,ghost",
                "category": "partners",
                "evidence_date": "2026-03-02",
            },
            errors={k: "Please fix this." for k in ("title", "url", "statements", "category", "evidence_date")},
        ),
    ],
    "evidence_receipt": lambda: [build_evidence_receipt("Evidence added", "Added evidence item 3: Survey.")],
    "assess_receipt": lambda: [
        build_assess_receipt(
            STATEMENT,
            AssessmentSubmission("assessing-needs", 3, "Why", ""),
            author="Rachel Ahmed",
            when="Thursday 5 March 2026",
            projection="Good, 67 %",
        )
    ],
}


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_template_builds_into_a_valid_teams_card(name: str) -> None:
    built = BUILDERS[name]()
    assert validate_cards(built) == [[] for _ in built]
    assert [teams_problems(card) for card in built] == [[] for _ in built]


def test_the_card_shows_rag_in_words_stretch_apart_and_thin_categories() -> None:
    words = texts(build_assess_card(STATEMENT, last_when="Thursday 5 March 2026"))
    assert "Amber — at risk — Tell their story once" in words
    assert "STR-01 (stretch)" in words and "No RAG yet" in words
    assert "People's experience" in words and "1 — thin" in words  # one item is below the two that count


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"score": "5"}, "score", "“5” is not a score: CQC scores each statement from 1 to 4."),
        ({"score": "0"}, "score", "“0” is not a score: CQC scores each statement from 1 to 4."),
        ({"score": ""}, "score", "Please choose a score from 1 to 4."),
        ({"rationale": "  "}, "rationale", "Please say why you give this score — this is required."),
        ({"rationale": "x" * 2001}, "rationale", "Please shorten the rationale to 2,000 characters or fewer — it is 2,001 now."),  # noqa: E501
    ],
)  # fmt: skip
def test_bad_input_is_named_under_its_field(data: dict[str, str], field: str, message: str) -> None:
    parsed = parse_assessment({"statement_id": "assessing-needs", "score": "3", "rationale": "Because", **data})
    assert isinstance(parsed, AssessFormErrors)
    assert parsed.errors == {field: message}
    card = build_assess_card(STATEMENT, values=parsed.values, errors=parsed.errors)
    assert message in texts(card)
    assert input_value(card, "rationale") == parsed.values["rationale"]


def test_a_forged_card_is_refused_and_a_good_one_parses() -> None:
    assert isinstance(parse_assessment({"score": "3", "rationale": "x"}), AssessFormErrors)
    assert isinstance(parse_assessment({"statement_id": "equity", "score": 3, "rationale": "x"}), AssessFormErrors)
    assert parse_assessment({"statement_id": "equity", "score": "4", "rationale": " ok "}) == AssessmentSubmission(
        "equity", 4, "ok", ""
    )
