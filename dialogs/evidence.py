"""The `evidence add` card and what it sends back. Pure: the statements in, card JSON out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from dialogs import cards
from dialogs.cards import Card
from domain.evidence import EvidenceCategory

SUBMIT_VERB = "evidence.submit"
INPUT_IDS = ("title", "url", "statements", "category", "evidence_date")
CARD_ERROR = "card"


@dataclass(frozen=True)
class EvidenceForm:
    """What the card sent, as text: checked by the evidence service, kept for the card on an error."""

    values: dict[str, str]
    statements: tuple[str, ...]
    evidence_date: date | None
    date_problem: str | None


def build_evidence_card(
    statements: Sequence[tuple[str, str]],
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str = "",
) -> Card:
    """``statements`` are (id, name) pairs, in plan order."""
    errors = errors or {}
    slots = {"notice": notice or errors.get(CARD_ERROR, "")} | {f"{k}_error": errors.get(k, "") for k in INPUT_IDS}
    card = cards.fill(cards.load_template("evidence_add"), slots)
    cards.find(card, "statements")["choices"] = [{"title": name, "value": sid} for sid, name in statements]
    cards.find(card, "category")["choices"] = [{"title": c.label, "value": c.value} for c in EvidenceCategory]
    cards.remove(card, [key for key, text in slots.items() if not text])
    for key in INPUT_IDS:
        if text := (values or {}).get(key, ""):
            element = cards.find(card, key)
            if key == "statements":
                known = {sid for sid, _ in statements}
                element["value"] = ",".join(s for s in text.split(",") if s in known)
            else:
                cards.set_input_value(element, text)
    cards.set_action_data(cards.find(card, "submit"), SUBMIT_VERB, {"card": "evidence-1"})
    return card


def read_evidence_form(data: Mapping[str, object]) -> EvidenceForm:
    values = {key: raw for key in INPUT_IDS if isinstance(raw := data.get(key), str)}
    statements = tuple(s.strip() for s in values.get("statements", "").split(",") if s.strip())
    try:
        day = cards.parse_input_date(values.get("evidence_date", ""))
        problem = None
    except ValueError:
        day, problem = None, "Please give the date as the date picker does (YYYY-MM-DD)."
    return EvidenceForm(values, statements, day, problem)


def build_evidence_receipt(heading: str, message: str) -> Card:
    return cards.fill(cards.load_template("evidence_receipt"), {"heading": heading, "message": message})
