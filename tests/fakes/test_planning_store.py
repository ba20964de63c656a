"""The in-memory planning store answers as the SQL store does: the same calls, the same answers, on
both (the SQL store on SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Protocol

import pytest
from sqlalchemy import select, update

from domain.outbox import MessageKind, message_payload
from domain.planning import Audience, DigestDue, Message, PlanningStore, Prompt
from storage.engine import Session, new_engine, new_sessionmaker
from storage.models import ConversationRef, ImprovementAction, MetricReading, Person, ProgressUpdate
from storage.plan_file import load_plan_file
from storage.plan_import import import_plan
from storage.planning_store import SqlPlanningStore
from tests import databases
from tests.conftest import EXAMPLE_PLAN
from tests.fakes.planning_store import InMemoryPlanningStore

NOV, DEC = datetime(2026, 11, 2, 9, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC)
RACHEL, SARAH = "rachel.ahmed@halton.example", "sarah.whitfield@halton.example"
CHANNEL = "19:group@thread.tacv2"


class World(Protocol):
    """A store and what people do around it."""

    store: PlanningStore

    async def answer(self, ref: str, at: datetime, *, round_id: int | None = None, source: str = "teams") -> None: ...
    async def record_figure(self, metric_id: str, period: str, value: float) -> None: ...
    async def set_away(self, email: str, until: date) -> None: ...
    async def mark_unreachable(self, email: str) -> None: ...
    async def install_channel(self, teams_channel_id: str) -> None: ...


class InMemoryWorld:
    def __init__(self) -> None:
        self.fake = InMemoryPlanningStore(load_plan_file(EXAMPLE_PLAN))
        self.store: PlanningStore = self.fake

    async def answer(self, ref: str, at: datetime, *, round_id: int | None = None, source: str = "teams") -> None:
        self.fake.answer(ref, at, round_id=round_id, source=source)

    async def record_figure(self, metric_id: str, period: str, value: float) -> None:
        self.fake.record_figure(metric_id, period, value)

    async def set_away(self, email: str, until: date) -> None:
        self.fake.set_away(email, until)

    async def mark_unreachable(self, email: str) -> None:
        self.fake.mark_unreachable(email)

    async def install_channel(self, teams_channel_id: str) -> None:
        self.fake.install_channel(teams_channel_id)


async def render(message: Message, person_id: int | None, session: Session) -> dict[str, Any]:
    return message_payload(text=f"{message.kind} {message.step}")


class DatabaseWorld:
    """The SQL store and the test's writes in one transaction, as one planner run would see them."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self.store: PlanningStore = SqlPlanningStore(session, render)

    async def answer(self, ref: str, at: datetime, *, round_id: int | None = None, source: str = "teams") -> None:
        action_id = await self._session.scalar(select(ImprovementAction.id).where(ImprovementAction.ref == ref))
        assert action_id is not None
        self._session.add(
            ProgressUpdate(
                action_id=action_id,
                round_id=round_id,
                author_name="owner",
                submitted_at=at,
                rag="green",
                narrative="On track.",
                evidence_links=[],
                blockers="",
                source=source,
            )
        )
        await self._session.flush()

    async def record_figure(self, metric_id: str, period: str, value: float) -> None:
        self._session.add(MetricReading(metric_id=metric_id, period=period, value=value, submitted_at=DEC))
        await self._session.flush()

    async def set_away(self, email: str, until: date) -> None:
        await self._session.execute(update(Person).where(Person.email == email).values(away_until=until))

    async def mark_unreachable(self, email: str) -> None:
        await self._session.execute(
            update(Person).where(Person.email == email).values(unreachable_since=NOV, unreachable_reason="blocked")
        )

    async def install_channel(self, teams_channel_id: str) -> None:
        self._session.add(
            ConversationRef(
                conversation_id=teams_channel_id,
                kind="channel",
                service_url="http://127.0.0.1:1/",
                channel_id="msteams",
                teams_channel_id=teams_channel_id,
                team_id=teams_channel_id,
                installed=True,
                updated_at=NOV,
            )
        )
        await self._session.flush()


@pytest.fixture(params=["memory", "sqlite", "postgresql"])
async def world(
    request: pytest.FixtureRequest, sqlite_template: Path, postgres_url: str | None, tmp_path: Path
) -> AsyncIterator[World]:
    """The in-memory store, or the SQL store on a migrated database holding the example plan (as the
    database_url fixture makes one; that fixture's parameters cannot be added to these)."""
    if request.param == "memory":
        yield InMemoryWorld()
        return
    if request.param == "sqlite":
        url = databases.fresh_sqlite_copy(sqlite_template, tmp_path)
    elif postgres_url is None:
        pytest.skip(f"set {databases.PG_ENV} to run the PostgreSQL variant")
    else:
        await databases.empty_postgres_tables(postgres_url)
        url = postgres_url
    engine = new_engine(url)
    try:
        async with new_sessionmaker(engine).begin() as session:
            await import_plan(session, load_plan_file(EXAMPLE_PLAN), actor="test", now=NOV)
            yield DatabaseWorld(session)
    finally:
        await engine.dispose()


