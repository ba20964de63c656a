"""The monthly progress conversation: the prompt card, what it sends back, the receipt.

One card per action, so each prompt is replaced in place by its own receipt and stays small on a
phone. Everything here is pure: the bot/ layer sends the dicts and hands back ``action.data``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol
from urllib.parse import urlsplit

from dialogs.cards import (
    MAX_CARD_BYTES,
    Card,
    card_size_bytes,
    fact,
    fill,
    find,
    load_template,
    long_date,
    markdown_link,
    month_label,
    remove,
    set_action_data,
    shorten,
)
from domain.model import Rag
from domain.personal_data import PersonalDataFinding, find_personal_data

PROGRESS_CARD_VERSION = "progress-1"  # bump when the inputs change, so stale cards can be spotted
SUBMIT_VERB = "progress.submit"
EDIT_VERB = "progress.edit"
INPUT_IDS = ("rag", "narrative", "evidence", "blockers", "revised_due")
CONFIRM_ID = "confirm_no_personal_data"
CARD_ERROR = "card"  # errors key for a malformed or forged card rather than a field
NARRATIVE_MAX = 2000
BLOCKERS_MAX = 1000
LINKS_MAX = 10
LINK_MAX_CHARS = 500  # a long SharePoint path fits; ten of them still fit the card budget
PREVIEW_CHARS = 500  # last month's narrative is shown in full in the box, so only a preview above
FINDINGS_SHOWN = 5

_FINDING_LABELS = {
    "nhs_number": "NHS number",
    "date_of_birth": "Date of birth",
    "postcode_with_name": "Name and postcode",
}
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


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
    cycle_id: int
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


@dataclass(frozen=True)
class ProgressSubmission:
    cycle_id: int
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


class RecordedProgress(Protocol):
    """What a receipt needs: a fresh ProgressSubmission and a stored LastUpdateView both fit."""

    @property
    def rag(self) -> Rag | None: ...
    @property
    def narrative(self) -> str: ...
    @property
    def evidence_links(self) -> tuple[str, ...]: ...
    @property
    def blockers(self) -> str: ...
    @property
    def revised_due(self) -> date | None: ...


def build_progress_card(
    view: ProgressPromptView,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    notice: str | None = None,
    personal_data: Sequence[PersonalDataFinding] = (),
    card_version: str = PROGRESS_CARD_VERSION,
) -> Card:
    """The prompt for one action. ``values`` (what the officer typed) win over last month's prefill."""
    errors = errors or {}
    notice = notice or errors.get(CARD_ERROR)
    last = view.last
    card = fill(
        load_template("progress_prompt"),
        {
            "notice": notice or "",
            "month_label": month_label(view.month),
            "action_ref": view.action_ref,
            "requirement": view.requirement,
            "last_when": last.submitted_at_text if last else "",
            "last_author": last.author_name if last else "",
            "last_rag": last.rag.label if last and last.rag else "Not given",
            "last_narrative": shorten(last.narrative, PREVIEW_CHARS) if last else "",
            **{f"{key}_error": errors.get(key, "") for key in (*INPUT_IDS, CONFIRM_ID)},
        },
    )
    find(card, "facts")["facts"] = _action_facts(view)
    remove(card, [key for key, text in _slots(notice, errors).items() if not text])
    remove(card, ["no_last_update"] if last else ["last_update"])

    merged = {**_prefill(last), **(values or {})}
    for key in INPUT_IDS:
        if text := merged.get(key, ""):
            _set_value(find(card, key), text)
    if personal_data:
        shown = [
            fact(_FINDING_LABELS[f.kind], f"“{f.text}” — {f.explanation}") for f in personal_data
        ]
        if len(shown) > FINDINGS_SHOWN:
            shown = [*shown[:FINDINGS_SHOWN], fact("And", f"{len(shown) - FINDINGS_SHOWN} more")]
        find(card, "personal_data_findings")["facts"] = shown
        find(card, CONFIRM_ID)["value"] = "true" if merged.get(CONFIRM_ID) == "true" else "false"
    else:
        remove(card, ["personal_data"])
    data = {"cycle_id": view.cycle_id, "action_ref": view.action_ref, "card_version": card_version}
    set_action_data(find(card, "submit"), SUBMIT_VERB, data)
    return card


def build_receipt_card(
    view: ProgressPromptView,
    progress: RecordedProgress,
    *,
    author_name: str,
    submitted_at_text: str,
    editable: bool,
) -> Card:
    """The read-only record that replaces the prompt; Edit is offered until the deadline."""
    card = fill(
        load_template("progress_receipt"),
        {
            "action_ref": view.action_ref,
            "month_label": month_label(view.month),
            "requirement": view.requirement,
            "author": author_name,
            "when": submitted_at_text,
            "rag": progress.rag.label if progress.rag else "Not given",
            "revised_due": long_date(progress.revised_due) if progress.revised_due else "No change",
            "narrative": progress.narrative,
            "evidence": "\n".join(f"- {markdown_link(u)}" for u in progress.evidence_links)
            or "None given",
            "blockers": progress.blockers or "None",
            "deadline": long_date(view.deadline),
        },
    )
    if editable:
        data = {"cycle_id": view.cycle_id, "action_ref": view.action_ref}
        set_action_data(find(card, "edit"), EDIT_VERB, data)
    else:
        remove(card, ["edit_hint", "edit_actions"])
    return card


