"""The real bot in Microsoft's Teams emulator, through the Playground's HTTP + WebSocket API.

Install → welcome; `help`; the monthly prompt delivered to the personal chat; Action.Execute → the
receipt in the invoke response (nothing posted); Edit → the form again, filled in; the Action.Submit
fallback of an older client → the card updated in place. Every assertion is on what the Playground
receives and would show, never on the bot's database.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.playground.client import CARD, Message, Playground, card_text, find_element
from tests.playground.conftest import STEP_TIMEOUT, BotServer
from tests.playground.flow import (
    ACTION_REF,
    EDIT_VERB,
    HELP_MARKER,
    OWNER_NAME,
    PLAN_NARRATIVE_START,
    QUALITY_STATEMENT,
    REQUIREMENT,
    SUBMIT_VERB,
    THEME,
    month_label,
    round_month,
    send_monthly_prompts,
)

pytestmark = pytest.mark.slow

INPUT_IDS = ("rag", "narrative", "evidence", "blockers", "revised_due")


def is_help(message: Message) -> bool:
    return not message.cards and HELP_MARKER in message.text and "**my actions**" in message.text


def prompt_for(ref: str) -> Any:
    def match(message: Message) -> bool:
        return any(ref in card_text(card) and submit_action(card) for card in message.cards)

    return match


def submit_action(card: dict[str, Any], kind: str = "Action.Execute") -> dict[str, Any] | None:
    def is_submit(e: dict[str, Any]) -> bool:
        # The card's other Execute with this verb is "No change since last month" (data no_change).
        data = e.get("data") if isinstance(e.get("data"), dict) else {}
        return e.get("type") == "Action.Execute" and e.get("verb") == SUBMIT_VERB and not data.get("no_change")

    execute = find_element(card, is_submit)
    if kind == "Action.Execute" or execute is None:
        return execute
    return execute.get("fallback") if isinstance(execute.get("fallback"), dict) else None


def inputs_of(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input.") and node.get("id"):
                found[node["id"]] = node
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


def receipt_of(response: Any) -> dict[str, Any]:
    assert isinstance(response, dict), f"the invoke response is not a JSON object: {response!r}"
    assert response.get("type") == CARD, (
        f"the invoke response is not a card (type {response.get('type')!r}): {str(response)[:1500]}"
    )
    assert response.get("statusCode", 200) == 200, f"the invoke response says {response.get('statusCode')}"
    card = response.get("value")
    assert isinstance(card, dict) and card.get("type") == "AdaptiveCard", f"no Adaptive Card in {str(response)[:1500]}"
    return card


async def test_owner_is_prompted_answers_and_sees_the_receipt(playground: Playground, bot_server: BotServer) -> None:
    chat = playground.personal_chat
    stream = playground.stream
    assert playground.user["email"] == "joanne.kelly@halton.example", "the Playground's user must be in the plan"

    # 1. The owner adds the app: the bot says hello with its help.
    await playground.install(chat)
    welcome = await stream.expect(is_help, "the welcome (help) message after installing the app", STEP_TIMEOUT)
    assert welcome.conversation_id == chat

    # 2. `help`
    await playground.say(chat, "help")
    await stream.expect(is_help, "the help text in reply to `help`", STEP_TIMEOUT)

    # 3. The monthly round opens and the outbox delivers her prompt to the personal chat.
    month = round_month()
    cli_output = send_monthly_prompts(bot_server, month)
    prompt = await stream.expect(
        prompt_for(ACTION_REF),
        f"the {ACTION_REF} prompt card after `cqcbot deliver` (CLI said:\n{cli_output})",
        STEP_TIMEOUT,
    )
    assert prompt.action == "createMessage" and prompt.conversation_id == chat
    [card] = prompt.cards
    shown = card_text(card)
    assert card.get("version") == "1.5"
    for expected in (
        ACTION_REF,
        REQUIREMENT,
        THEME,
        QUALITY_STATEMENT,
        month_label(month),
        "Action due",
        "Please reply by",
        PLAN_NARRATIVE_START,
    ):
        assert expected in shown, f"the prompt card does not show {expected!r}:\n{shown}"
    inputs = inputs_of(card)
    assert set(INPUT_IDS) <= set(inputs), f"the prompt card's inputs are {sorted(inputs)}"
    # Last month's text is shown (above), the input starts empty: no stale resubmission.
    assert not inputs["narrative"].get("value"), "the narrative must start empty"
    execute = submit_action(card)
    assert execute is not None and submit_action(card, "Action.Submit") is not None

    # 4. She fills the card in and presses Submit (Action.Execute): the receipt comes back in the
    #    invoke response, and Teams shows it in place of the prompt.
    revised = date(date.today().year + 1, 3, 31)
    answer = {
        "rag": "red",
        "narrative": "Backlog triage clinic started; 40 applications screened this month.",
        "evidence": "https://halton.example/sites/asc/dols-triage.docx",
        "blockers": "Two more BIAs needed.",
        "revised_due": revised.isoformat(),
    }
    before = stream.mark()
    receipt = receipt_of(await playground.execute(chat, prompt.message_id, execute, answer))
    shown = card_text(receipt)
    for expected in (
        "Progress recorded",
        ACTION_REF,
        month_label(month),
        OWNER_NAME,
        "Red — off track",
        answer["narrative"],
        "halton.example/sites/asc/dols-triage.docx",
        answer["blockers"],
        f"{revised.day} {revised:%B %Y}",
    ):
        assert expected in shown, f"the receipt does not show {expected!r}:\n{shown}"
    edit = find_element(receipt, lambda e: e.get("type") == "Action.Execute" and e.get("verb") == EDIT_VERB)
    assert edit is not None and edit.get("title") == "Edit", "the receipt offers no Edit before the deadline"
    assert inputs_of(receipt) == {}, "the receipt must be read-only"

    # What she now sees in her chat: `status` lists SAF-03 as red, and the receipt was not posted
    # as a new message (it replaced the card); the status reply is the barrier that makes that
    # checkable.
    await playground.say(chat, "status")
    status = await stream.expect(
        lambda m: not m.cards and "Your actions" in m.text, "the reply to `status`", STEP_TIMEOUT
    )
    assert f"**{ACTION_REF}** — Red — off track" in status.text, status.text
    posted = [m.summary() for m in stream.since(before) if "Progress recorded" in "".join(map(card_text, m.cards))]
    assert posted == [], f"the Action.Execute receipt was also posted as a message: {posted}"

    # 5. Edit: the form comes back, filled in with what she submitted.
    form = receipt_of(await playground.execute(chat, prompt.message_id, edit, {}))
    form_inputs = inputs_of(form)
    assert form_inputs["narrative"].get("value") == answer["narrative"]
    assert form_inputs["rag"].get("value") == "red"
    assert submit_action(form) is not None

    # 6. An older client without Action.Execute: `my actions` sends a fresh card; its Action.Submit
    #    fallback posts a message, and the bot updates that same card in place with the receipt.
    await playground.say(chat, "my actions")
    fresh = await stream.expect(prompt_for(ACTION_REF), "a prompt card in reply to `my actions`", STEP_TIMEOUT)
    [fresh_card] = fresh.cards
    assert answer["narrative"] in card_text(fresh_card), "the new card does not show the latest update"
    fallback = submit_action(fresh_card, "Action.Submit")
    assert fallback is not None, "the prompt card has no Action.Submit fallback for older clients"
    older = {
        **answer,
        "rag": "amber",
        "narrative": "Submitted from an older Teams client: triage continues.",
    }
    await playground.submit(chat, fresh.message_id, fallback, older)
    updated = await stream.expect(
        lambda m: m.action == "updateMessage",
        "the card updated in place after Action.Submit",
        STEP_TIMEOUT,
    )
    assert updated.message_id == fresh.message_id, (
        f"the bot updated message {updated.message_id}, not the card {fresh.message_id} that was submitted"
    )
    [updated_card] = updated.cards
    shown = card_text(updated_card)
    for expected in ("Progress recorded", ACTION_REF, "Amber — at risk", older["narrative"]):
        assert expected in shown, f"the updated card does not show {expected!r}:\n{shown}"
    new_messages = [
        m.summary()
        for m in stream.since(before)
        if m.action == "createMessage" and "Progress recorded" in "".join(map(card_text, m.cards))
    ]
    assert new_messages == [], f"the receipt was posted as a new message instead of updating the card: {new_messages}"
