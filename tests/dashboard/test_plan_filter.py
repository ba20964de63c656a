"""The plan table's filter lives in the URL: whatever is chosen survives the round trip through
its query string, and anything else in a query string is ignored rather than refused."""

from __future__ import annotations

from urllib.parse import parse_qsl

from hypothesis import given
from hypothesis import strategies as st

from bot.services.dashboard import RAG_FILTERS, SORT_KEYS, PlanFilter

THEMES = ("working-with-people", "providing-support")
OWNERS = ("a.owner@council.example", "b.owner@council.example")

filters = st.builds(
    PlanFilter,
    theme=st.sampled_from(("", *THEMES)),
    rag=st.sampled_from(("", *RAG_FILTERS)),
    owner=st.sampled_from(("", *OWNERS)),
    overdue=st.booleans(),
    sort=st.sampled_from(SORT_KEYS),
    descending=st.booleans(),
)


def parsed(query: str) -> PlanFilter:
    return PlanFilter.from_query(dict(parse_qsl(query)), themes=THEMES, owners=OWNERS)


@given(filters)
def test_a_filter_survives_its_url(chosen: PlanFilter) -> None:
    assert parsed(chosen.query()) == chosen


@given(st.dictionaries(st.sampled_from(("theme", "rag", "owner", "overdue", "sort", "order", "x")), st.text()))
def test_any_query_string_gives_a_valid_filter(query: dict[str, str]) -> None:
    chosen = PlanFilter.from_query(query, themes=THEMES, owners=OWNERS)
    assert chosen.theme in ("", *THEMES) and chosen.rag in ("", *RAG_FILTERS) and chosen.sort in SORT_KEYS
    assert parsed(chosen.query()) == chosen


@given(filters, st.sampled_from(SORT_KEYS))
def test_a_column_header_sorts_by_it_and_a_second_click_reverses(chosen: PlanFilter, key: str) -> None:
    once = parsed(chosen.sorted_by(key))
    assert once.sort == key and once.theme == chosen.theme and once.owner == chosen.owner
    assert parsed(once.sorted_by(key)).descending is not once.descending
