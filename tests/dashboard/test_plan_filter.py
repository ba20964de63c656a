"""The plan table's filter lives in the URL: whatever is chosen survives the round trip through
its query string, and anything else in a query string is ignored rather than refused."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from bot.services.dashboard import RAG_FILTERS, SORT_KEYS, STATUS_FILTERS, PlanFilter, plan_page
from domain.digest_model import ActionState, DigestInput
from domain.model import Rag, Theme

THEMES = ("working-with-people", "providing-support")
OWNERS = ("a.owner@council.example", "b.owner@council.example")

filters = st.builds(
    PlanFilter,
    theme=st.sampled_from(("", *THEMES)),
    rag=st.sampled_from(("", *RAG_FILTERS)),
    owner=st.sampled_from(("", *OWNERS)),
    overdue=st.booleans(),
    stretch=st.booleans(),
    status=st.sampled_from(("", *STATUS_FILTERS)),
    sort=st.sampled_from(SORT_KEYS),
    descending=st.booleans(),
    page=st.integers(1, 50),
)


def parsed(query: str) -> PlanFilter:
    return PlanFilter.from_query(dict(parse_qsl(query)), themes=THEMES, owners=OWNERS)


@given(filters)
def test_a_filter_survives_its_url(chosen: PlanFilter) -> None:
    assert parsed(chosen.query()) == chosen


@given(
    st.dictionaries(
        st.sampled_from(("theme", "rag", "owner", "overdue", "stretch", "status", "sort", "order", "x")), st.text()
    )
)
def test_any_query_string_gives_a_valid_filter(query: dict[str, str]) -> None:
    chosen = PlanFilter.from_query(query, themes=THEMES, owners=OWNERS)
    assert chosen.theme in ("", *THEMES) and chosen.rag in ("", *RAG_FILTERS) and chosen.sort in SORT_KEYS
    assert chosen.status in ("", *STATUS_FILTERS)
    assert parsed(chosen.query()) == chosen


@given(filters, st.sampled_from(SORT_KEYS))
def test_a_column_header_sorts_by_it_and_a_second_click_reverses(chosen: PlanFilter, key: str) -> None:
    once = parsed(chosen.sorted_by(key))
    assert once.sort == key and once.theme == chosen.theme and once.owner == chosen.owner
    assert parsed(once.sorted_by(key)).descending is not once.descending


def _plan(count: int) -> DigestInput:
    themes = (Theme("one", "Theme one"), Theme("two", "Theme two"))
    actions = tuple(
        ActionState(
            ref=f"A-{n}", theme_id="one" if n <= 7 else "two", requirement=f"Requirement {n}",
            owner_email="a.owner@council.example", owner_name="A Owner",
            rag=Rag.RED if n % 3 == 0 else Rag.GREEN, previous_rag=None, due=date(2026, 1, n),
        )
        for n in range(1, count + 1)
    )  # fmt: skip
    return DigestInput("Council", "2026-04", date(2026, 4, 20), None, themes, actions, ())


def test_the_plan_table_pages_over_the_themes_in_order() -> None:
    data = _plan(12)
    first = plan_page(data, PlanFilter(), date(2026, 4, 20), size=5)
    assert (first.matching, first.first, first.last, first.pages) == (12, 1, 5, 3)
    assert [r.ref for r in first.tables[0].rows] == ["A-1", "A-2", "A-3", "A-4", "A-5"]
    assert first.tables[1].rows == () and first.tables[1].matching == 5 and not first.tables[1].before
    last = plan_page(data, PlanFilter(page=9), date(2026, 4, 20), size=5)  # past the end: the last page
    assert (last.page, last.first, last.last) == (3, 11, 12)
    assert last.tables[0].rows == () and last.tables[0].before
    # Counts are of the whole theme whatever the filter or page; the filter narrows the rows.
    red = plan_page(data, PlanFilter(rag="red", sort="due", descending=True), date(2026, 4, 20), size=5)
    assert [r.ref for t in red.tables for r in t.rows] == ["A-6", "A-3", "A-12", "A-9"]
    assert dict(red.tables[0].counts) == {Rag.RED: 2, Rag.GREEN: 5}
    assert PlanFilter(page=3).query(rag="red") == "rag=red"  # a new filter starts at page one
