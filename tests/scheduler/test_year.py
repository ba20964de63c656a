"""A simulated year of `tick --as-of` over the example plan: every step once, on working mornings.

The year runs on the in-memory planning store in seconds; once more on the real database (SQLite
and PostgreSQL), where it must also send exactly what the in-memory store sent, so the fake the
planner's other tests use is held to the SQL store's behaviour.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import select

from domain.calendar import WorkingCalendar
from domain.planner import Planner
from domain.planning import RunReport
from storage.models import ConversationRef, ImprovementAction, MetricReading, Person, ProgressUpdate
from tests.scheduler.conftest import Harness, MemoryHarness

LONDON = ZoneInfo("Europe/London")
CAL = WorkingCalendar("Europe/London")
START, END = date(2026, 12, 1), date(2027, 11, 30)
GROUP_CHANNEL = "19:group@thread.tacv2"


async def tick(planner: Planner, now: datetime) -> RunReport:
    return await planner.tick(now)


@dataclass(frozen=True)
class Sent:
    key: str  # kind/scope/recipient/step
    to: str  # the recipient as the planner names it: an email, or "channel"
    created_at: datetime

    @property
    def what(self) -> tuple[str, str, str, str, datetime]:
        """The message without the store's ids in it: kind, scope, to whom, step, when."""
        kind, scope, _, step = self.key.split("/", 3)
        return kind, scope, self.to, step, self.created_at


class Year(Protocol):
    """Where the year runs, and what people do in it."""

    async def tick(self, now: datetime) -> RunReport: ...
    async def install_group_channel(self) -> None: ...
    async def owners_answer_some(self, when: datetime) -> None: ...
    async def figures_for(self, period: str, when: datetime, dols: float) -> None: ...
    async def sent(self) -> list[Sent]: ...


class InMemoryYear:
    def __init__(self, memory: MemoryHarness) -> None:
        self._memory = memory
        self._store = memory.store

    async def tick(self, now: datetime) -> RunReport:
        return await self._memory.run(tick, now)

    async def install_group_channel(self) -> None:
        self._store.install_channel(GROUP_CHANNEL)

    async def owners_answer_some(self, when: datetime) -> None:
        for action in (await self._store.plan()).actions:
            if action.ref.startswith("WWP-"):
                self._store.answer(action.ref, when)

    async def figures_for(self, period: str, when: datetime, dols: float) -> None:
        self._store.record_figure("dols-backlog", period, dols)

    async def sent(self) -> list[Sent]:
        return [Sent(m.key, m.to, m.at) for m in self._store.messages]


class DatabaseYear:
    def __init__(self, harness: Harness) -> None:
        self._harness = harness

    async def tick(self, now: datetime) -> RunReport:
        return await self._harness.run(tick, now)

    async def install_group_channel(self) -> None:
        async with self._harness.sessions.begin() as session:
            session.add(
                ConversationRef(
                    conversation_id=GROUP_CHANNEL,
                    kind="channel",
                    service_url="http://127.0.0.1:1/",
                    channel_id="msteams",
                    teams_channel_id=GROUP_CHANNEL,
                    team_id=GROUP_CHANNEL,
                    installed=True,
                    updated_at=datetime(2026, 11, 1, tzinfo=UTC),
                )
            )

    async def owners_answer_some(self, when: datetime) -> None:
        """The Working with People owners answer on the second working day of each round."""
        async with self._harness.sessions.begin() as session:
            actions = (
                await session.scalars(select(ImprovementAction).where(ImprovementAction.ref.like("WWP-%")))
            ).all()
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

    async def figures_for(self, period: str, when: datetime, dols: float) -> None:
        async with self._harness.sessions.begin() as session:
            session.add(MetricReading(metric_id="dols-backlog", period=period, value=dols, submitted_at=when))

    async def sent(self) -> list[Sent]:
        async with self._harness.sessions() as session:
            emails = dict((await session.execute(select(Person.id, Person.email))).all())
        return [
            Sent(m.idempotency_key, emails[m.person_id] if m.person_id else "channel", m.created_at)
            for m in await self._harness.messages()
        ]


def days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


async def simulate(year: Year) -> list[Sent]:
    """Every morning of the year: the scheduler's tick, then what people do that day."""
    await year.install_group_channel()
    for day in days(START, END):
        morning = datetime(day.year, day.month, day.day, 9, tzinfo=LONDON)
        await year.tick(morning)
        if day.month == 12:  # a second run the same day adds nothing (checked over the first month)
            assert (await year.tick(morning + timedelta(hours=5))).enqueued == []
        if CAL.is_working_day(day) and CAL.working_days_of_month(day.year, day.month)[1] == day:
            await year.owners_answer_some(morning + timedelta(hours=1))
        if day.day == 5:  # last month's DoLS figure: off trajectory every other month
            previous = day.replace(day=1) - timedelta(days=1)
            await year.figures_for(f"{previous:%Y-%m}", morning, 480 if previous.month % 2 else 200)
    return await year.sent()


async def check_the_year(year: Year, messages: list[Sent]) -> None:
    # Every message went out at 09:00 local on a working day.
    for message in messages:
        local = message.created_at.astimezone(LONDON)
        assert CAL.is_working_day(local.date()), message.key
        assert (local.hour, local.minute) == (9, 0), message.key

    keys = [m.key for m in messages]
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
    for day in days(START, END)[::7]:
        await year.tick(datetime(day.year, day.month, day.day, 9, tzinfo=LONDON))
    assert len(await year.sent()) == len(keys)


async def test_a_simulated_year_sends_every_step_once_on_working_mornings(memory: MemoryHarness) -> None:
    year = InMemoryYear(memory)
    await check_the_year(year, await simulate(year))


async def test_the_year_on_the_database_sends_what_the_in_memory_store_sends(
    harness: Harness, memory: MemoryHarness
) -> None:
    on_database = DatabaseYear(harness)
    sent = await simulate(on_database)
    await check_the_year(on_database, sent)
    in_memory = await simulate(InMemoryYear(memory))
    assert sorted(m.what for m in sent) == sorted(m.what for m in in_memory)
