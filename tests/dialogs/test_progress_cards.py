"""Progress cards: every template builds into a card Microsoft's parser accepts, and the form rules.

Cards are validated with the adaptivecards 3.0.6 parser (tests/node/validate-card.js) as a 1.5 host
reads them, and again as an older client that falls back from Action.Execute to Action.Submit.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from dialogs import cards
from dialogs.progress import (
    MAX_CARD_BYTES,
    ProgressSubmission,
    build_progress_card,
    build_receipt_card,
    build_refusal_card,
    card_size_bytes,
    parse_progress_submission,
)
from domain.model import Rag
from domain.personal_data import find_personal_data
from tests.cards import element, ids, texts, validate_cards, walk
from tests.dialogs.progress_data import GOOD, LAST, NHS, TODAY, VIEW


def teams_problems(card: dict[str, Any]) -> list[str]:
    """What the JS parser does not know about Teams: version, size, Markdown outside TextBlock."""
    problems = []
    if card.get("version") != "1.5":
        problems.append(f"version {card.get('version')}")
    if card_size_bytes(card) > MAX_CARD_BYTES:
        problems.append(f"{card_size_bytes(card)} bytes")
    for node in walk(card):
        if node.get("type") in {"Media", "Image", "ImageSet"}:
            problems.append(f"{node['type']} element")
        for key in ("label", "placeholder", "title"):
            is_fact = "value" in node and "type" not in node
            if "**" in str(node.get(key, "")) and not is_fact:
                problems.append(f"Markdown in {key}")
    leftover = json.dumps(card).count("{{")
    if leftover:
        problems.append(f"{leftover} unfilled placeholder(s)")
    return problems


# --- every template, built with realistic data --------------------------------------------------

BUILDERS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "progress_prompt": lambda: [
        build_progress_card(VIEW),
        build_progress_card(replace(VIEW, last=None, quality_statement_name=None, action_due=None)),
        build_progress_card(
            VIEW,
            values={"rag": "red", "narrative": f"Reviewed NHS {NHS}", "revised_due": "2026-01-01"},
            errors={
                key: "Please fix this."
                for key in (
                    "rag",
                    "narrative",
                    "evidence",
                    "blockers",
                    "revised_due",
                    "confirm_no_personal_data",
                )
            },
            notice="This card is out of date — a newer one was sent on 5 February.",
            personal_data=find_personal_data(f"Reviewed NHS {NHS}", today=TODAY),
        ),
    ],
    "progress_receipt": lambda: [
        build_receipt_card(
            VIEW,
            LAST,
            author_name="Priya Shah",
            submitted_at_text="4 February 2026, 09:12",
            editable=True,
        ),
        build_receipt_card(
            VIEW,
            replace(LAST, rag=None, evidence_links=(), revised_due=None),
            author_name="Priya Shah",
            submitted_at_text="x",
            editable=False,
        ),
    ],
    "refusal": lambda: [
        build_refusal_card(
            "You can't update WWP-01",
            "Only the action owner, a named delegate or an admin can update WWP-01.",
            details=[("Action owner", "Priya Shah")],
        ),
        build_refusal_card("This update is closed", "The deadline for January has passed."),
    ],
}


def test_every_template_has_a_builder_under_test() -> None:
    """Each feature validates its own templates; together they cover every card the bot has."""
    from tests.dialogs.test_readiness_cards import BUILDERS as READINESS
    from tests.figures.test_figures_cards import BUILDERS as FIGURES

    digest = {"digest", "digest_more"}  # built and validated in tests/digest/test_digest_card.py
    digest |= {"digest_post"}  # and in tests/dialogs/test_digest_post.py
    assert set(cards.template_names()) == set(BUILDERS) | set(FIGURES) | set(READINESS) | digest


@pytest.mark.parametrize("name", sorted(BUILDERS))
def test_template_builds_into_a_valid_teams_card(name: str) -> None:
    built = BUILDERS[name]()
    assert validate_cards(built) == [[] for _ in built]
    assert [teams_problems(card) for card in built] == [[] for _ in built]


def test_validator_rejects_broken_cards() -> None:
    good = build_refusal_card("Title", "Message")
    misspelt = json.loads(json.dumps(good))
    misspelt["body"][1]["isMultiLine"] = True
    unknown = {**good, "body": [*good["body"], {"type": "Carousel", "pages": []}]}
    bad_value = json.loads(json.dumps(good))
    bad_value["body"][0]["color"] = "red"
    no_fallback = build_receipt_card(VIEW, LAST, author_name="A", submitted_at_text="B", editable=True)
    del element(no_fallback, "edit")["fallback"]
    bad_fallback = build_progress_card(VIEW)
    element(bad_fallback, "submit")["fallback"]["dta"] = {}
    duplicate = build_progress_card(VIEW)
    element(duplicate, "blockers")["id"] = "narrative"
    required_unlabelled = build_progress_card(VIEW)
    del element(required_unlabelled, "narrative")["label"]
    too_new = {**good, "version": "1.6"}

    results = validate_cards(
        [
            good,
            misspelt,
            unknown,
            bad_value,
            no_fallback,
            bad_fallback,
            duplicate,
            required_unlabelled,
            too_new,
        ]
    )
    assert results[0] == []
    assert all(results[1:]), results
    assert "isMultiLine" in results[1][0]
    assert any("Action.Execute" in e for e in results[4])
    assert any("dta" in e for e in results[5])
    assert any("Duplicate Id" in e for e in results[6])


def test_largest_possible_cards_stay_within_budget_and_valid() -> None:
    narrative = ("Supervision compliance improved across all teams. " * 50)[:2000]
    blockers = ("Recruitment to the senior practitioner posts is delayed. " * 20)[:1000]
    links = [
        f"https://halton.sharepoint.com/sites/AdultSocialCare/Shared%20Documents/{i}/{'evidence-folder-' * 30}"[:400]
        for i in range(10)
    ]
    last = replace(LAST, narrative=narrative, blockers=blockers, evidence_links=tuple(links))
    view = replace(VIEW, requirement="R" * 3000, last=last)  # plan text is capped
    errors = {
        key: "A long explanation of what to fix. " * 4
        for key in ("rag", "narrative", "evidence", "blockers", "revised_due", "card")
    }
    findings = find_personal_data(f"NHS {NHS} and born 01/01/1950 " * 8, today=TODAY)
    prompt = build_progress_card(
        view,
        values={"narrative": narrative, "blockers": blockers, "evidence": "\n".join(links)},
        errors=errors,
        notice="This card is out of date.",
        personal_data=findings,
    )
    receipt = build_receipt_card(view, last, author_name="A" * 100, submitted_at_text="x", editable=True)
    for card in (prompt, receipt):
        assert card_size_bytes(card) < MAX_CARD_BYTES, card_size_bytes(card)
    assert validate_cards([prompt, receipt]) == [[], []]
    assert len(element(prompt, "personal_data_findings")["facts"]) == 6  # five, then "N more"


def test_card_size_counts_utf16_bytes() -> None:
    assert card_size_bytes({"a": "é😀"}) == len('{"a": "é😀"}') * 2 + 2  # the emoji is two units


# --- the prompt card ---------------------------------------------------------------------------


def test_prompt_shows_the_action_and_last_month() -> None:
    shown = texts(build_progress_card(VIEW))
    for expected in [
        "CQC improvement — progress for February 2026",
        "**WWP-01** — Every social worker receives monthly recorded supervision",
        "Workforce and wellbeing",
        "Safe systems, pathways and transitions (CQC score 2 of 4)",
        "Tuesday 31 March 2026",  # action due
        "**Friday 13 February 2026**",  # reply deadline
        "Last update — 6 January 2026, 14:05 by Priya Shah",
        "Amber — at risk",
        "Supervision audit completed for 40 cases",
    ]:
        assert expected in shown


def test_prompt_without_history_says_no_update_yet() -> None:
    card = build_progress_card(replace(VIEW, last=None, quality_statement_name=None))
    assert "No update yet." in texts(card)
    assert "Quality statement" not in texts(card)
    assert "last_update" not in ids(card)
    assert all("value" not in element(card, key) for key in ("rag", "narrative", "evidence"))


def test_a_new_prompt_shows_last_months_text_and_starts_empty() -> None:
    card = build_progress_card(VIEW)
    assert element(card, "rag")["value"] == "amber"
    assert "value" not in element(card, "narrative") and "value" not in element(card, "blockers")
    assert LAST.narrative in texts(card) and LAST.blockers in texts(card)
    assert element(card, "evidence")["value"] == LAST.evidence_links[0]
    assert element(card, "revised_due")["value"] == "2026-04-30"
    no_change = element(card, "no_change")
    assert no_change["title"] == "No change since last month" and no_change["associatedInputs"] == "none"
    assert no_change["data"]["no_change"] is True and no_change["fallback"]["data"]["verb"] == "progress.submit"


def test_editing_prefills_the_update_being_corrected() -> None:
    card = build_progress_card(VIEW, editing=True)
    assert element(card, "narrative")["value"] == LAST.narrative
    assert element(card, "blockers")["value"] == LAST.blockers
    assert not {"notice", "personal_data"} & ids(card)
    assert not any(i.endswith("_error") for i in ids(card))


def test_inputs_carry_the_client_side_rules() -> None:
    card = build_progress_card(VIEW)
    rag, narrative = element(card, "rag"), element(card, "narrative")
    assert rag["style"] == "compact" and rag["isRequired"]
    assert [(c["value"], c["title"]) for c in rag["choices"]] == [(r.value, r.label) for r in Rag]
    assert narrative["isMultiline"] and narrative["isRequired"] and narrative["maxLength"] == 2000
    assert narrative["errorMessage"]
    assert element(card, "blockers")["maxLength"] == 1000
    assert element(card, "revised_due")["type"] == "Input.Date"


def test_values_win_over_prefill_and_errors_sit_under_their_field() -> None:
    typed = {
        "rag": "red",
        "narrative": "My words, {{notice}} and all",
        "evidence": "",
        "blockers": "None",
        "revised_due": "2026-06-01",
    }
    card = build_progress_card(VIEW, values=typed, errors={"evidence": "Bad link.", "revised_due": "Bad date."})
    assert {key: element(card, key).get("value", "") for key in typed} == typed
    body = card["body"]
    for field, message in (("evidence", "Bad link."), ("revised_due", "Bad date.")):
        position = next(i for i, e in enumerate(body) if e.get("id") == field)
        error = body[position + 1]
        # Marked by a sign and weight, not colour (red text fails 4.5:1 in Teams' dark theme).
        assert (error["id"], error["text"], error["weight"], "color" in error) == (
            f"{field}_error",
            f"⚠ {message}",
            "bolder",
            False,
        )
    assert {"rag_error", "narrative_error", "blockers_error"}.isdisjoint(ids(card))


def test_notice_appears_at_the_top_only_when_given() -> None:
    card = build_progress_card(VIEW, notice="This card is out of date.")
    assert card["body"][0]["id"] == "notice"
    assert "This card is out of date." in texts(card["body"][0])
    forged = build_progress_card(VIEW, errors={"card": "Use the latest card."})
    assert "Use the latest card." in texts(forged["body"][0])
    assert "notice" not in ids(build_progress_card(VIEW))


def test_submit_is_execute_with_a_submit_fallback_both_carrying_verb_and_ids() -> None:
    card = build_progress_card(VIEW, card_version="v7")
    action_set = next(e for e in card["body"] if e["type"] == "ActionSet")
    (execute,) = action_set["actions"]
    assert execute["type"] == "Action.Execute" and execute["verb"] == "progress.submit"
    assert execute["data"] == {"cycle_id": 12, "action_ref": "WWP-01", "card_version": "v7"}
    fallback = execute["fallback"]
    assert fallback["type"] == "Action.Submit" and fallback["title"] == execute["title"]
    assert fallback["data"] == {**execute["data"], "verb": "progress.submit"}


# --- receipt and refusal -----------------------------------------------------------------------


def receipt(editable: bool) -> dict[str, Any]:
    submission = parse_progress_submission({**GOOD, "blockers": "Need HR support"}, today=TODAY)
    assert isinstance(submission, ProgressSubmission)
    return build_receipt_card(
        VIEW,
        submission,
        author_name="Priya Shah",
        submitted_at_text="4 February 2026, 09:12",
        editable=editable,
    )


def test_receipt_records_who_when_and_what() -> None:
    shown = texts(receipt(editable=True))
    for expected in [
        "Progress recorded — WWP-01, February 2026",
        "Priya Shah",
        "4 February 2026, 09:12",
        "**Green — on track**",
        "Compliance at 84% this month",
        "- [halton.sharepoint.com/a.pdf](https://halton.sharepoint.com/a.pdf)",
        "- [intranet.halton.gov.uk/b](http://intranet.halton.gov.uk/b)",
        "Need HR support",
        "Friday 29 May 2026",
    ]:
        assert expected in shown
    assert not any(node.get("type", "").startswith("Input.") for node in walk(receipt(True)))


def test_receipt_links_cannot_break_markdown() -> None:
    card = build_receipt_card(VIEW, LAST, author_name="A", submitted_at_text="B", editable=False)
    evidence = element(card, "evidence_links")["text"]
    assert evidence == (
        "- [halton.sharepoint.com/…/audit q3 final .pdf]"
        "(https://halton.sharepoint.com/sites/ASC/Shared%20Documents/audit_q3%28final%29.pdf)"
    )


def test_receipt_offers_edit_only_while_editable() -> None:
    editable = receipt(editable=True)
    edit = element(editable, "edit")
    assert (edit["type"], edit["verb"], edit["data"]) == (
        "Action.Execute",
        "progress.edit",
        {"cycle_id": 12, "action_ref": "WWP-01"},
    )
    assert edit["fallback"]["type"] == "Action.Submit"
    assert edit["fallback"]["data"] == {
        "cycle_id": 12,
        "action_ref": "WWP-01",
        "verb": "progress.edit",
    }
    assert "You can change this until Friday 13 February 2026." in texts(editable)

    closed = receipt(editable=False)
    assert not any(node.get("type") == "ActionSet" for node in walk(closed))
    assert "You can change this" not in texts(closed)


def test_refusal_says_why_and_who() -> None:
    card = build_refusal_card(
        "You can't update WWP-01",
        "Only the action owner, a named delegate or an admin can update WWP-01.",
        details=[("Action owner", "Priya Shah")],
    )
    assert texts(card).split("\n")[:2] == [
        "You can't update WWP-01",
        "Only the action owner, a named delegate or an admin can update WWP-01.",
    ]
    assert card["body"][2]["facts"] == [{"title": "Action owner", "value": "Priya Shah"}]
    assert not any(n.get("type") == "FactSet" for n in walk(build_refusal_card("T", "M")))
