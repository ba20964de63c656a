"""Two months of made-up history on top of the example plan, the same every time.

March 2026: every open action is updated (one slips to red, one is completed). April 2026: twelve
of sixteen are updated by the digest's moment; Nadia Rahman is overdue on two, Lisa Brennan is
away, Gareth Hughes cannot be reached. Waiting-list and DoLS figures run October 2025 to March
2026; self-assessments, evidence items and the plan's sign-off come from tests/readiness/history.py.
Used by the tests and by `python -m tests.digest.make_examples` for docs/examples/.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ImprovementAction, MetricReading, Person, ProgressUpdate, RoundRow
from tests.readiness.history import add_readiness

MONTH = "2026-04"
AS_OF = datetime(2026, 4, 20, 8, 0, tzinfo=UTC)  # 09:00 BST: two working days after the deadline

MARCH = {  # ref: (rag, blockers)
    "WWP-01": ("green", ""),
    "WWP-02": ("green", ""),
    "WWP-03": ("green", ""),
    "WWP-04": ("green", ""),
    "WWP-05": ("green", ""),
    "WWP-07": ("green", ""),
    "WWP-09": ("green", ""),
    "PS-02": ("red", "The costed dementia care model has no Board date yet."),
    "PS-03": ("amber", ""),
    "PS-04": ("green", ""),
    "PS-05": ("amber", ""),
    "SAF-02": ("green", ""),
    "SAF-03": ("green", ""),
    "LEAD-01": ("green", ""),
    "LEAD-02": ("complete", ""),
    "LEAD-03": ("green", ""),
    "LEAD-04": ("amber", ""),
}
APRIL = {
    "WWP-01": ("complete", ""),
    "WWP-02": ("green", ""),
    "WWP-03": ("green", ""),
    "WWP-04": (
        "amber",
        "Eclipse form change is waiting on the supplier. Please escalate with the IT client team.",
    ),
    "WWP-05": ("green", ""),
    "WWP-07": ("green", ""),
    "PS-02": (
        "red",
        "The enhanced dementia model needs a decision at the May Executive Board. "
        "We ask the chair to sponsor the report.",
    ),
    "PS-03": ("green", ""),
    "PS-04": ("green", ""),
    "SAF-03": (
        "amber",
        "Two Best Interests Assessors are on long-term leave. We need agency assessor funding for three months.",
    ),
    "LEAD-01": ("green", ""),
    "LEAD-04": (
        "red",
        "Survey tool procurement has stalled. Please agree to use the corporate survey licence.",
    ),
}
READINGS = {  # October 2025 to March 2026
    "care-plan-reviews-waiting": (172, 165, 158, 150, 139, 128),
    "ot-assessments-waiting": (90, 84, 77, 71, 66, 58),
    "financial-assessments-waiting": (66, 61, 57, 50, 44, 39),
    "carers-assessments-waiting": (43, 40, 37, 33, 30, 27),
    "dols-backlog": (405, 396, 371, 344, 322, 298),
}
PERIODS = ("2025-10", "2025-11", "2025-12", "2026-01", "2026-02", "2026-03")
AWAY = ("lisa.brennan@halton.example", date(2026, 4, 24))
UNREACHABLE = (
    "gareth.hughes@halton.example",
    datetime(2026, 4, 2, 8, 5, tzinfo=UTC),
    "Teams: the bot is not installed for this person (403)",
)


def narrative(ref: str, month: str, rag: str) -> str:
    words = {"green": "on track", "amber": "at risk", "red": "off track", "complete": "complete"}[rag]
    return (
        f"{ref}: {month} update — work is {words}.\n\n"
        f"Next steps agreed at the {month} working group; evidence is on the team site."
    )


async def add_history(session: AsyncSession) -> None:
    """Adds the cycles, updates, readings and people's states. The example plan must be imported."""
    actions = {a.ref: a for a in (await session.scalars(select(ImprovementAction))).all()}
    people = {p.id: p for p in (await session.scalars(select(Person))).all()}
    by_email = {p.email: p for p in people.values()}
    march = RoundRow(
        kind="progress",
        month="2026-03",
        opened_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
        deadline=date(2026, 3, 13),
        closed_at=datetime(2026, 4, 1, 7, tzinfo=UTC),
    )
    april = RoundRow(
        kind="progress",
        month="2026-04",
        opened_at=datetime(2026, 4, 1, 8, tzinfo=UTC),
        deadline=date(2026, 4, 16),
        closed_at=None,
    )
    session.add_all([march, april])
    await session.flush()
    for round_, updates, first_day in ((march, MARCH, 3), (april, APRIL, 7)):
        for index, (ref, (rag, blockers)) in enumerate(updates.items()):
            action = actions[ref]
            owner = people[action.owner_id]
            session.add(
                ProgressUpdate(
                    action_id=action.id,
                    round_id=round_.id,
                    author_id=owner.id,
                    author_name=owner.name,
                    submitted_at=datetime(2026, int(round_.month[5:]), first_day + index % 7, 10, index, tzinfo=UTC),
                    rag=rag,
                    narrative=narrative(ref, round_.month, rag),
                    evidence_links=[],
                    blockers=blockers,
                    source="teams",
                )
            )
            action.rag = rag
            action.status = "complete" if rag == "complete" else "in_progress"
    for metric_id, values in READINGS.items():
        for period, value in zip(PERIODS, values, strict=True):
            year, month = int(period[:4]), int(period[5:])
            submitted = datetime(year + (month == 12), month % 12 + 1, 5, 10, tzinfo=UTC)
            session.add(MetricReading(metric_id=metric_id, period=period, value=value, submitted_at=submitted))
    by_email[AWAY[0]].away_until = AWAY[1]
    by_email[UNREACHABLE[0]].unreachable_since = UNREACHABLE[1]
    by_email[UNREACHABLE[0]].unreachable_reason = UNREACHABLE[2]
    await session.flush()
    await add_readiness(session)
