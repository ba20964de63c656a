"""Routing messages and card buttons: pure, so no bot, database or Bot Connector is needed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.teams.routes import (
    CARD_VERBS,
    CHAT_COMMANDS,
    CardHandler,
    CardRoute,
    CommandHandler,
    CommandRoute,
    match_card,
    match_command,
    match_invoke,
    match_message,
)
from dialogs import digest, digest_post, evidence, figures, progress, readiness, signoff
from dialogs.commands import CommandName
from tests import activities

PERSONAL_ONLY = {
    "my actions": CommandHandler.MY_ACTIONS,
    "actions": CommandHandler.MY_ACTIONS,
    "away until 2026-12-31": CommandHandler.AWAY,
    "away": CommandHandler.AWAY,  # recognised without its date: the handler explains
    "back": CommandHandler.BACK,
    "figures": CommandHandler.FIGURES,
    "digest": CommandHandler.DIGEST_PREVIEW,
    "post digest": CommandHandler.DIGEST_POST_CONFIRMATION,
    "delegate WWP-01 to a.b@council.gov.uk": CommandHandler.DELEGATE,
    "delegate WWP-01": CommandHandler.DELEGATE,
    "assess": CommandHandler.ASSESS,
    "assess Safe pathways": CommandHandler.ASSESS,
    "sign off plan": CommandHandler.SIGN_OFF,
    "evidence add": CommandHandler.EVIDENCE_ADD,
}
VERBS = {
    "progress.edit": CardHandler.PROGRESS_EDIT,
    "progress.submit": CardHandler.PROGRESS_SUBMIT,
    "figures.edit": CardHandler.FIGURES_EDIT,
    "figures.submit": CardHandler.FIGURES_SUBMIT,
    "digest.more": CardHandler.DIGEST_MORE,
    "digest.post": CardHandler.DIGEST_POST,
    "assess.submit": CardHandler.ASSESS_SUBMIT,
    "signoff.confirm": CardHandler.SIGN_OFF_CONFIRM,
    "evidence.submit": CardHandler.EVIDENCE_SUBMIT,
}


def test_every_command_has_one_row_and_every_handler_a_route() -> None:
    names = [row.name for row in CHAT_COMMANDS]
    assert sorted(names) == sorted(set(CommandName) - {CommandName.UNKNOWN})
    reachable = {h for row in CHAT_COMMANDS for h in (row.personal, row.elsewhere) if h}
    assert reachable | {CommandHandler.NOT_UNDERSTOOD} == set(CommandHandler)


def test_every_verb_has_one_row_and_every_handler_a_verb() -> None:
    assert {row.verb: row.handler for row in CARD_VERBS} == VERBS
    assert len(CARD_VERBS) == len(VERBS)
    assert {row.handler for row in CARD_VERBS} | {CardHandler.UNKNOWN} == set(CardHandler)


@pytest.mark.parametrize(("text", "handler"), PERSONAL_ONLY.items())
def test_personal_commands_in_a_personal_chat(text: str, handler: CommandHandler) -> None:
    route = match_command(text, personal=True)
    assert (route.handler, route.personal) == (handler, True)


@pytest.mark.parametrize("text", PERSONAL_ONLY)
def test_personal_commands_elsewhere_are_answered_with_help(text: str) -> None:
    route = match_command(f"<at>CQC Improvement</at> {text}", personal=False)
    assert (route.handler, route.personal, route.command.text) == (CommandHandler.NOT_UNDERSTOOD, False, text)


@pytest.mark.parametrize("personal", [True, False])
@pytest.mark.parametrize("text", ["help", " Help. ", "?", "hi", "hello"])
def test_help_everywhere(text: str, personal: bool) -> None:
    assert match_command(text, personal=personal).handler is CommandHandler.HELP


def test_status_has_a_personal_and_a_channel_answer() -> None:
    assert match_command("status", personal=True).handler is CommandHandler.MY_STATUS
    assert match_command("<at>CQC Improvement</at> status", personal=False).handler is CommandHandler.CHANNEL_STATUS


@pytest.mark.parametrize("personal", [True, False])
@pytest.mark.parametrize("text", ["blah", "", None, "status please"])
def test_anything_else_is_not_understood(text: str | None, personal: bool) -> None:
    route = match_command(text, personal=personal)
    assert route.handler is CommandHandler.NOT_UNDERSTOOD
    assert route.command.name is CommandName.UNKNOWN and route.command.text == (text or "")


def test_the_route_carries_the_parsed_command() -> None:
    away = match_command("away until 31/12/2026", personal=True).command
    assert (away.name, away.away_until, away.problem) == (CommandName.AWAY, date(2026, 12, 31), None)
    delegate = match_command("delegate wwp-01 to A.B@Council.gov.uk", personal=True).command
    assert (delegate.action_ref, delegate.email) == ("WWP-01", "a.b@council.gov.uk")
    assert match_command("delegate WWP-01", personal=True).command.problem


@pytest.mark.parametrize(("verb", "handler"), VERBS.items())
def test_every_verb(verb: str, handler: CardHandler) -> None:
    data = {"month": "2026-11"}
    assert match_card(verb, data) == CardRoute(handler, verb, data)


@pytest.mark.parametrize("verb", ["figures.nope", "progress", "PROGRESS.SUBMIT", "", 5, None, ["progress.edit"]])
def test_unknown_verbs(verb: object) -> None:
    route = match_card(verb, {})
    assert (route.handler, route.verb) == (CardHandler.UNKNOWN, str(verb))


def test_the_verbs_are_the_ones_the_card_builders_write() -> None:
    # The literals in VERBS are the ones the card tests (tests/dialogs, tests/figures, tests/digest) find in the cards.
    assert {row.verb for row in CARD_VERBS} == {
        progress.EDIT_VERB,
        progress.SUBMIT_VERB,
        figures.EDIT_VERB,
        figures.SUBMIT_VERB,
        digest.MORE_VERB,
        digest_post.POST_VERB,
        readiness.SUBMIT_VERB,
        signoff.CONFIRM_VERB,
        evidence.SUBMIT_VERB,
    }


@pytest.mark.parametrize("personal", [True, False])
def test_an_action_submit_is_routed_by_the_verb_in_its_value(personal: bool) -> None:
    value = {"verb": "progress.submit", "action_ref": "WWP-01", "rag": "green"}
    route = match_message(None, personal=personal, value=value)
    assert route == CardRoute(CardHandler.PROGRESS_SUBMIT, "progress.submit", value)  # the whole value is the data


def test_an_action_submit_with_an_unknown_verb_is_refused_not_answered_with_help() -> None:
    route = match_message("", personal=True, value={"verb": "nope"})
    assert isinstance(route, CardRoute) and route.handler is CardHandler.UNKNOWN


@pytest.mark.parametrize("value", [None, {}, {"verb": ""}, {"verb": None}, {"rag": "green"}, "progress.submit", []])
def test_a_message_without_a_verb_is_a_command(value: object) -> None:
    route = match_message("status", personal=True, value=value)
    assert isinstance(route, CommandRoute) and route.handler is CommandHandler.MY_STATUS


def test_an_invoke_is_routed_by_its_action_execute_verb() -> None:
    invoke = activities.card_invoke("https://smba.example/uk/", activities.user(), "figures.submit", {"period": "x"})
    route = match_invoke(invoke["value"])
    assert route is not None
    assert (route.handler, route.verb) == (CardHandler.FIGURES_SUBMIT, "figures.submit")
    assert route.data == invoke["value"]["action"]["data"]


@pytest.mark.parametrize(
    "value",
    [
        None,
        "x",
        {},
        {"action": "progress.submit"},
        {"action": {"type": "Action.Submit", "verb": "progress.submit"}},
        {"action": {"type": "Action.Execute"}},
        {"action": {"type": "Action.Execute", "verb": 5}},
    ],
)
def test_an_invoke_that_is_not_an_action_execute_with_a_verb_has_no_route(value: object) -> None:
    assert match_invoke(value) is None


@pytest.mark.parametrize("data", [None, "x", [1]])
def test_an_invoke_without_data_routes_with_empty_data(data: object) -> None:
    route = match_invoke({"action": {"type": "Action.Execute", "verb": "progress.edit", "data": data}})
    assert route == CardRoute(CardHandler.PROGRESS_EDIT, "progress.edit", {})


def test_assess_takes_the_rest_of_the_line_as_the_statement() -> None:
    assert match_command("assess  Safe pathways ", personal=True).command.argument == "Safe pathways"
    assert match_command("assess", personal=True).command.argument is None
