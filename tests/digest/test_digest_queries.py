"""Loading a month from the database (both backends): content, and a query count that does not
grow with the plan."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import event, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from domain.digest import compose_digest
from domain.model import Rag
from domain.outbox import MessageKind, Recipient
from storage import outbox
from storage.digest_queries import load_digest_input
from storage.models import ImprovementAction, OutboxMessage, Person, ProgressRequest, ProgressUpdate, RoundRow
from tests.digest.history import AS_OF, MONTH


@contextmanager
def counted(engine: AsyncEngine) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def load(sessions: async_sessionmaker[AsyncSession], month: str = MONTH, as_of: datetime = AS_OF):
    async with sessions() as session:
        data = await load_digest_input(session, month, as_of)
    assert data is not None
    return data


async def test_no_plan_gives_nothing(sessions: async_sessionmaker[AsyncSession]) -> None:
    async with sessions() as session:
        assert await load_digest_input(session, MONTH, AS_OF) is None


async def test_a_crafted_month_from_the_database(sessions: async_sessionmaker[AsyncSession], history: None) -> None:
    digest = compose_digest(await load(sessions))
    assert digest.as_of == date(2026, 4, 20) and digest.deadline == date(2026, 4, 16)
    assert digest.response is not None
    assert (digest.response.actions_answered, digest.response.actions_asked) == (12, 19)
    assert (digest.response.people_answered, digest.response.people_asked) == (4, 9)  # the stretch actions' owners too
    # The three stretch actions have no RAG yet.
    assert dict(digest.totals) == {Rag.RED: 2, Rag.AMBER: 3, Rag.GREEN: 10, Rag.COMPLETE: 9, None: 3}
    people = digest.themes[0]
    assert people.name == "Working with People" and (
        people.improved,
        people.slipped,
        people.completed,
    ) == (1, 1, 1)
    assert [c.ref for c in digest.completions] == ["WWP-01"]
    assert [c.ref for c in digest.concerns] == ["LEAD-04", "PS-02", "WWP-04", "SAF-03", "PS-05"]
    assert "May Executive Board" in digest.concerns[1].blockers
    assert digest.concerns[4].blockers == ""  # PS-05's owner is away: nothing new this month
    assert [(n.name, n.refs) for n in digest.overdue] == [
        ("Nadia Rahman", ("WWP-09", "LEAD-03")),
        ("Priya Shah", ("STR-03",)),  # the stretch actions: open, and not answered in the history
        ("Rachel Ahmed", ("STR-01",)),
    ]
    assert [(n.name, n.until) for n in digest.away] == [("Lisa Brennan", date(2026, 4, 24))]
    assert [(n.name, n.refs, n.since) for n in digest.unreachable] == [("Gareth Hughes", ("SAF-02",), date(2026, 4, 2))]
    metrics = {m.metric_id: m for m in digest.metrics}
    assert len(metrics) == 5
    assert metrics["dols-backlog"].latest == 298 and metrics["dols-backlog"].change == -24
    assert metrics["dols-backlog"].status.value == "off_track"
    assert metrics["ot-assessments-waiting"].status.value == "target_met"


async def test_a_past_month_sees_only_what_was_known_then(
    sessions: async_sessionmaker[AsyncSession], history: None
) -> None:
    digest = compose_digest(await load(sessions, "2026-03"))
    assert digest.as_of == date(2026, 3, 31)
    assert digest.response is not None and digest.response.actions_answered == 17
    assert [c.ref for c in digest.completions] == ["LEAD-02"]
    assert [c.ref for c in digest.concerns][:1] == ["PS-02"]  # slipped from amber to red in March
    # Figures are for a month, whenever they arrived: March's, sent in April, belong to March.
    assert {m.latest_period for m in digest.metrics} == {date(2026, 3, 31)}


async def test_recorded_requests_decide_who_was_asked(
    sessions: async_sessionmaker[AsyncSession], history: None
) -> None:
    async with sessions.begin() as session:
        april = await session.scalar(select(RoundRow).where(RoundRow.month == MONTH))
        actions = {a.ref: a for a in (await session.scalars(select(ImprovementAction))).all()}
        for ref in ("WWP-02", "WWP-09"):
            session.add(
                ProgressRequest(
                    round_id=april.id,
                    action_id=actions[ref].id,
                    person_id=actions[ref].owner_id,
                    created_at=april.opened_at,
                )
            )
    digest = compose_digest(await load(sessions))
    assert digest.response is not None
    # Asked: the two requested, plus every action answered in the round anyway.
    assert (digest.response.actions_answered, digest.response.actions_asked) == (12, 13)
    assert [n.refs for n in digest.overdue] == [("WWP-09",)]


async def test_failed_prompts_in_the_outbox_show_as_unreachable(
    sessions: async_sessionmaker[AsyncSession], history: None
) -> None:
    async with sessions.begin() as session:
        nadia = await session.scalar(select(Person).where(Person.email == "nadia.rahman@halton.example"))
        sent = datetime(2026, 4, 1, 8, tzinfo=UTC)
        await outbox.enqueue(
            session,
            key="prompt/x/1",
            recipient=Recipient.person(nadia.id),
            kind=MessageKind.PROMPT,
            payload={"text": "Please update"},
            now=sent,
        )
        row = await session.scalar(select(OutboxMessage).where(OutboxMessage.idempotency_key == "prompt/x/1"))
        row.status, row.updated_at = "failed", sent + timedelta(hours=1)
    digest = compose_digest(await load(sessions))
    assert "Nadia Rahman" not in {n.name for n in digest.overdue}  # unreachable, not overdue
    assert {(n.name, n.reason) for n in digest.unreachable} >= {("Nadia Rahman", "a message failed")}


async def test_query_count_does_not_grow_with_the_plan(
    engine: AsyncEngine, sessions: async_sessionmaker[AsyncSession], history: None
) -> None:
    with counted(engine) as small:
        await load(sessions)
    async with sessions.begin() as session:
        owner = await session.scalar(select(Person).limit(1))
        april = await session.scalar(select(RoundRow).where(RoundRow.month == MONTH))
        for n in range(150):
            extra = ImprovementAction(
                ref=f"X-{n:03d}",
                theme_id="leadership",
                requirement=f"Extra {n}",
                owner_id=owner.id,
                status="in_progress",
                rag="green",
                position=100 + n,
                updated_at=AS_OF,
            )
            session.add(extra)
            await session.flush()
            for day in (3, 10):
                session.add(
                    ProgressUpdate(
                        action_id=extra.id,
                        round_id=april.id if day == 10 else None,
                        author_name=owner.name,
                        submitted_at=datetime(2026, 3 + (day == 10), day, tzinfo=UTC),
                        rag="amber",
                        narrative="n",
                        evidence_links=[],
                        blockers="",
                        source="teams",
                    )
                )
    with counted(engine) as large:
        data = await load(sessions)
    assert len(data.actions) == 27 + 150
    assert len(large) == len(small) <= 14


async def test_updates_at_the_same_moment_are_told_apart_by_id(
    sessions: async_sessionmaker[AsyncSession], history: None
) -> None:
    """A plan file's dated entries can share a moment: the one stored last is the newest, both for
    the latest update and for the one before the month began."""
    async with sessions.begin() as session:
        action = await session.scalar(select(ImprovementAction).where(ImprovementAction.ref == "LEAD-01"))
        for at, rags in (
            (datetime(2026, 3, 20, 12, tzinfo=UTC), ("red", "amber")),
            (datetime(2026, 4, 18, 12, tzinfo=UTC), ("green", "red")),
        ):
            for rag in rags:
                session.add(
                    ProgressUpdate(
                        action_id=action.id,
                        author_name="Plan",
                        submitted_at=at,
                        rag=rag,
                        narrative=f"{rag} at {at:%d %b}",
                        evidence_links=[],
                        blockers="",
                        source="plan",
                    )
                )
    data = await load(sessions)
    state = next(a for a in data.actions if a.ref == "LEAD-01")
    assert (state.rag, state.previous_rag) == (Rag.RED, Rag.AMBER)
    assert state.progress == "red at 18 Apr" and state.progress_date == date(2026, 4, 18)
