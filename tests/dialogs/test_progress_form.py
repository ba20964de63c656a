"""What a progress card sends back: every rule, the personal-data guard, and nothing typed lost."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from dialogs.progress import (
    ProgressFormErrors,
    ProgressSubmission,
    build_progress_card,
    parse_progress_submission,
)
from domain.model import Rag
from tests.cards import element, texts, validate_cards
from tests.dialogs.progress_data import GOOD, NHS, TODAY, VIEW

# --- parsing what comes back -------------------------------------------------------------------


def test_valid_submission_is_parsed_and_tidied() -> None:
    assert parse_progress_submission(GOOD, today=TODAY) == ProgressSubmission(
        round_id=12,
        action_ref="WWP-01",
        rag=Rag.GREEN,
        narrative="Compliance at 84% this month; four new supervisors trained.",
        evidence_links=("https://halton.sharepoint.com/a.pdf", "http://intranet.halton.gov.uk/b"),
        blockers="",
        revised_due=date(2026, 5, 29),
        confirmed_no_personal_data=False,
    )


def test_optional_fields_may_be_absent_and_due_date_may_be_today() -> None:
    minimal = {"cycle_id": 12, "action_ref": "WWP-01", "rag": "complete", "narrative": "Done."}
    parsed = parse_progress_submission(minimal, today=TODAY)
    assert isinstance(parsed, ProgressSubmission)
    assert (parsed.evidence_links, parsed.blockers, parsed.revised_due) == ((), "", None)
    today_due = parse_progress_submission({**GOOD, "revised_due": "2026-02-04"}, today=TODAY)
    assert isinstance(today_due, ProgressSubmission)


LONG_LINK = "https://halton.sharepoint.com/" + "x" * 370


@pytest.mark.parametrize(
    ("changes", "field", "says"),
    [
        (
            {"narrative": None},
            "narrative",
            "Please describe progress this month — this is required.",
        ),
        ({"narrative": "   \n "}, "narrative", "this is required"),
        ({"narrative": "x" * 2001}, "narrative", "2,000 characters or fewer — it is 2,001"),
        ({"rag": None}, "rag", "Please choose a RAG status — this is required."),
        ({"rag": "purple"}, "rag", "Green, Amber, Red or Complete"),
        ({"blockers": "y" * 1001}, "blockers", "1,000 characters or fewer — it is 1,001"),
        ({"revised_due": "31/05/2026"}, "revised_due", "“31/05/2026” is not a date"),
        ({"revised_due": "2026-02-30"}, "revised_due", "is not a date"),
        ({"revised_due": "20260529"}, "revised_due", "is not a date"),
        ({"revised_due": "2026-02-03"}, "revised_due", "cannot be in the past"),
        ({"evidence": "see the shared drive"}, "evidence", "is not a web link"),
        ({"evidence": "ftp://files.halton.gov.uk/a"}, "evidence", "is not a web link"),
        ({"evidence": "javascript:alert(1)"}, "evidence", "is not a web link"),
        ({"evidence": "https://"}, "evidence", "is not a complete web address"),
        ({"evidence": "https://halton gov.uk/a"}, "evidence", "is not a complete web address"),
        ({"evidence": "http://[::1"}, "evidence", "not a web link"),
        ({"evidence": LONG_LINK + "y" * 20}, "evidence", "too long"),
        (
            {"evidence": "\n".join(f"https://a.gov.uk/{i}" for i in range(11))},
            "evidence",
            "no more than 10 links (you gave 11)",
        ),
        ({"cycle_id": None}, "card", "missing the details the bot needs"),
        ({"cycle_id": "12"}, "card", "missing the details"),
        ({"cycle_id": True}, "card", "missing the details"),
        ({"cycle_id": -3}, "card", "missing the details"),
        ({"action_ref": None}, "card", "missing the details"),
        ({"action_ref": " "}, "card", "missing the details"),
        ({"blockers": 3}, "card", "missing the details"),  # inputs always arrive as text
    ],
)
def test_each_rule_gives_a_specific_message(changes: dict[str, Any], field: str, says: str) -> None:
    data = {key: value for key, value in {**GOOD, **changes}.items() if value is not None}
    result = parse_progress_submission(data, today=TODAY)
    assert isinstance(result, ProgressFormErrors)
    assert set(result.errors) == {field}
    assert says in result.errors[field]
    assert result.values == {
        k: v
        for k, v in data.items()
        if k in ("rag", "narrative", "evidence", "blockers", "revised_due") and isinstance(v, str)
    }


def test_ten_long_links_are_accepted() -> None:
    links = "\n".join(f"{LONG_LINK[:-2]}{i:02d}" for i in range(10))
    result = parse_progress_submission({**GOOD, "evidence": links}, today=TODAY)
    assert isinstance(result, ProgressSubmission) and len(result.evidence_links) == 10


def test_nothing_typed_is_lost_when_the_card_comes_back_with_errors() -> None:
    typed = {
        **GOOD,
        "rag": "",
        "narrative": "  Half-written update…\nsecond line ",
        "evidence": "https://ok.gov.uk/a\nnot a link",
        "blockers": "Waiting on HR",
    }
    result = parse_progress_submission(typed, today=TODAY)
    assert isinstance(result, ProgressFormErrors)
    assert set(result.errors) == {"rag", "evidence"}
    card = build_progress_card(VIEW, values=result.values, errors=result.errors)
    for key in ("narrative", "evidence", "blockers", "revised_due"):
        assert element(card, key)["value"] == typed[key]  # exactly as typed, spaces and all
    assert "value" not in element(card, "rag")  # left empty, not refilled from last month
    assert validate_cards([card]) == [[]]


# --- personal data -----------------------------------------------------------------------------


def test_suspected_personal_data_is_flagged_with_a_confirm_toggle() -> None:
    data = {
        **GOOD,
        "narrative": f"Reviewed the case of NHS {NHS} with the team.",
        "blockers": "Mrs Smith, 3 Kingsway, Widnes WA8 7QF needs a visit",
    }
    result = parse_progress_submission(data, today=TODAY)
    assert isinstance(result, ProgressFormErrors)
    assert set(result.errors) == {"narrative", "blockers", "confirm_no_personal_data"}
    assert "remove it, or confirm" in result.errors["narrative"]
    assert [f.kind for f in result.personal_data] == ["nhs_number", "postcode_with_name"]
    assert result.values["narrative"] == data["narrative"]

    card = build_progress_card(VIEW, values=result.values, errors=result.errors, personal_data=result.personal_data)
    toggle = element(card, "confirm_no_personal_data")
    assert toggle["type"] == "Input.Toggle" and toggle["value"] == "false"
    assert toggle["title"] == ("I confirm this contains no personal data about people who use services")
    shown = texts(element(card, "personal_data"))
    assert f"“{NHS}”" in shown and "Name and postcode" in shown
    assert validate_cards([card]) == [[]]


def test_confirmed_personal_data_is_accepted() -> None:
    data = {
        **GOOD,
        "narrative": f"Reviewed the case of NHS {NHS}.",
        "confirm_no_personal_data": "true",
    }
    result = parse_progress_submission(data, today=TODAY)
    assert isinstance(result, ProgressSubmission)
    assert result.confirmed_no_personal_data is True


def test_confirmation_survives_another_error() -> None:
    data = {
        **GOOD,
        "narrative": f"Case {NHS}.",
        "confirm_no_personal_data": "true",
        "evidence": "nope",
    }
    result = parse_progress_submission(data, today=TODAY)
    assert isinstance(result, ProgressFormErrors) and set(result.errors) == {"evidence"}
    card = build_progress_card(VIEW, values=result.values, errors=result.errors, personal_data=result.personal_data)
    assert element(card, "confirm_no_personal_data")["value"] == "true"


def test_unconfirmed_toggle_off_is_not_a_confirmation() -> None:
    data = {**GOOD, "narrative": f"Case {NHS}.", "confirm_no_personal_data": "false"}
    assert isinstance(parse_progress_submission(data, today=TODAY), ProgressFormErrors)
