"""FiguresService on a real database (SQLite and PostgreSQL): the `figures` card, and the card's
answers as Teams delivers them (adaptiveCard/action invokes, redeliveries included).

The activity handler is wired separately, so these call the service the way it will: the sender,
verb, data and activity id taken from a real invoke activity.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from bot.services.checkin import Sender
from bot.services.figures import FiguresService
from storage.models import Metric, MetricReading, Organisation, Person
from tests import activities
from tests.cards import element, texts
from tests.conftest import FakeClock
from tests.figures.helpers import (
    CARERS,
    OT,
    SARAH,
    SUBMIT,
    Sessions,
    answer,
    audit_of,
    fresh,
    press,
    readings,
    sarahs_card,
    seed,
    sender_of,
    user,
)

# --- the card ---------------------------------------------------------------------------------


async def test_figures_card_has_a_box_per_metric_owned_for_last_month(
    service: FiguresService,
) -> None:
    card = await sarahs_card(service)
    assert "CQC improvement — figures for October 2026" in texts(card)
    assert [element(card, f"value__{m}")["type"] for m in (OT, CARERS)] == ["Input.Number"] * 2
    assert element(card, "submit")["data"]["period"] == "2026-10"
    assert "Occupational therapy assessments waiting list" in texts(card)
    assert "Care plan reviews" not in texts(card)  # Rachel's, not Sarah's
    # Past the target date the trajectory is the target itself.
    assert "at most 60 people (lower is better)" in texts(card)


async def test_no_card_for_someone_owning_no_metric_or_not_in_the_plan(
    service: FiguresService,
) -> None:
    assert await service.figures_card(sender_of("priya.shah@halton.example")) is None
    assert await service.figures_card(Sender("29:stranger", "00000000-dead", "Stranger")) is None
    assert await service.card_for_person(10_000) is None


async def test_trajectory_values_for_a_down_and_an_up_metric(
    service: FiguresService, sessions: Sessions, clock: FakeClock
) -> None:
    async with sessions.begin() as session:
        rachel = await session.scalar(select(Person).where(Person.email == "rachel.ahmed@halton.example"))
        assert rachel is not None
        session.add(
            Metric(
                id="direct-payments",
                name="People receiving direct payments",
                unit="people",
                direction="up",
                owner_id=rachel.id,
                baseline_value=200,
                baseline_date=date(2025, 9, 30),
                target_value=300,
                target_date=date(2026, 3, 31),
                position=99,
            )
        )
        rachel_id = rachel.id
    clock.now = datetime(2026, 1, 15, 10, tzinfo=UTC)  # asks for December 2025
    card = await service.card_for_person(rachel_id)
    assert card is not None
    shown = texts(card)
    assert "figures for December 2025" in shown
    assert "at most 149.7 people (lower is better)" in shown  # 180 → 120, 92 of 182 days
    assert "at least 250.5 people (higher is better)" in shown  # 200 → 300


# --- storing ----------------------------------------------------------------------------------


async def test_submit_stores_the_figures_given_and_returns_a_receipt(
    service: FiguresService, sessions: Sessions, clock: FakeClock
) -> None:
    receipt = await fresh(service, ot="52")
    shown = texts(receipt)
    for expected in [
        "Figures recorded — October 2026",
        "Sarah Whitfield",
        "23 November 2026, 10:00",
        "**52 people**",
        "Not given yet",
        "Figures left blank were not saved",
    ]:
        assert expected in shown, expected
    assert await readings(sessions) == {(OT, "2026-10"): 52}
    async with sessions() as session:
        row = await session.scalar(select(MetricReading))
        assert row is not None and row.submitted_at == clock.now
        assert (await session.get(Person, row.submitted_by_id)).email == SARAH  # type: ignore[union-attr]
    [entry] = await audit_of(sessions)
    assert (entry.change, entry.actor, entry.entity_id) == ("submit", SARAH, f"{OT}:2026-10")
    assert entry.before is None and entry.after is not None and entry.after["value"] == 52


@pytest.mark.parametrize(
    ("typed", "says"),
    [("-3", "can't be negative"), ("12.5", "whole number"), ("twelve", "“twelve” is not a number")],
)
async def test_invalid_figures_come_back_with_errors_and_nothing_is_stored(
    service: FiguresService, sessions: Sessions, typed: str, says: str
) -> None:
    card = await press(service, SARAH, SUBMIT, answer(await sarahs_card(service), ot="40", carers=typed))
    assert says in element(card, f"error__{CARERS}")["text"]
    assert element(card, f"value__{OT}")["value"] == 40  # the valid one is kept, not stored
    if typed != "twelve":
        assert element(card, f"value__{CARERS}")["value"] == float(typed)
    assert await readings(sessions) == {}


async def test_a_big_change_is_confirmed_before_it_is_stored(service: FiguresService, sessions: Sessions) -> None:
    await seed(sessions, OT, "2026-09", 80)
    card = await fresh(service, ot="20")
    assert "75% lower than September 2026 (80 people → 20 people)" in texts(card)
    assert element(card, f"value__{OT}")["value"] == 20
    assert await readings(sessions) == {(OT, "2026-09"): 80}

    changed = await press(service, SARAH, SUBMIT, {**answer(card, ot="19"), "confirm_figures": "true"})
    assert "Figures recorded" not in texts(changed)  # ticked, but not for this figure
    receipt = await press(service, SARAH, SUBMIT, {**answer(changed, ot="19"), "confirm_figures": "true"})
    assert "**19 people**" in texts(receipt)
    assert (await readings(sessions))[(OT, "2026-10")] == 19


async def test_the_share_that_needs_confirming_comes_from_the_plan(service: FiguresService, sessions: Sessions) -> None:
    await seed(sessions, OT, "2026-09", 80)
    receipt = await fresh(service, ot="56")
    assert "Figures recorded" in texts(receipt)  # 30% lower: under the default half
    async with sessions.begin() as session:
        organisation = await session.get(Organisation, 1)
        assert organisation is not None
        schedule = {**organisation.settings["schedule"], "figures_change_confirm_share": 0.2}
        organisation.settings = {**organisation.settings, "schedule": schedule}
    card = await fresh(service, carers="24")
    assert "47% lower than the baseline (45 people → 24 people)" in texts(card)


async def test_a_correction_is_confirmed_and_audited(service: FiguresService, sessions: Sessions) -> None:
    await fresh(service, ot="52")
    again = await sarahs_card(service)
    assert element(again, f"value__{OT}")["value"] == 52
    assert "52 people by Sarah Whitfield, 23 November 2026, 10:00" in texts(again)

    same = await press(service, SARAH, SUBMIT, answer(again, ot="52", carers="30"))
    assert "**52 people** (unchanged)" in texts(same)
    card = await fresh(service, ot="50")
    assert "52 people is already recorded for October 2026" in texts(card)
    assert (await readings(sessions))[(OT, "2026-10")] == 52

    receipt = await press(service, SARAH, SUBMIT, {**answer(card, ot="50"), "confirm_figures": "true"})
    assert "**50 people** (corrected from 52)" in texts(receipt)
    assert await readings(sessions) == {(OT, "2026-10"): 50, (CARERS, "2026-10"): 30}
    changes = [(e.entity_id, e.change, e.before, e.after) for e in await audit_of(sessions)]
    assert [c[:2] for c in changes] == [
        (f"{OT}:2026-10", "submit"),
        (f"{CARERS}:2026-10", "submit"),
        (f"{OT}:2026-10", "correct"),
    ]
    before, after = changes[-1][2], changes[-1][3]
    assert before is not None and after is not None
    assert (before["value"], after["value"]) == (52, 50)  # only what changed: value and time


async def test_redelivery_and_double_click_store_once(service: FiguresService, sessions: Sessions) -> None:
    data = answer(await sarahs_card(service), ot="52")
    activity = activities.card_invoke("https://smba.example/uk/", user(SARAH), SUBMIT, data)
    first = await press(service, SARAH, SUBMIT, data, activity)
    again = await press(service, SARAH, SUBMIT, data, activity)  # Teams redelivers it
    click = await press(service, SARAH, SUBMIT, data)  # a second click, same card
    for receipt in (first, again, click):
        assert "**52 people**" in texts(receipt) and "Sarah Whitfield" in texts(receipt)
    assert await readings(sessions) == {(OT, "2026-10"): 52}
    assert len(await audit_of(sessions)) == 1


async def test_two_clicks_at_once_store_once(service: FiguresService, sessions: Sessions) -> None:
    data = answer(await sarahs_card(service), ot="52")
    both = await asyncio.gather(*(press(service, SARAH, SUBMIT, data) for _ in range(2)))
    assert all("**52 people**" in texts(receipt) for receipt in both)
    assert await readings(sessions) == {(OT, "2026-10"): 52}
    assert len(await audit_of(sessions)) == 1


async def test_two_cards_racing_for_one_figure_never_overwrite_unconfirmed(
    service: FiguresService, sessions: Sessions
) -> None:
    cards = [answer(await sarahs_card(service), ot=value) for value in ("52", "60")]
    results = await asyncio.gather(*(press(service, SARAH, SUBMIT, card) for card in cards))
    receipts = [texts(card) for card in results if "Figures recorded" in texts(card)]
    assert len(receipts) == 1  # the other is asked to confirm the correction, or to check again
    stored = await readings(sessions)
    assert stored in ({(OT, "2026-10"): 52}, {(OT, "2026-10"): 60})
    assert len(await audit_of(sessions)) == 1


async def test_edit_returns_the_card_with_the_figures_on_record(service: FiguresService) -> None:
    receipt = await fresh(service, ot="52")
    card = await press(service, SARAH, "figures.edit", element(receipt, "edit")["data"])
    assert element(card, f"value__{OT}")["value"] == 52
    assert "value" not in element(card, f"value__{CARERS}")