def build_refusal_card(
    title: str, message: str, *, details: Sequence[tuple[str, str]] = ()
) -> Card:
    """A plain "you can't do that" card; ``details`` become facts (e.g. ("Action owner", name))."""
    card = fill(load_template("refusal"), {"title": title, "message": message})
    if details:
        find(card, "details")["facts"] = [fact(name, value) for name, value in details]
    else:
        remove(card, ["details"])  # an empty FactSet is not valid
    return card


def parse_progress_submission(
    data: Mapping[str, object], *, today: date
) -> ProgressSubmission | ProgressFormErrors:
    """Check what a prompt card sent back, as strictly as the card itself (a client can be bypassed)."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for key in (*INPUT_IDS, CONFIRM_ID):
        raw = data.get(key)
        if isinstance(raw, str):
            values[key] = raw
        elif raw is not None:
            errors[CARD_ERROR] = _FORGED
    cycle_id, action_ref = data.get("cycle_id"), data.get("action_ref")
    if not (isinstance(cycle_id, int) and not isinstance(cycle_id, bool) and cycle_id > 0):
        errors[CARD_ERROR] = _FORGED
    if not (isinstance(action_ref, str) and action_ref.strip()):
        errors[CARD_ERROR] = _FORGED

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
        errors["narrative"] = _too_long("the progress update", NARRATIVE_MAX, len(narrative))
    blockers = values.get("blockers", "").strip()
    if len(blockers) > BLOCKERS_MAX:
        errors["blockers"] = _too_long("the blockers", BLOCKERS_MAX, len(blockers))
    links, link_error = _parse_links(values.get("evidence", ""))
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

    if errors or rag is None or not isinstance(cycle_id, int) or not isinstance(action_ref, str):
        return ProgressFormErrors(errors, values, findings)
    return ProgressSubmission(
        cycle_id=cycle_id,
        action_ref=action_ref.strip(),
        rag=rag,
        narrative=narrative,
        evidence_links=links,
        blockers=blockers,
        revised_due=revised_due,
        confirmed_no_personal_data=confirmed,
    )


_FORGED = (
    "This card is missing the details the bot needs to save it. Please use the latest card the bot"
    " sent you, or ask a plan admin to send it again."
)
_PERSONAL_DATA = (
    "This looks like it contains personal data about someone who uses services (see below)."
    " Please remove it, or confirm it is not personal data."
)


def _slots(notice: str | None, errors: Mapping[str, str]) -> dict[str, str]:
    """Optional text elements and their content; the empty ones are dropped from the card."""
    return {"notice": notice or ""} | {
        f"{key}_error": errors.get(key, "") for key in (*INPUT_IDS, CONFIRM_ID)
    }


def _action_facts(view: ProgressPromptView) -> list[dict[str, str]]:
    facts = [fact("Theme", view.theme_name)]
    if view.quality_statement_name:
        score = view.quality_statement_score
        scored = f" (CQC score {score} of 4)" if score is not None else ""
        facts.append(fact("Quality statement", view.quality_statement_name + scored))
    facts.append(fact("Action due", long_date(view.action_due) if view.action_due else "Not set"))
    facts.append(fact("Owner", view.owner_name))
    facts.append(fact("Please reply by", f"**{long_date(view.deadline)}**"))
    return facts


def _prefill(last: LastUpdateView | None) -> dict[str, str]:
    if last is None:
        return {}
    return {
        "rag": last.rag.value if last.rag else "",
        "narrative": last.narrative,
        "evidence": "\n".join(last.evidence_links),
        "blockers": last.blockers,
        "revised_due": last.revised_due.isoformat() if last.revised_due else "",
    }


def _set_value(element: dict[str, Any], text: str) -> None:
    """Give an input its value, unless a client would reject it (the error still says why)."""
    if element["type"] == "Input.ChoiceSet" and text not in {
        c["value"] for c in element["choices"]
    }:
        return
    if element["type"] == "Input.Date" and not _ISO_DATE.fullmatch(text):
        return
    element["value"] = text


def _too_long(what: str, limit: int, length: int) -> str:
    return (
        f"Please shorten {what} to {limit:,} characters or fewer — it is {length:,} at the moment."
    )


def _quote(text: str) -> str:
    return f"“{shorten(text, 60)}”"


def _parse_links(raw: str) -> tuple[tuple[str, ...], str | None]:
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > LINKS_MAX:
        return (), (
            f"Please give no more than {LINKS_MAX} evidence links (you gave {len(lines)}) —"
            " link to a folder if there are more."
        )
    for line in lines:
        try:
            parts = urlsplit(line)
            scheme, host = parts.scheme.lower(), parts.hostname
        except ValueError:  # e.g. an unclosed "[" in the host
            scheme, host = "", None
        if scheme not in ("http", "https"):
            return (), f"{_quote(line)} is not a web link. Each line should start with https://."
        if not host or any(char.isspace() for char in line):
            return (), f"{_quote(line)} is not a complete web address. Please paste the full link."
        if len(line) > LINK_MAX_CHARS:
            return (), f"{_quote(line)} is too long ({LINK_MAX_CHARS} characters at most)."
    return tuple(lines), None


def _parse_revised_due(raw: str, today: date) -> tuple[date | None, str | None]:
    raw = raw.strip()
    if not raw:
        return None, None
    try:
        if not _ISO_DATE.fullmatch(raw):
            raise ValueError(raw)
        revised = date.fromisoformat(raw)
    except ValueError:
        return None, f"{_quote(raw)} is not a date. Please pick the revised due date again."
    if revised < today:
        return None, (
            f"The revised due date cannot be in the past. Please choose {long_date(today)} or later."
        )
    return revised, None
