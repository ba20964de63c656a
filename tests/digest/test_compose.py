"""The digest's rules on a crafted month, with no database: counts, moves, people, measures."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from domain.board_appendix import compose_appendix, summary_paragraphs
from domain.calendar import WorkingCalendar
from domain.digest import compose_digest, digest_due, may_see_digest, move
from domain.digest_model import ActionState, DigestInput, MetricSeries, PersonState, RoundInfo
from domain.model import (
    DatedValue,
    Direction,
    Metric,
    QualityStatement,
    Rag,
    Role,
    ScheduleSettings,
    Theme,
)
from domain.months import period_end, previous_month
from domain.trajectory import MetricStatus

G, A, R, C = Rag.GREEN, Rag.AMBER, Rag.RED, Rag.COMPLETE
THEMES = (
    Theme("people", "Working with People", (QualityStatement("qs1", "Assessing needs", 2),)),
    Theme(
        "lead",
        "Leadership",
        (QualityStatement("qs2", "Governance", 3), QualityStatement("qs3", "Learning", 3)),
    ),
)


def action(
    ref: str,
    theme: str,
    owner: str,
    rag: Rag | None,
    previous: Rag | None,
    *,
    asked: bool = True,
    answered: bool = True,
    blockers: str = "",
) -> ActionState:
    return ActionState(
        ref=ref,
        theme_id=theme,
        requirement=f"Requirement {ref}",
        owner_email=f"{owner}@x",
        owner_name=owner.title(),
        rag=rag,
        previous_rag=previous,
        progress=f"Progress {ref}",
        blockers=blockers,
        asked=asked,
        answered=answered,
    )


ACTIONS = (
    action("P1", "people", "ann", G, A),  # improved
    action("P2", "people", "ann", C, G),  # completed (and improved)
    action("P3", "people", "bob", R, A, blockers="Need a Board decision"),  # slipped to red
    action("P4", "people", "bob", A, A, answered=False),  # unanswered: bob is overdue on P4
    action("P5", "people", "cat", C, C, asked=False, answered=False),  # done before: not asked
    action("L1", "lead", "dan", A, G, answered=False),  # dan is away
    action("L2", "lead", "eve", R, R, answered=False),  # eve is unreachable
    action("L3", "lead", "ann", None, None),  # first answer, no RAG yet
)
PEOPLE = (
    PersonState("ann@x", "Ann"),
    PersonState("bob@x", "Bob"),
    PersonState("dan@x", "Dan", away_until=date(2026, 4, 30)),
    PersonState("eve@x", "Eve", unreachable_since=date(2026, 4, 2), unreachable_reason="blocked the bot"),
)
WAITING = Metric(
    "wait",
    "Waiting list",
    "people",
    Direction.DOWN,
    "ann@x",
    DatedValue(100, date(2025, 12, 31)),
    DatedValue(40, date(2026, 6, 30)),
)
UPTAKE = Metric(
    "uptake",
    "Survey uptake",
    "%",
    Direction.UP,
    "ann@x",
    DatedValue(10, date(2025, 12, 31)),
    DatedValue(40, date(2026, 6, 30)),
)
DATA = DigestInput(
    organisation="Council",
    month="2026-04",
    as_of=date(2026, 4, 20),
    round=RoundInfo("2026-04", date(2026, 4, 16)),
    themes=THEMES,
    actions=ACTIONS,
    people=PEOPLE,
    metrics=(
        MetricSeries(WAITING, ((date(2026, 2, 28), 85.0), (date(2026, 3, 31), 70.0))),  # line: 70.3
        MetricSeries(UPTAKE, ((date(2026, 3, 31), 12.0),)),  # line at 31 Mar: ~24.9 → off track
    ),
)


def test_response_rate_counts_actions_and_owners_asked() -> None:
    digest = compose_digest(DATA)
    assert digest.response is not None
    assert (digest.response.actions_answered, digest.response.actions_asked) == (4, 7)
    # ann answered all three of hers; bob, dan and eve did not answer every one of theirs.
    assert (digest.response.people_answered, digest.response.people_asked) == (1, 4)


def test_themes_count_ratings_and_moves_since_last_month() -> None:
    people, lead = compose_digest(DATA).themes
    assert dict(people.counts) == {R: 1, A: 1, G: 1, C: 2}
    assert (people.improved, people.slipped, people.completed) == (2, 1, 1)
    assert dict(lead.counts) == {R: 1, A: 1, None: 1}
    assert (lead.improved, lead.slipped, lead.completed) == (0, 1, 0)
    assert dict(compose_digest(DATA).totals) == {R: 2, A: 2, G: 1, C: 2, None: 1}


def test_completions_are_only_this_months() -> None:
    assert [c.ref for c in compose_digest(DATA).completions] == ["P2"]


def test_concerns_are_red_then_amber_slipped_first_with_support_asked() -> None:
    concerns = compose_digest(DATA).concerns
    assert [c.ref for c in concerns] == ["P3", "L2", "L1", "P4"]
    assert concerns[0].blockers == "Need a Board decision"
    assert (concerns[0].rag, concerns[0].previous_rag) == (R, A)


def test_overdue_away_and_unreachable_are_kept_apart() -> None:
    digest = compose_digest(DATA)
    assert digest.past_deadline
    assert [(n.name, n.refs) for n in digest.overdue] == [("Bob", ("P4",))]
    assert [(n.name, n.refs, n.until) for n in digest.away] == [("Dan", ("L1",), date(2026, 4, 30))]
    assert [(n.name, n.refs, n.reason) for n in digest.unreachable] == [("Eve", ("L2",), "blocked the bot")]


def test_away_ended_means_overdue() -> None:
    back = tuple(PersonState(p.email, p.name) if p.name == "Dan" else p for p in PEOPLE)
    digest = compose_digest(DigestInput(**{**DATA.__dict__, "people": back}))
    assert {n.name for n in digest.overdue} == {"Bob", "Dan"}
    assert digest.away == ()


def test_no_round_means_no_response_rate_and_nobody_chased() -> None:
    digest = compose_digest(DigestInput(**{**DATA.__dict__, "round": None}))
    assert digest.response is None
    assert digest.deadline is None and not digest.past_deadline


def test_measures_are_judged_against_the_trajectory() -> None:
    waiting, uptake = compose_digest(DATA).metrics
    assert waiting.status is MetricStatus.ON_TRACK and waiting.latest == 70 and waiting.change == -15
    assert waiting.trajectory == pytest.approx(100 - 60 * 90 / 181)
    assert waiting.lower_is_better
    assert uptake.status is MetricStatus.OFF_TRACK and uptake.change is None and not uptake.lower_is_better


def test_appendix_rows_areas_and_summary() -> None:
    appendix = compose_appendix(DATA)
    assert [t.name for t in appendix.themes] == ["Working with People", "Leadership"]
    assert [r.ref for r in appendix.themes[0].rows] == ["P1", "P2", "P3", "P4", "P5"]
    assert appendix.themes[0].rows[0].progress == "Progress P1"
    assert [(a.name, a.score) for a in appendix.areas] == [
        ("Assessing needs", 2),
        ("Governance", 3),
        ("Learning", 3),
    ]
    assert (appendix.total_score, appendix.max_score) == (8, 12)
    text = " ".join(appendix.summary)
    assert "2 of the plan's 8 improvement actions are complete" in text
    assert "1 is green, 2 are amber, 2 are red and 1 is not rated" in text
    assert "Since March 2026, 1 action was completed, 2 improved their rating and 2 slipped." in text
    assert "Owners updated 4 of the 7 actions asked about this month (57%)." in text
    assert "1 of the 2 waiting-list and DoLS measures are on track or at target; off track: Survey uptake." in text
    assert "8 of 12 (67%)" in text
    assert summary_paragraphs(compose_digest(DATA))[0] == appendix.summary[0]


def test_moves_and_months() -> None:
    assert move(A, G) == 1 and move(G, R) == -1 and move(G, G) == 0 and move(None, R) == 0
    assert previous_month("2026-01") == "2025-12" and period_end("2024-02") == date(2024, 2, 29)
    with pytest.raises(ValueError):
        previous_month("2026-13")


def test_only_the_chair_and_admins_see_the_digest() -> None:
    assert may_see_digest([Role.CHAIR]) and may_see_digest([Role.ADMIN, Role.OWNER])
    assert not may_see_digest([Role.OWNER, Role.METRIC_OWNER]) and not may_see_digest([])


@pytest.mark.parametrize(
    ("deadline", "expected"),
    [
        (date(2026, 4, 16), datetime(2026, 4, 20, 8, 0, tzinfo=UTC)),  # BST: 09:00 is 08:00 UTC
        (
            date(2026, 3, 26),
            datetime(2026, 3, 30, 8, 0, tzinfo=UTC),
        ),  # clocks went forward on the 29th
        (
            date(2026, 12, 23),
            datetime(2026, 12, 29, 9, 0, tzinfo=UTC),
        ),  # over Christmas and Boxing Day
    ],
)
def test_digest_is_due_two_working_days_after_the_deadline_at_nine(deadline: date, expected: datetime) -> None:
    assert digest_due(deadline, WorkingCalendar("Europe/London"), ScheduleSettings()) == expected
