"""The figures service's refusals, and storage/figures.py beneath it: conflicts, off-trajectory
readings and periods, on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.services.figures import FiguresService
from storage import figures as store
from storage import people
from tests.cards import texts
from tests.conftest import FakeClock
from tests.figures.helpers import (
    CARERS,
    OT,
    SARAH,
    SUBMIT,
    Sessions,
    answer,
    press,
    readings,
    sarahs_card,
    seed,
)

# --- refusals ---------------------------------------------------------------------------------


async def test_only_the_owner_may_record_a_figure(service: FiguresService, sessions: Sessions) -> None:
    data = answer(await sarahs_card(service), ot="52")
    card = await press(service, "tom.fielding@halton.example", SUBMIT, data)
    assert "You can't record these figures" in texts(card) and "Sarah Whitfield" in texts(card)
    assert await readings(sessions) == {}


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"card_version": "figures-0"}, "out of date"),
        ({"period": "2026-11"}, "missing details"),  # this month is not over
        ({"metrics": [OT, "no-such-metric"]}, "not in the plan any more"),
        ({"metrics": "x"}, "missing details"),
        ({f"value__{OT}": None}, "at least one figure"),
    ],
)
async def test_stale_or_forged_cards_store_nothing(
    service: FiguresService, sessions: Sessions, change: dict[str, Any], says: str
) -> None:
    data = {
        key: value
        for key, value in {**answer(await sarahs_card(service), ot="52"), **change}.items()
        if value is not None
    }
    assert says in texts(await press(service, SARAH, SUBMIT, data))
    assert await readings(sessions) == {}


# --- storage --------------------------------------------------------------------------------


async def test_store_refuses_to_overwrite_a_figure_it_was_not_shown(
    service: FiguresService, sessions: Sessions, clock: FakeClock
) -> None:
    await seed(sessions, OT, "2026-10", 52)
    with pytest.raises(store.ReadingConflict):
        async with sessions.begin() as session:
            sarah = await people.person_by_email(session, SARAH)
            assert sarah is not None
            await store.store_readings(
                session,
                "2026-10",
                {CARERS: 30, OT: 50},
                expected={CARERS: None, OT: None},
                actor=sarah,
                now=clock.now,
            )
    assert await readings(sessions) == {(OT, "2026-10"): 52}  # rolled back, the new one too


async def test_off_trajectory_readings_are_those_worse_than_the_line_or_the_baseline(
    service: FiguresService, sessions: Sessions
) -> None:
    for metric_id, value in [
        (OT, 70),
        (CARERS, 20),
        ("dols-backlog", 500),
        ("care-plan-reviews-waiting", 120),
    ]:
        await seed(sessions, metric_id, "2026-10", value)
    await seed(sessions, OT, "2026-09", 65)
    async with sessions() as session:
        found = await store.off_trajectory_readings(session, "2026-10")
        assert await store.off_trajectory_readings(session, "2026-10") == found  # a rerun agrees
    assert [(r.metric.id, r.value) for r in found] == [(OT, 70), ("dols-backlog", 500)]
    ot, dols = found
    assert ot.judgement.trajectory_value == 60 and ot.judgement.change == 5
    assert ot.judgement.worse_than_trajectory and not ot.judgement.worse_than_baseline
    assert dols.judgement.worse_than_baseline and dols.owner_name == "Joanne Kelly"


def test_periods() -> None:
    assert store.previous_period(date(2026, 1, 3)) == "2025-12"
    assert store.previous_period(date(2026, 11, 23)) == "2026-10"
    assert store.period_end("2028-02") == date(2028, 2, 29)
