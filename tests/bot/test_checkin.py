"""The check-in over HTTP: cards out, Action.Execute and Action.Submit in, updates stored once."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from storage.models import ActionDelegate, AuditEntry, ImprovementAction, Person, ProgressUpdate
from tests import activities
from tests.cards import input_value, texts, walk
from tests.conftest import BotServer

AAD = {
    "rachel.ahmed@halton.example": "00000000-0000-4000-8000-000000000001",  # owns WWP-01
    "gareth.hughes@halton.example": "00000000-0000-4000-8000-000000000002",  # delegate on WWP-01
    "priya.shah@halton.example": "00000000-0000-4000-8000-000000000003",  # admin
    "tom.fielding@halton.example": "00000000-0000-4000-8000-000000000004",  # neither
}


def sender(email: str) -> dict[str, Any]:
    return activities.user(f"29:{email.split('@')[0]}", email.split("@")[0].replace(".", " ").title(), aad=AAD[email])


OWNER = "rachel.ahmed@halton.example"


@pytest.fixture
async def plan_with_people(bot_server: BotServer, example_plan: None) -> None:
    async with bot_server.runtime.sessions.begin() as session:
        for email, aad in AAD.items():
            person = await session.scalar(select(Person).where(Person.email == email))
            assert person is not None
            person.aad_object_id = aad


def answer(**overrides: Any) -> dict[str, Any]:
    data = {
        "cycle_id": 0,
        "action_ref": "WWP-01",
        "card_version": "progress-1",
        "card_id": "card-abc",
        "rag": "amber",
        "narrative": "Named social worker rolled out to two more teams.",
        "evidence": "https://halton.example/sites/asc/named-worker.docx",
        "blockers": "Need HR sign-off.",
        "revised_due": "",
    }
    data.update(overrides)
    return data


async def updates(bot_server: BotServer, source: str = "teams") -> list[ProgressUpdate]:
    async with bot_server.runtime.sessions() as session:
        return list((await session.scalars(select(ProgressUpdate).where(ProgressUpdate.source == source))).all())


async def invoke(bot_server: BotServer, who: str, verb: str, data: dict[str, Any]) -> tuple[dict, dict]:
    activity = activities.card_invoke(bot_server.service_url, sender(who), verb, data)
    response = await bot_server.post(activity)
    assert response.status == 200, await response.text()
    body = await response.json()
    return body, activity


async def test_my_actions_sends_one_prompt_card_per_open_action(bot_server: BotServer, plan_with_people: None) -> None:
    message = activities.personal_message(bot_server.service_url, "my actions", sender(OWNER))
    await bot_server.post(message)
    sent = bot_server.connector.sent(message["conversation"]["id"])
    cards = [a["attachments"][0]["content"] for a in sent if a.get("attachments")]
    async with bot_server.runtime.sessions() as session:
        rachel = await session.scalar(select(Person).where(Person.email == OWNER))
        assert rachel is not None
        delegated = select(ActionDelegate.action_id).where(ActionDelegate.person_id == rachel.id)
        open_refs = (
            await session.scalars(
                select(ImprovementAction.ref)
                .where(
                    (ImprovementAction.owner_id == rachel.id) | ImprovementAction.id.in_(delegated),
                    ImprovementAction.status != "complete",
                )
                .order_by(ImprovementAction.position)
            )
        ).all()
    assert len(cards) == len(open_refs) > 1  # owned and delegated, open ones only
    assert [ref for ref in open_refs if ref in texts(cards[0])] == [open_refs[0]]
    first = cards[0]
    assert first["version"] == "1.5"
    assert "WWP-01" in texts(first)
    assert not input_value(first, "narrative")  # empty: the board report's progress is shown above it
    assert "Last update" in texts(first)


async def test_action_execute_stores_an_update_and_returns_the_receipt(
    bot_server: BotServer, plan_with_people: None
) -> None:
    async with bot_server.runtime.sessions() as session:
        before = await session.scalar(select(ImprovementAction).where(ImprovementAction.ref == "WWP-01"))
        assert before is not None
    body, _ = await invoke(bot_server, OWNER, "progress.submit", answer())
    assert body["statusCode"] == 200
    assert body["type"] == "application/vnd.microsoft.card.adaptive"
    receipt = body["value"]
    assert "Progress recorded" in texts(receipt) and "Named social worker rolled out" in texts(receipt)
    [stored] = await updates(bot_server)
    assert stored.rag == "amber" and stored.blockers == "Need HR sign-off."
    assert stored.evidence_links == ["https://halton.example/sites/asc/named-worker.docx"]
    assert stored.teams_user_id == "29:rachel.ahmed"
    async with bot_server.runtime.sessions() as session:
        action = await session.scalar(select(ImprovementAction).where(ImprovementAction.ref == "WWP-01"))
        assert action is not None and action.rag == "amber"
        audit = (await session.scalars(select(AuditEntry).where(AuditEntry.change == "submit"))).all()
        assert len(audit) == 1 and audit[0].actor == OWNER
        assert audit[0].entity == "progress_update" and audit[0].entity_id == "WWP-01" and audit[0].before is None
        assert audit[0].after == {
            "rag": "amber",
            "narrative": "Named social worker rolled out to two more teams.",
            "evidence_links": ["https://halton.example/sites/asc/named-worker.docx"],
            "blockers": "Need HR sign-off.",
            "revised_due": None,
            "cycle_id": None,
        }
        [change] = (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.entity == "action", AuditEntry.change == "update")
            )
        ).all()
        changed = {k for k in ("rag", "status") if getattr(before, k) != getattr(action, k)}
        assert change.before == {k: getattr(before, k) for k in changed}
        assert change.after == {k: getattr(action, k) for k in changed} and change.actor == OWNER
        assert change.id > audit[0].id  # the update first, then what it did to the action


async def test_redelivery_and_double_click_store_exactly_one_update(
    bot_server: BotServer, plan_with_people: None
) -> None:
    activity = activities.card_invoke(bot_server.service_url, sender(OWNER), "progress.submit", answer())
    for _ in range(2):  # Teams redelivers the same activity
        response = await bot_server.post(activity)
        assert response.status == 200
    body, _ = await invoke(bot_server, OWNER, "progress.submit", answer())  # a second click, same card
    assert "Progress recorded" in texts(body["value"])
    assert len(await updates(bot_server)) == 1

    body, _ = await invoke(bot_server, OWNER, "progress.submit", answer(card_id="card-after-edit", rag="green"))
    assert len(await updates(bot_server)) == 2  # an edited card is a new update, kept as history


@pytest.mark.parametrize("who", ["gareth.hughes@halton.example", "priya.shah@halton.example"])
async def test_delegates_and_admins_may_update(bot_server: BotServer, plan_with_people: None, who: str) -> None:
    await invoke(bot_server, who, "progress.submit", answer())
    [stored] = await updates(bot_server)
    assert stored.author_name != "Rachel Ahmed"


async def test_anyone_else_is_refused_and_nothing_is_stored(bot_server: BotServer, plan_with_people: None) -> None:
    body, _ = await invoke(bot_server, "tom.fielding@halton.example", "progress.submit", answer())
    assert "can't update this action" in texts(body["value"])
    assert "Rachel Ahmed" in texts(body["value"])
    stranger = activities.user("29:stranger", "Stranger", aad="00000000-0000-4000-8000-00000000dead")
    response = await bot_server.post(
        activities.card_invoke(bot_server.service_url, stranger, "progress.submit", answer())
    )
    assert "can't update this action" in texts((await response.json())["value"])
    assert await updates(bot_server) == []


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"narrative": "  "}, "narrative", "required"),
        ({"rag": "purple"}, "rag", ""),
        ({"narrative": "x" * 2001}, "narrative", "2,000"),
        ({"revised_due": "31/03/2027"}, "revised_due", ""),
        ({"evidence": "not a link"}, "evidence", ""),
    ],
)
async def test_invalid_input_comes_back_with_errors_and_the_text_kept(
    bot_server: BotServer, plan_with_people: None, overrides: dict[str, str], field: str, message: str
) -> None:
    data = answer(**overrides)
    body, _ = await invoke(bot_server, OWNER, "progress.submit", data)
    card = body["value"]
    assert "Progress recorded" not in texts(card)
    assert message in texts(card)
    for key in ("narrative", "blockers", "evidence"):
        if data[key].strip() and key != field:
            assert input_value(card, key) == data[key], key
    assert await updates(bot_server) == []


async def test_closed_round_and_stale_card_keep_the_text(bot_server: BotServer, plan_with_people: None) -> None:
    body, _ = await invoke(bot_server, OWNER, "progress.submit", answer(card_version="progress-0"))
    assert "out of date" in texts(body["value"])
    assert input_value(body["value"], "narrative") == answer()["narrative"]
    body, _ = await invoke(bot_server, OWNER, "progress.submit", answer(cycle_id=999))
    assert "not in the plan any more" in texts(body["value"])
    assert await updates(bot_server) == []


def nhs_number() -> str:
    digits = "943476591"
    total = sum(int(d) * w for d, w in zip(digits, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return digits + str(0 if check == 11 else check)


async def test_personal_data_must_be_removed_or_confirmed(bot_server: BotServer, plan_with_people: None) -> None:
    narrative = f"Reviewed the case of NHS number {nhs_number()} with the team."
    body, _ = await invoke(bot_server, OWNER, "progress.submit", answer(narrative=narrative))
    assert input_value(body["value"], "confirm_no_personal_data") is not None
    assert input_value(body["value"], "narrative") == narrative
    assert await updates(bot_server) == []

    invalid = nhs_number()[:-1] + str((int(nhs_number()[-1]) + 1) % 10)
    body, _ = await invoke(bot_server, OWNER, "progress.submit", answer(narrative=f"Reference {invalid} logged."))
    assert "Progress recorded" in texts(body["value"])

    body, _ = await invoke(
        bot_server,
        OWNER,
        "progress.submit",
        answer(narrative=narrative, card_id="card-2", confirm_no_personal_data="true"),
    )
    assert "Progress recorded" in texts(body["value"])
    assert len(await updates(bot_server)) == 2


async def test_edit_returns_the_prompt_prefilled_with_the_latest_update(
    bot_server: BotServer, plan_with_people: None
) -> None:
    await invoke(bot_server, OWNER, "progress.submit", answer())
    body, _ = await invoke(bot_server, OWNER, "progress.edit", {"cycle_id": 0, "action_ref": "WWP-01"})
    card = body["value"]
    assert input_value(card, "narrative") == answer()["narrative"]
    assert input_value(card, "rag") == "amber"


async def test_action_submit_fallback_updates_the_sent_card_in_place(
    bot_server: BotServer, plan_with_people: None
) -> None:
    ask = activities.personal_message(bot_server.service_url, "my actions", sender(OWNER))
    await bot_server.post(ask)
    card_message = next(a for a in bot_server.connector.sent(ask["conversation"]["id"]) if a.get("attachments"))
    value = {**answer(), "verb": "progress.submit"}
    activity = activities.card_submit(bot_server.service_url, sender(OWNER), value, reply_to_id=card_message["id"])
    response = await bot_server.post(activity)
    assert response.status in (200, 201)
    [update] = bot_server.connector.updates(activity["conversation"]["id"], card_message["id"])
    assert "Progress recorded" in texts(update["attachments"][0]["content"])
    assert len(await updates(bot_server)) == 1


async def test_status_lists_the_owners_actions(bot_server: BotServer, plan_with_people: None) -> None:
    message = activities.personal_message(bot_server.service_url, "status", sender(OWNER))
    await bot_server.post(message)
    [reply] = bot_server.connector.sent(message["conversation"]["id"])
    assert "WWP-01" in reply["text"] and "Rachel Ahmed" in reply["text"]


async def test_malformed_invoke_gets_a_clear_error(bot_server: BotServer, plan_with_people: None) -> None:
    activity = activities.card_invoke(bot_server.service_url, sender(OWNER), "progress.submit", answer())
    activity["value"] = {"action": {"type": "Action.Submit"}}
    response = await bot_server.post(activity)
    body = await response.json()
    assert response.status == 200 and body["statusCode"] == 400


async def test_no_change_since_last_month_records_last_months_update_as_such(
    bot_server: BotServer, plan_with_people: None
) -> None:
    message = activities.personal_message(bot_server.service_url, "my actions", sender(OWNER))
    await bot_server.post(message)
    first = next(a["attachments"][0]["content"] for a in bot_server.connector.sent() if a.get("attachments"))
    button = next(n for n in walk(first) if n.get("id") == "no_change")
    assert button["title"] == "No change since last month" and button["associatedInputs"] == "none"
    body, _ = await invoke(bot_server, OWNER, "progress.submit", {**button["data"], "card_id": "no-change-1"})
    receipt = texts(body["value"])
    assert "Progress recorded" in receipt and "No change since last month." in receipt
    [stored] = await updates(bot_server)
    async with bot_server.runtime.sessions() as session:
        earlier = await session.scalar(
            select(ProgressUpdate)
            .where(ProgressUpdate.action_id == stored.action_id, ProgressUpdate.source == "plan")
            .order_by(ProgressUpdate.submitted_at.desc())
            .limit(1)
        )
    assert earlier is not None
    assert (stored.narrative, stored.rag) == ("No change since last month.", earlier.rag)


async def test_overdue_actions_say_so_on_the_card_and_in_status(bot_server: BotServer, plan_with_people: None) -> None:
    async with bot_server.runtime.sessions.begin() as session:
        action = await session.scalar(select(ImprovementAction).where(ImprovementAction.ref == "WWP-01"))
        assert action is not None
        action.due = action.due.replace(year=2026, month=10, day=31) if action.due else None
        action.status = "in_progress"
    await bot_server.post(activities.personal_message(bot_server.service_url, "status", sender(OWNER)))
    status = bot_server.connector.sent()[-1]["text"]
    assert "**WWP-01**" in status and "Overdue since 01 Nov 2026" in status
    await bot_server.post(activities.personal_message(bot_server.service_url, "my actions", sender(OWNER)))
    card = next(
        a["attachments"][0]["content"]
        for a in bot_server.connector.sent()
        if a.get("attachments") and "WWP-01" in texts(a["attachments"][0]["content"])
    )
    assert "Overdue since Sunday 1 November 2026" in texts(card)
