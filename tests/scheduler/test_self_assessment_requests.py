"""The quarterly self-assessment request to each quality statement's lead: in the plan's months, on the
set working day, once (idempotency key per quarter), not to people who are away; rendered with the card."""

from __future__ import annotations

from datetime import UTC, date, datetime

from scheduler.jobs import JOBS
from tests.cards import texts
from tests.scheduler.conftest import Harness, MemoryHarness

JOB = {spec.id: spec.call for spec in JOBS}
# March 2026: the 5th working day is Fri 6 March; 09:00 GMT.
DUE = datetime(2026, 3, 6, 9, tzinfo=UTC)
LEADS = 9  # the example plan names a different lead for each of its nine statements


async def test_each_lead_is_asked_once_on_the_quarters_working_day(memory: MemoryHarness) -> None:
    assert (await memory.run(JOB["self-assessment"], datetime(2026, 3, 5, 9, tzinfo=UTC))).enqueued == []
    assert (
        await memory.run(JOB["self-assessment"], datetime(2026, 2, 6, 9, tzinfo=UTC))
    ).enqueued == []  # not a quarter
    report = await memory.run(JOB["self-assessment"], DUE)
    assert len(report.enqueued) == LEADS
    assert all(
        line.startswith("notice self-assessment-2026-03 ") and line.endswith(" request") for line in report.enqueued
    )
    again = await memory.run(JOB["self-assessment"], datetime(2026, 3, 9, 10, tzinfo=UTC))  # and on later days
    assert (again.enqueued, again.already) == ([], LEADS)
    assert len((await memory.run(JOB["self-assessment"], datetime(2026, 6, 5, 9, tzinfo=UTC))).enqueued) == LEADS


async def test_nothing_on_a_weekend_and_no_request_to_a_lead_who_is_away(memory: MemoryHarness) -> None:
    assert (await memory.run(JOB["self-assessment"], datetime(2026, 3, 7, 9, tzinfo=UTC))).enqueued == []  # Saturday
    memory.store.set_away("joanne.kelly@halton.example", date(2026, 3, 31))
    report = await memory.run(JOB["self-assessment"], DUE)
    assert len(report.enqueued) == LEADS - 1
    assert "self-assessment request to joanne.kelly@halton.example: away" in report.skipped


async def test_the_request_carries_the_leads_card(harness: Harness) -> None:
    await harness.run(JOB["self-assessment"], DUE)
    requests = [m for m in await harness.messages() if m.idempotency_key.startswith("notice/self-assessment-2026-03/")]
    assert len(requests) == LEADS
    [message] = [m for m in requests if "**Safeguarding**" in m.payload["text"]]
    assert (
        "It is time for the quarter's CQC self-assessment of **Safeguarding**, which you lead."
        in message.payload["text"]
    )
    card = texts(message.payload["card"])
    assert "CQC readiness — self-assessment" in card and "**Safeguarding**" in card and "SAF-03" in card


def test_cqcbot_schedule_lists_the_next_self_assessment_request() -> None:
    from domain.calendar import WorkingCalendar
    from domain.model import ScheduleSettings
    from domain.schedule import upcoming

    steps = dict(
        upcoming(ScheduleSettings(), (), WorkingCalendar("Europe/London"), datetime(2026, 3, 9, 9, tzinfo=UTC))
    )
    # June's 5th working day is Friday 5 June; 09:00 BST is 08:00 UTC.
    assert steps["self-assessment request to the leads"] == datetime(2026, 6, 5, 8, tzinfo=UTC)