async def test_rounds_open_once_and_earlier_ones_close(world: World) -> None:
    store = world.store
    assert await store.find_round("progress", "2026-11") is None
    november, created = await store.open_round("progress", "2026-11", date(2026, 11, 13), NOV)
    assert created and not november.closed and (november.kind, november.month) == ("progress", "2026-11")
    assert await store.open_round("progress", "2026-11", date(2026, 11, 20), DEC) == (november, False)
    figures, _ = await store.open_round("figures", "2026-11", date(2026, 12, 14), DEC)
    assert figures.id != november.id
    december, _ = await store.open_round("progress", "2026-12", date(2026, 12, 14), DEC)
    await store.close_rounds_before("progress", "2026-12", DEC)
    closed = await store.find_round("progress", "2026-11")
    assert closed is not None and closed.closed and closed.deadline == date(2026, 11, 13)
    assert await store.open_round("progress", "2026-11", date(2026, 11, 13), DEC) == (closed, False)
    assert await store.find_round("progress", "2026-12") == december  # the month itself stays open
    assert await store.find_round("figures", "2026-11") == figures  # another kind is left alone


async def test_each_action_is_requested_once_from_its_owner_in_plan_order(world: World) -> None:
    store = world.store
    round_, _ = await store.open_round("progress", "2026-12", date(2026, 12, 14), DEC)
    plan = await store.plan()
    owner = {a.ref: a.owner for a in plan.actions}
    # Asked under someone else's name, and about an action the plan does not have: the plan decides.
    await store.request_actions(round_, {SARAH: ["WWP-02", "WWP-01", "NOT-A-REF"]}, DEC)
    await store.request_actions(round_, {owner["WWP-01"]: ["WWP-01"], owner["WWP-03"]: ["WWP-03"]}, DEC)
    expected: dict[str, list[str]] = {}
    for action in plan.actions:
        if action.ref in {"WWP-01", "WWP-02", "WWP-03"}:
            expected.setdefault(action.owner, []).append(action.ref)
    assert await store.requested(round_) == expected
    other, _ = await store.open_round("progress", "2027-01", date(2027, 1, 15), DEC)
    assert await store.requested(other) == {}


async def test_answered_counts_updates_on_the_rounds_cards_and_from_teams_since_it_opened(world: World) -> None:
    store = world.store
    round_, _ = await store.open_round("progress", "2026-12", date(2026, 12, 14), DEC)
    earlier, _ = await store.open_round("progress", "2026-11", date(2026, 11, 13), NOV)
    await world.answer("WWP-01", datetime(2026, 12, 2, 10, tzinfo=UTC))  # ad hoc, while it is open
    await world.answer("WWP-02", datetime(2026, 11, 30, 10, tzinfo=UTC))  # ad hoc, before it opened
    await world.answer("WWP-03", datetime(2026, 11, 30, 10, tzinfo=UTC), round_id=round_.id)  # on its card
    await world.answer("WWP-04", datetime(2026, 12, 2, 10, tzinfo=UTC), source="plan")  # a plan import
    await world.answer("WWP-05", datetime(2026, 11, 5, 10, tzinfo=UTC), round_id=earlier.id)
    assert await store.answered(round_) == {"WWP-01", "WWP-03"}
    assert await store.answered(earlier) == {"WWP-01", "WWP-02", "WWP-03", "WWP-05"}


async def test_people_say_who_is_away_or_unreachable(world: World) -> None:
    await world.set_away(RACHEL, date(2026, 12, 4))
    await world.mark_unreachable(SARAH)
    people = await world.store.people()
    assert set(people) == {p.email for p in (await world.store.plan()).people}
    assert people[RACHEL].away_on(date(2026, 12, 4)) and not people[RACHEL].away_on(date(2026, 12, 5))
    assert people[SARAH].unreachable and not people[RACHEL].unreachable
    assert people[RACHEL].name == "Rachel Ahmed"


async def test_figures_are_read_per_period(world: World) -> None:
    await world.record_figure("dols-backlog", "2026-11", 480)
    await world.record_figure("ot-assessments-waiting", "2026-11", 52)
    await world.record_figure("dols-backlog", "2026-10", 400)
    assert await world.store.figures_submitted("2026-11") == {"dols-backlog", "ot-assessments-waiting"}
    assert await world.store.readings("2026-10") == {"dols-backlog": 400}
    assert await world.store.readings("2026-09") == {}


async def test_a_message_is_enqueued_once_and_only_to_someone_it_can_reach(world: World) -> None:
    store = world.store
    prompt = Message(MessageKind.PROMPT, "progress-2026-12", "WWP-01", Audience.PERSON, Prompt(1, "WWP-01"), RACHEL)
    assert await store.enqueue(prompt, DEC)
    assert not await store.enqueue(prompt, DEC)
    assert await store.enqueue(
        Message(MessageKind.PROMPT, "progress-2026-12", "WWP-02", prompt.audience, prompt.content, RACHEL), DEC
    )
    stranger = Message(MessageKind.PROMPT, "progress-2026-12", "WWP-01", Audience.PERSON, prompt.content, "who@x")
    assert not await store.enqueue(stranger, DEC)
    digest = Message(MessageKind.DIGEST, "digest-2026-12", "channel", Audience.CHANNEL, DigestDue("2026-12"))
    assert not await store.enqueue(digest, DEC)  # the bot is in no channel yet
    await world.install_channel(CHANNEL)
    assert await store.enqueue(digest, DEC)
    assert not await store.enqueue(digest, DEC)
