"""Every job's selection logic at chosen times, through the scheduler's own code path: on the
in-memory store where the planner's choices are all a test asks about, on the database where the
rendered messages, the stored requests or two instances at once are."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import func, select, update

from scheduler.jobs import JOBS
from storage.models import ImprovementAction, MetricReading, Person, ProgressRequest, ProgressUpdate
from tests.scheduler.conftest import Harness, MemoryHarness

JOB = {spec.id: spec.call for spec in JOBS}
DEC_OPEN = datetime(2026, 12, 1, 9, tzinfo=UTC)  # Tue 1 Dec 2026, 09:00 GMT
# December 2026: deadline Mon 14 Dec (10th working day); nudge Wed 9; overdue 16, 18, 22; escalation 23.


def at(month: int, day: int, hour: int = 9, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


async def open_actions_by_owner(harness: Harness) -> dict[str, int]:
    async with harness.sessions() as session:
        rows = (
            await session.execute(
                select(Person.email, func.count())
                .join(ImprovementAction, ImprovementAction.owner_id == Person.id)
                .where(ImprovementAction.status != "complete")
                .group_by(Person.email)
            )
        ).all()
    return dict(rows)


async def person_id(harness: Harness, email: str) -> int:
    async with harness.sessions() as session:
        found = await session.scalar(select(Person.id).where(Person.email == email))
    assert found is not None
    return found


async def answer(harness: Harness, ref: str, when: datetime) -> None:
    async with harness.sessions.begin() as session:
        action = await session.scalar(select(ImprovementAction).where(ImprovementAction.ref == ref))
        assert action is not None
        session.add(
            ProgressUpdate(
                action_id=action.id,
                author_name="x",
                submitted_at=when,
                rag="green",
                narrative="done",
                evidence_links=[],
                blockers="",
                source="teams",
            )
        )


async def test_opening_is_idempotent_and_prompts_each_owner_for_their_open_actions(harness: Harness) -> None:
    assert (await harness.run(JOB["open-cycle"], at(12, 1, 8))).enqueued == []  # 08:00: not yet
    first = await harness.run(JOB["open-cycle"], DEC_OPEN)
    again = await harness.run(JOB["open-cycle"], at(12, 1, 15))
    assert again.enqueued == [] and again.already == len(first.enqueued)
    prompts = [m for m in await harness.messages() if m.kind == "prompt"]
    per_person: dict[int, int] = {}
    for message in prompts:
        per_person[message.person_id] = per_person.get(message.person_id, 0) + 1  # type: ignore[index]
    async with harness.sessions() as session:
        emails = dict((await session.execute(select(Person.id, Person.email))).all())
        requests = await session.scalar(select(func.count()).select_from(ProgressRequest))
    assert {emails[k]: v for k, v in per_person.items()} == await open_actions_by_owner(harness)
    assert requests == len(prompts)
    assert all(m.payload["card"]["type"] == "AdaptiveCard" for m in prompts)


async def test_away_owners_are_skipped_and_prompted_when_back(memory: MemoryHarness) -> None:
    memory.store.set_away("rachel.ahmed@halton.example", date(2026, 12, 4))
    report = await memory.run(JOB["open-cycle"], DEC_OPEN)
    assert not any("rachel.ahmed" in line for line in report.enqueued)
    assert any("rachel.ahmed" in line for line in report.skipped)
    later = await memory.run(JOB["remind"], at(12, 7))  # Monday after her leave
    assert any("prompt" in line and "rachel.ahmed" in line for line in later.enqueued)


async def test_nudge_goes_three_working_days_before_to_those_who_have_not_answered(harness: Harness) -> None:
    await harness.run(JOB["open-cycle"], DEC_OPEN)
    await answer(harness, "WWP-01", at(12, 2))
    assert (await harness.run(JOB["remind"], at(12, 8))).enqueued == []
    report = await harness.run(JOB["remind"], at(12, 9))
    nudged = [line for line in report.enqueued if "nudge" in line]
    assert nudged and all("reminder" in line for line in nudged)
    reminders = [m for m in await harness.messages() if m.kind == "reminder"]
    rachel = [m for m in reminders if "WWP-02" in m.payload["text"]]
    assert rachel and "WWP-01" not in rachel[0].payload["text"]  # answered, so not chased
    assert (await harness.run(JOB["remind"], at(12, 9, 15))).enqueued == []


async def test_after_downtime_only_the_latest_overdue_reminder_is_sent(memory: MemoryHarness) -> None:
    await memory.run(JOB["open-cycle"], DEC_OPEN)
    report = await memory.run(JOB["remind"], at(12, 22, 10))  # down from the 9th to the 22nd
    steps = {line.split()[-1] for line in report.enqueued if line.startswith("reminder")}
    assert steps == {"overdue-3"}
    assert not any(line.startswith("escalation") for line in report.enqueued)  # due on the 23rd


async def test_escalation_lists_outstanding_away_and_unreachable_separately(harness: Harness) -> None:
    await harness.run(JOB["open-cycle"], DEC_OPEN)
    async with harness.sessions.begin() as session:
        await session.execute(
            update(Person).where(Person.email == "sarah.whitfield@halton.example").values(away_until=date(2026, 12, 31))
        )
        await session.execute(
            update(Person)
            .where(Person.email == "mark.doyle@halton.example")
            .values(unreachable_since=at(12, 2), unreachable_reason="403 ConversationBlockedByUser")
        )
    await harness.run(JOB["remind"], at(12, 23))
    [escalation] = [m for m in await harness.messages() if m.kind == "escalation"]
    text = escalation.payload["text"]
    assert "Not answered:" in text and "Rachel Ahmed" in text
    away = text.split("Away (not reminded):")[1]
    assert "Sarah Whitfield" in away.split("I can't reach them")[0]
    assert "Mark Doyle" in text.split("I can't reach them")[1]
    assert escalation.person_id == await person_id(harness, "helen.carter@halton.example")  # the chair
    assert not any(line.startswith("escalation") for line in (await harness.run(JOB["remind"], at(12, 24))).enqueued)


async def test_figures_are_requested_on_the_third_working_day_and_chased(memory: MemoryHarness) -> None:
    assert (await memory.run(JOB["figures"], at(12, 2))).enqueued == []
    report = await memory.run(JOB["figures"], at(12, 3))
    requested = sorted(line.split()[2] for line in report.enqueued if line.startswith("figures_request"))
    owners = sorted({metric.owner for metric in (await memory.store.plan()).metrics})
    assert requested == owners  # one request each, for November's figures
    assert all("figures-2026-11" in line for line in report.enqueued)
    chase = await memory.run(JOB["figures"], at(12, 16))
    assert any("overdue-1" in line for line in chase.enqueued)


async def test_off_trajectory_figures_raise_one_alert(harness: Harness) -> None:
    async with harness.sessions.begin() as session:
        session.add(MetricReading(metric_id="dols-backlog", period="2026-11", value=500, submitted_at=at(12, 4)))
        session.add(
            MetricReading(metric_id="ot-assessments-waiting", period="2026-11", value=1, submitted_at=at(12, 4))
        )
    report = await harness.run(JOB["off-trajectory"], at(12, 7))
    alerts = [line for line in report.enqueued if "trajectory-" in line]
    assert alerts and all("dols-backlog" in line for line in alerts)
    assert (await harness.run(JOB["off-trajectory"], at(12, 8))).enqueued == []
    [to_chair] = [m for m in await harness.messages() if "trajectory" in m.idempotency_key]
    assert "worse than the baseline" in to_chair.payload["text"]


async def test_target_reviews_thirty_and_seven_days_before(memory: MemoryHarness) -> None:
    # The example targets are due 31 March 2026.
    assert (await memory.run(JOB["target-review"], datetime(2026, 2, 27, 9, tzinfo=UTC))).enqueued == []
    report = await memory.run(JOB["target-review"], datetime(2026, 3, 2, 9, tzinfo=UTC))
    assert report.enqueued and all("30-days" in line for line in report.enqueued)
    report = await memory.run(JOB["target-review"], datetime(2026, 3, 24, 9, tzinfo=UTC))
    assert report.enqueued and all("7-days" in line for line in report.enqueued)


async def test_two_instances_planning_at_once_never_double_send(harness: Harness, database_url: str) -> None:
    """Two schedulers (own engines, as two processes would have) run the same jobs at the same moment."""
    import asyncio

    from storage.engine import new_engine, new_sessionmaker
    from tests.conftest import FakeClock

    other_engine = new_engine(database_url)
    try:
        other = Harness(new_sessionmaker(other_engine), FakeClock())
        moments = [DEC_OPEN, at(12, 9), at(12, 16), at(12, 23)]
        for moment in moments:
            await asyncio.gather(
                *(h.run(JOB[job], moment) for h in (harness, other) for job in ("open-cycle", "remind"))
            )
    finally:
        await other_engine.dispose()
    keys = await harness.keys()
    assert len(keys) == len(set(keys))
    single = Harness(harness.sessions, FakeClock())
    assert (await single.run(JOB["remind"], at(12, 23))).enqueued == []


async def test_nothing_goes_out_on_weekends_holidays_or_at_night(memory: MemoryHarness) -> None:
    await memory.run(JOB["open-cycle"], DEC_OPEN)
    # Sat, Christmas, Boxing Day (observed), 07:00, 19:00
    for moment in (at(12, 19), at(12, 25), at(12, 28), at(12, 22, 7), at(12, 22, 19)):
        report = await memory.run(JOB["remind"], moment)
        assert report.enqueued == [] and report.skipped, moment
    assert (await memory.run(JOB["remind"], at(12, 22, 9))).enqueued  # the next working morning
