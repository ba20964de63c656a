"""The monthly progress conversation: the prompt card, what it sends back, the receipt.

One card per action, so each prompt is replaced in place by its own receipt and stays small on a
phone. Everything here is pure: the bot/ layer sends the dicts and hands back ``action.data``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from dialogs import cards
from dialogs.cards import Card
from dialogs.formatting import long_date, month_label
from domain.checkin import NO_CHANGE_NARRATIVE
from domain.model import Rag
from domain.personal_data import PersonalDataFinding, find_personal_data

# Re-exported: the card budget is checked wherever cards are built.
MAX_CARD_BYTES = cards.MAX_CARD_BYTES
card_size_bytes = cards.card_size_bytes

PROGRESS_CARD_VERSION = "progress-1"  # bump when the inputs change, so stale cards can be spotted
SUBMIT_VERB = "progress.submit"
EDIT_VERB = "progress.edit"
INPUT_IDS = ("rag", "narrative", "evidence", "blockers", "revised_due")
CONFIRM_ID = "confirm_no_personal_data"
CARD_ERROR = "card"  # errors key for a malformed or forged card rather than a field
NARRATIVE_MAX = 2000
BLOCKERS_MAX = 1000
LINKS_MAX = 10
LINK_MAX_CHARS = 400  # a long SharePoint path fits; ten of them still fit the card budget
PREVIEW_CHARS = 500  # last month's text, shown above the empty box (not pre-filled), within the card budget
BLOCKERS_PREVIEW_CHARS = 200
NO_CHANGE_KEY = "no_change"  # the "No change since last month" button's data: the inputs are not read
REQUIREMENT_CHARS = 500  # plan text is unbounded; the card budget is not
FINDINGS_SHOWN = 5


@dataclass(frozen=True)
class LastUpdateView:
    rag: Rag | None
    narrative: str
    evidence_links: tuple[str, ...]
    blockers: str
    revised_due: date | None
    submitted_at_text: str  # already in the council's local time, e.g. "3 February 2026, 14:05"
    author_name: str


@dataclass(frozen=True)
class ProgressPromptView:
    round_id: int
    month: str  # "YYYY-MM"
    deadline: date
    action_ref: str
    requirement: str
    theme_name: str
    quality_statement_name: str | None
    quality_statement_score: int | None
    action_due: date | None
    owner_name: str
    last: LastUpdateView | None
    overdue_since: date | None = None  # past its due date and not complete


@dataclass(frozen=True)
class ProgressSubmission:
    round_id: int
    action_ref: str
    rag: Rag
    narrative: str
    evidence_links: tuple[str, ...]
    blockers: str
    revised_due: date | None
    confirmed_no_personal_data: bool


@dataclass(frozen=True)
class ProgressFormErrors:
    errors: dict[str, str]  # input id (or "card") → message for the officer
    values: dict[str, str]  # the raw text as submitted, to give back untouched
    personal_data: list[PersonalDataFinding] = field(default_factory=list)


def build_progress_card(
    view: ProgressPromptView,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    personal_data: Sequence[PersonalDataFinding] = (),
    card_version: str = PROGRESS_CARD_VERSION,
    card_id: str = "",
    editing: bool = False,
) -> Card:
    """The prompt for one action; ``values`` (what the officer typed) win over the prefill.

    A new month's prompt leaves progress and blockers empty (last month's are shown above them);
    ``editing`` (the receipt's Edit) fills them with the update being corrected.

    ``card_id`` names this copy of the card, so a double click on it stores one update.
    """
    errors = errors or {}
    last = view.last
    # Optional text elements: filled when there is something to say, dropped otherwise.
    slots = {"notice": notice or errors.get(CARD_ERROR, "")} | {
        f"{key}_error": errors.get(key, "") for key in (*INPUT_IDS, CONFIRM_ID)
    }
    card = cards.fill(
        cards.load_template("progress_prompt"),
        {
            **slots,
            "month_label": month_label(view.month),
            "action_ref": view.action_ref,
            "requirement": cards.shorten(view.requirement, REQUIREMENT_CHARS),
            "last_when": last.submitted_at_text if last else "",
            "last_author": last.author_name if last else "",
            "last_rag": last.rag.label if last and last.rag else "Not given",
            "last_narrative": cards.shorten(last.narrative, PREVIEW_CHARS) if last else "",
            "last_blockers": cards.shorten(last.blockers, BLOCKERS_PREVIEW_CHARS) if last else "",
        },
    )
    cards.find(card, "facts")["facts"] = _action_facts(view)
    cards.remove(card, [key for key, text in slots.items() if not text])
    cards.remove(card, ["no_last_update"] if last else ["last_update"])
    if last and not last.blockers:
        cards.remove(card, ["last_blockers"])

    merged = {**_prefill(last, editing=editing), **(values or {})}
    for key in INPUT_IDS:
        if text := merged.get(key, ""):
            cards.set_input_value(cards.find(card, key), text)
    if personal_data:
        shown = [cards.fact(f.label, f"“{f.text}” — {f.explanation}") for f in personal_data]
        if len(shown) > FINDINGS_SHOWN:
            shown = [
                *shown[:FINDINGS_SHOWN],
                cards.fact("And", f"{len(shown) - FINDINGS_SHOWN} more"),
            ]
        cards.find(card, "personal_data_findings")["facts"] = shown
        cards.find(card, CONFIRM_ID)["value"] = "true" if merged.get(CONFIRM_ID) == "true" else "false"
    else:
        cards.remove(card, ["personal_data"])
    data = {"cycle_id": view.round_id, "action_ref": view.action_ref, "card_version": card_version}
    if card_id:
        data["card_id"] = card_id
    cards.set_action_data(cards.find(card, "submit"), SUBMIT_VERB, data)
    if last and last.rag:
        cards.set_action_data(cards.find(card, "no_change"), SUBMIT_VERB, {**data, NO_CHANGE_KEY: True})
    elif last:
        cards.remove(card, ["no_change_actions"])  # nothing to carry over without a RAG
    return card


def card_ids(data: Mapping[str, object]) -> tuple[int, str] | None:
    """The round id and action ref a prompt card carries; None when they are missing or forged.
    Round 0 is an update outside a monthly round ("my actions" when no round is open)."""
    round_id, action_ref = data.get("cycle_id"), data.get("action_ref")
    if not (isinstance(round_id, int) and not isinstance(round_id, bool) and round_id >= 0):
        return None
    if not (isinstance(action_ref, str) and action_ref.strip()):
        return None
    return round_id, action_ref.strip()


def no_change_submission(round_id: int, action_ref: str, last: LastUpdateView, *, today: date) -> ProgressSubmission:
    """The "No change since last month" button: last month's RAG, links and blockers, said as no change.
    A revised date already past is not carried over (it would be refused on a normal submit)."""
    assert last.rag is not None  # the button is only offered after an update with a RAG
    revised = last.revised_due if last.revised_due and last.revised_due >= today else None
    return ProgressSubmission(
        round_id=round_id,
        action_ref=action_ref,
        rag=last.rag,
        narrative=NO_CHANGE_NARRATIVE,
        evidence_links=last.evidence_links,
        blockers=last.blockers,
        revised_due=revised,
        confirmed_no_personal_data=True,  # last month's text, already checked when it was sent
    )


def build_receipt_card(
    view: ProgressPromptView,
    progress: ProgressSubmission | LastUpdateView,  # just submitted, or as stored
    *,
    author_name: str,
    submitted_at_text: str,
    editable: bool,
    history_url: str | None = None,
) -> Card:
    """The read-only record that replaces the prompt; Edit is offered until the deadline, and with
    ``history_url`` (the dashboard tab, inside Teams) a link to the action's whole history."""
    card = cards.fill(
        cards.load_template("progress_receipt"),
        {
            "action_ref": view.action_ref,
            "month_label": month_label(view.month),
            "requirement": cards.shorten(view.requirement, REQUIREMENT_CHARS),
            "author": author_name,
            "when": submitted_at_text,
            "rag": progress.rag.label if progress.rag else "Not given",
            "revised_due": long_date(progress.revised_due) if progress.revised_due else "No change",
            "narrative": progress.narrative,
            "evidence": "\n".join(f"- {cards.markdown_link(u)}" for u in progress.evidence_links) or "None given",
            "blockers": progress.blockers or "None",
            "deadline": long_date(view.deadline),
        },
    )
    if editable:
        data = {"cycle_id": view.round_id, "action_ref": view.action_ref}
        cards.set_action_data(cards.find(card, "edit"), EDIT_VERB, data)
    else:
        cards.remove(card, ["edit_hint", "edit_actions"])
    if history_url:
        title = f"See {view.action_ref}'s history"
        link = {"type": "Action.OpenUrl", "id": "history", "title": title, "url": history_url}
        card["body"].append({"type": "ActionSet", "id": "history_actions", "actions": [link]})
    return card


def build_refusal_card(title: str, message: str, *, details: Sequence[tuple[str, str]] = ()) -> Card:
    """A plain "you can't do that" card; ``details`` become facts (e.g. ("Action owner", name))."""
    card = cards.fill(cards.load_template("refusal"), {"title": title, "message": message})
    if details:
        cards.find(card, "details")["facts"] = [cards.fact(name, value) for name, value in details]
    else:
        cards.remove(card, ["details"])  # an empty FactSet is not valid
    return card


def parse_progress_submission(data: Mapping[str, object], *, today: date) -> ProgressSubmission | ProgressFormErrors:
    """Check what a prompt card sent back as strictly as the card does: clients can be bypassed."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for key in (*INPUT_IDS, CONFIRM_ID):
        raw = data.get(key)
        if isinstance(raw, str):
            values[key] = raw
        elif raw is not None:
            errors[CARD_ERROR] = FORGED
    round_id, action_ref = data.get("cycle_id"), data.get("action_ref")
    if card_ids(data) is None:
        errors[CARD_ERROR] = FORGED

    rag_text = values.get("rag", "").strip()
    rag = Rag(rag_text) if rag_text in {r.value for r in Rag} else None
    if rag is None:
        errors["rag"] = (
            "Please choose a RAG status — this is required."
            if not rag_text
            else "Please choose one of the statuses offered: Green, Amber, Red or Complete."
        )
    narrative = values.get("narrative", "").strip()
    if not narrative:
        errors["narrative"] = "Please describe progress this month — this is required."
    elif len(narrative) > NARRATIVE_MAX:
        errors["narrative"] = cards.too_long("the progress update", NARRATIVE_MAX, len(narrative))
    blockers = values.get("blockers", "").strip()
    if len(blockers) > BLOCKERS_MAX:
        errors["blockers"] = cards.too_long("the blockers", BLOCKERS_MAX, len(blockers))
    links, link_error = cards.parse_links(values.get("evidence", ""), LINKS_MAX, LINK_MAX_CHARS)
    if link_error:
        errors["evidence"] = link_error
    revised_due, date_error = _parse_revised_due(values.get("revised_due", ""), today)
    if date_error:
        errors["revised_due"] = date_error

    # Personal data: flag it on the field it is in; the officer removes it or confirms it is not.
    confirmed = values.get(CONFIRM_ID, "").strip().lower() == "true"
    findings: list[PersonalDataFinding] = []
    for key, text in (("narrative", narrative), ("blockers", blockers)):
        found = find_personal_data(text, today=today)
        findings += found
        if found and not confirmed:
            errors.setdefault(key, _PERSONAL_DATA)
    if findings and not confirmed:
        errors[CONFIRM_ID] = "Please remove the personal data, or tick this box if it is not."

    if errors or rag is None or not isinstance(round_id, int) or not isinstance(action_ref, str):
        return ProgressFormErrors(errors, values, findings)
    return ProgressSubmission(
        round_id=round_id,
        action_ref=action_ref.strip(),
        rag=rag,
        narrative=narrative,
        evidence_links=links,
        blockers=blockers,
        revised_due=revised_due,
        confirmed_no_personal_data=confirmed,
    )


FORGED = (
    "This card is missing the details the bot needs to save it. Please use the latest card the bot"
    " sent you, or ask a plan admin to send it again."
)
_PERSONAL_DATA = (
    "This looks like it contains personal data about someone who uses services (see below)."
    " Please remove it, or confirm it is not personal data."
)


def _action_facts(view: ProgressPromptView) -> list[dict[str, str]]:
    statement, score = view.quality_statement_name, view.quality_statement_score
    scored = f"{statement} (CQC score {score} of 4)" if score is not None else statement
    due = long_date(view.action_due) if view.action_due else "Not set"
    rows = [
        ("Theme", view.theme_name),
        ("Quality statement", scored if statement else ""),  # not every action maps to one
        ("Action due", due),
        ("Overdue", f"⚠ **Overdue since {long_date(view.overdue_since)}**" if view.overdue_since else ""),
        ("Owner", view.owner_name),
        ("Please reply by", f"**{long_date(view.deadline)}**"),
    ]
    return [cards.fact(title, value) for title, value in rows if value]


def _prefill(last: LastUpdateView | None, *, editing: bool) -> dict[str, str]:
    if last is None:
        return {}
    prefill = {
        "rag": last.rag.value if last.rag else "",
        "evidence": "\n".join(last.evidence_links),
        "revised_due": last.revised_due.isoformat() if last.revised_due else "",
    }
    # A new prompt's text starts empty, so last month's is never resubmitted unread.
    return prefill | ({"narrative": last.narrative, "blockers": last.blockers} if editing else {})


def _parse_revised_due(raw: str, today: date) -> tuple[date | None, str | None]:
    try:
        revised = cards.parse_input_date(raw)
    except ValueError:
        return None, f"{cards.quote(raw)} is not a date. Please pick the revised due date again."
    if revised and revised < today:
        return None, "The revised due date cannot be in the past. Please choose today or later."
    return revised, None
