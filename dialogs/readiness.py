"""The self-assessment card (`assess`), what it sends back, and its receipt. Pure: plain views in, card JSON out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dialogs import cards
from dialogs.cards import Card
from domain.evidence import EvidenceCategory
from domain.planning import SelfAssessmentRequest
from domain.readiness_view import StatementReadiness

ASSESS_CARD_VERSION = "assess-1"
SUBMIT_VERB = "assess.submit"
INPUT_IDS = ("score", "rationale", "evidence")
CARD_ERROR = "card"
RATIONALE_MAX = 2000
EVIDENCE_MAX = 4000
ACTIONS_SHOWN = 12  # a statement's actions on one card; the report lists them all
SCORE_WORDS = {1: "significant shortfalls", 2: "some shortfalls", 3: "a good standard", 4: "an exceptional standard"}
_FORGED = "This card sent something unexpected. Type **assess** for a fresh card."


def score_text(score: int) -> str:
    return f"{score} of 4 — {SCORE_WORDS[score]}"


@dataclass(frozen=True)
class AssessmentSubmission:
    statement_id: str
    score: int
    rationale: str
    evidence: str


@dataclass(frozen=True)
class AssessFormErrors:
    errors: dict[str, str]
    values: dict[str, str]
    statement_id: str | None


def build_assess_card(
    statement: StatementReadiness,
    *,
    last_when: str = "",
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Card:
    """The statement, CQC's score, the last self-assessment, its actions with their RAG and the
    evidence counted so far; ``values`` (what the officer typed) are kept."""
    errors = errors or {}
    last = statement.latest
    slots = {"notice": notice or errors.get(CARD_ERROR, "")} | {f"{k}_error": errors.get(k, "") for k in INPUT_IDS}
    card = cards.fill(
        cards.load_template("assess"),
        {
            **slots,
            "statement": statement.name,
            "theme": statement.theme_name,
            "last_when": last_when,
            "last_author": last.assessor if last else "",
            "last_rationale": cards.shorten(last.rationale, 400) if last else "",
        },
    )
    facts = [
        cards.fact("CQC's score", score_text(statement.cqc_score)),
        cards.fact("Last self-assessment", score_text(last.score) if last else "None yet"),
        cards.fact("Lead", statement.lead_name or "No lead named in the plan"),
    ]
    cards.find(card, "facts")["facts"] = facts
    shown = statement.actions[:ACTIONS_SHOWN]
    action_facts = [
        cards.fact(
            f"{a.ref}{' (stretch)' if a.stretch else ''}",
            f"{a.rag.label if a.rag else 'No RAG yet'} — {cards.shorten(a.requirement, 120)}",
        )
        for a in shown
    ]
    if len(statement.actions) > len(shown):
        action_facts.append(cards.fact("And", f"{len(statement.actions) - len(shown)} more (see the report)"))
    cards.find(card, "actions")["facts"] = action_facts
    counts = statement.evidence_counts
    cards.find(card, "evidence_counts")["facts"] = [
        cards.fact(c.label, f"{counts[c]}{' — thin' if c in statement.thin else ''}") for c in EvidenceCategory
    ] + ([cards.fact("Not yet categorised", str(counts[None]))] if counts[None] else [])
    cards.remove(card, [key for key, text in slots.items() if not text])
    cards.remove(card, ["no_last_assessment"] if last else ["last_assessment"])
    cards.remove(card, ["no_actions"] if shown else ["actions"])
    for key in INPUT_IDS:
        if text := (values or {}).get(key, ""):
            cards.set_input_value(cards.find(card, key), text)
    data = {"statement_id": statement.statement_id, "card_version": ASSESS_CARD_VERSION}
    cards.set_action_data(cards.find(card, "submit"), SUBMIT_VERB, data)
    return card


def parse_assessment(data: Mapping[str, object]) -> AssessmentSubmission | AssessFormErrors:
    """As strict as the card, since clients can be bypassed: a score of 1–4 and a rationale."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for key in INPUT_IDS:
        raw = data.get(key)
        if isinstance(raw, str):
            values[key] = raw
        elif raw is not None:
            errors[CARD_ERROR] = _FORGED
    statement_id = data.get("statement_id")
    if not (isinstance(statement_id, str) and statement_id.strip()):
        return AssessFormErrors({CARD_ERROR: _FORGED}, values, None)
    raw_score = values.get("score", "").strip()
    score = int(raw_score) if raw_score in {"1", "2", "3", "4"} else None
    if score is None:
        errors["score"] = (
            "Please choose a score from 1 to 4."
            if not raw_score
            else f"{cards.quote(raw_score)} is not a score: CQC scores each statement from 1 to 4."
        )
    rationale = values.get("rationale", "").strip()
    if not rationale:
        errors["rationale"] = "Please say why you give this score — this is required."
    elif len(rationale) > RATIONALE_MAX:
        errors["rationale"] = cards.too_long("the rationale", RATIONALE_MAX, len(rationale))
    evidence = values.get("evidence", "").strip()
    if len(evidence) > EVIDENCE_MAX:
        errors["evidence"] = cards.too_long("the evidence", EVIDENCE_MAX, len(evidence))
    if errors or score is None:
        return AssessFormErrors(errors, values, statement_id)
    return AssessmentSubmission(statement_id, score, rationale, evidence)


def build_assess_receipt(
    statement: StatementReadiness, submission: AssessmentSubmission, *, author: str, when: str, projection: str
) -> Card:
    return cards.fill(
        cards.load_template("assess_receipt"),
        {
            "statement": statement.name,
            "score": score_text(submission.score),
            "cqc_score": score_text(statement.cqc_score),
            "author": author,
            "when": when,
            "rationale": submission.rationale,
            "evidence": submission.evidence or "None given",
            "projection": f"Self-assessed projection now: {projection}",
        },
    )


def self_assessment_request_text(request: SelfAssessmentRequest) -> str:
    names = request.statement_names
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    more = " Type **assess** for a card for each." if len(names) > 1 else ""
    return (
        f"It is time for the quarter's CQC self-assessment of **{listed}**, which you lead. "
        f"Score it from 1 to 4 on the evidence, and say why.{more}"
    )
