"""The `post digest` confirmation and result cards: what the chair sees before and after posting."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from dialogs.digest_post import PostPlan, build_post_confirmation, build_post_result, parse_post_month
from domain.digest_model import ResponseRate
from tests.cards import texts, validate_cards
from tests.dialogs.test_progress_cards import teams_problems

EARLY = PostPlan(
    month="2026-11",
    today=date(2026, 11, 10),
    deadline=date(2026, 11, 13),
    response=ResponseRate(actions_answered=12, actions_asked=17, people_answered=6, people_asked=9),
    to_channel=True,
    already_sent=False,
)


def test_before_the_deadline_it_says_how_many_are_still_due_and_offers_the_button() -> None:
    card = build_post_confirmation(EARLY)
    text = texts(card)
    assert "Post the November 2026 digest now?" in text
    assert "12 of 17" in text and "6 of 9" in text and "Friday 13 November 2026" in text
    assert "5 actions are still waiting for an update" in text
    (button,) = card["actions"]
    assert button["type"] == "Action.Execute" and button["verb"] == "digest.post"
    assert button["data"] == {"month": "2026-11"}
    assert button["fallback"]["data"] == {"month": "2026-11", "verb": "digest.post"}  # older clients


def test_after_the_deadline_it_names_the_overdue_and_with_all_answers_it_warns_of_nothing() -> None:
    late = build_post_confirmation(replace(EARLY, today=date(2026, 11, 16)))
    assert "5 actions had no update by the deadline" in texts(late)
    complete = replace(EARLY, response=ResponseRate(17, 17, 9, 9))
    card = build_post_confirmation(complete)
    assert "waiting" not in texts(card) and "overdue" not in texts(card)
    assert all(element.get("id") != "warning" for element in card["body"])


def test_a_month_without_a_round_says_there_are_no_answers() -> None:
    card = build_post_confirmation(replace(EARLY, response=None, deadline=None))
    assert "No progress round was opened" in texts(card)


def test_already_posted_offers_no_button() -> None:
    card = build_post_confirmation(replace(EARLY, already_sent=True))
    assert "already posted" in texts(card) and "actions" not in card


def test_results_say_what_happened() -> None:
    posted = build_post_result("2026-11", to_channel=True, chairs=1, queued=2)
    assert "on its way to the group's channel" in texts(posted)
    again = build_post_result("2026-11", to_channel=False, chairs=1, queued=0)
    assert "already sent to the chair (I'm not in the group's channel yet)" in texts(again)
    nobody = build_post_result("2026-11", to_channel=False, chairs=0, queued=0)
    assert "Nobody to send the digest to" in texts(nobody)


def test_every_card_is_a_valid_teams_card() -> None:
    built = [
        build_post_confirmation(EARLY),
        build_post_confirmation(replace(EARLY, response=ResponseRate(17, 17, 9, 9))),
        build_post_confirmation(replace(EARLY, already_sent=True)),
        build_post_result("2026-11", to_channel=True, chairs=1, queued=2),
    ]
    assert validate_cards(built) == [[] for _ in built]
    assert [teams_problems(card) for card in built] == [[] for _ in built]


def test_the_button_data_is_checked() -> None:
    assert parse_post_month({"month": "2026-11"}) == "2026-11"
    for forged in ({"month": "2026-13"}, {"month": 202611}, {}, {"month": "2026-11; drop"}):
        assert parse_post_month(forged) is None
