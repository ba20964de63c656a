"""A simulated year of `tick --as-of` over the example plan: every step once, on working mornings."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.calendar import WorkingCalendar
from domain.planner import Planner
from storage.models import ConversationRef, ImprovementAction, MetricReading, ProgressUpdate
from tests.scheduler.conftest import Harness

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar("Europe/London")
START, END = date(2026, 12, 1), date(2027, 11, 30)


async def tick(planner: Planner, now: datetime):  # type: ignore[no-untyped-def]
    return await planner.tick(now)


async def group_channel(harness: Harness) -> None:
    async with harness.sessions.begin() as session:
        session.add(
            ConversationRef(
                conversation_id="19:group@thread.tacv2",
                kind="channel",
                service_url="http://127.0.0.1:1/",
                channel_id="msteams",
                teams_channel_id="19:group@thread.tacv2",
                team_id="19:group@thread.tacv2",
                installed=True,
                updated_at=datetime(2026, 11, 1, tzinfo=UTC),
            )
        )


async def owners_answer_some(harness: Harness, when: datetime) -> None:
    """The Working with People owners answer on the second working day of each round."""
    async with harness.sessions.begin() as session:
        actions = (await session.scalars(select(ImprovementAction).where(ImprovementAction.ref.like("WWP-%")))).all()
        for action in actions:
            session.add(
                ProgressUpdate(
                    action_id=action.id,
                    author_name="owner",
                    submitted_at=when,
                    rag="green",
                    narrative="On track.",
                    evidence_links=[],
                    blockers="",
                    source="teams",
                )
            )


async def figures_for(harness: Harness, period: str, when: datetime, dols: float) -> None:
    async with harness.sessions.begin() as session:
        session.add(MetricReading(metric_id="dols-backlog", period=period, value=dols, submitted_at=when))


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


async def test_a_simulated_year_sends_every_step_once_on_working_mornings(harness: Harness) -> None:
    await group_channel(harness)
    for day in days(START, END):
        morning = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON)
        await harness.run(tick, morning)
        if day.month == 12:  # a second run the same day adds nothing (checked over the first month)
            assert (await harness.run(tick, morning + timedelta(hours=5))).enqueued == []
        if CAL.is_working_day(day) and CAL.working_days_of_month(day.year, day.month)[1] == day:
            await owners_answer_some(harness, morning + timedelta(hours=1))
        if day.day == 5:  # last month's DoLS figure: off trajectory every other month
            previous = day.replace(day=1) - timedelta(days=1)
            await figures_for(harness, f"{previous:%Y-%m}", morning, 480 if previous.month % 2 else 200)
    messages = await harness.messages()

    # Every message went out at 09:00 local on a working day.
    for message in messages:
        local = message.created_at.astimezone(LONDON)
        assert CAL.is_working_day(local.date()), message.idempotency_key
        assert (local.hour, local.minute) == (9, 0), message.idempotency_key

    keys = [m.idempotency_key for m in messages]
    assert len(keys) == len(set(keys))
    kinds = Counter(key.split("/")[0] for key in keys)
    scopes = Counter(key.split("/")[1] for key in keys if key.startswith("prompt/"))
    assert set(scopes) == {f"progress-{y}-{m:02d}" for y, m in [(2026, 12)] + [(2027, n) for n in range(1, 12)]}
    assert len(set(scopes.values())) == 1  # the same open actions prompted every month

    # Each month: one nudge and the latest overdue reminders for those who did not answer, one
    # escalation to the chair, one figures request per metric owner, one digest to the channel and
    # the chair.
    months = {f"{y}-{m:02d}" for y, m in [(2026, 12)] + [(2027, n) for n in range(1, 12)]}
    for month in months:
        reminders = [k for k in keys if k.startswith(f"reminder/progress-{month}/")]
        steps = Counter(k.rsplit("/", 1)[1] for k in reminders)
        assert steps.keys() == {"nudge", "overdue-1", "overdue-2", "overdue-3"}, (month, steps)
        assert len(set(steps.values())) == 1  # the same people chased at every step
        assert [k for k in keys if k.startswith(f"escalation/progress-{month}/")]
        assert len([k for k in keys if k.startswith(f"digest/digest-{month}/")]) == 2
    figures_months = {k.split("/")[1] for k in keys if k.startswith("figures_request/")}
    assert figures_months == {f"figures-{m}" for m in ("2026-11", *sorted(months)[:-1])}
    assert kinds["notice"] > 0  # off-trajectory alerts (and target reviews when targets lie ahead)
    alerts = [k for k in keys if k.startswith("notice/trajectory-dols-backlog-")]
    assert len(alerts) == 2 * len({k.split("/")[1] for k in alerts})  # the channel and the chair, once

    # Replaying the whole year adds nothing.
    before = len(keys)
    for day in days(START, END)[::7]:
        await harness.run(tick, datetime(day.year, day.month, day.day, 9, tzinfo=LONDON))
    assert len(await harness.keys()) == before
