"""The digest card: valid for Teams (Microsoft's parser), within the size budget however large the
plan, and "see more" pages that together show every item exactly once."""

from __future__ import annotations

import json
from datetime import date

import pytest

from dialogs.cards import MAX_CARD_BYTES, card_size_bytes
from dialogs.digest import (
    DigestLinks,
    MoreRequest,
    build_digest_card,
    build_more_card,
    parse_more_request,
    section_elements,
)
from domain.digest import compose_digest
from domain.digest_model import (
    ActionState,
    Digest,
    DigestInput,
    MetricSeries,
    PersonState,
    RoundInfo,
)
from domain.model import DatedValue, Direction, Metric, QualityStatement, Rag, Theme
from tests.cards import element, validate_cards
from tests.cards import texts as card_texts
from tests.digest.test_compose import DATA

LINKS = DigestLinks(
    report_url="https://bot.example.gov.uk/reports/2026-04.html?t=abc",
    chart_urls={"wait": "https://bot.example.gov.uk/reports/2026-04/charts/wait.png?t=abc"},
)
RAGS = (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.COMPLETE)


def huge_digest(actions: int = 5000, themes: int = 40, owners: int = 400, metrics: int = 20) -> Digest:
    """A plan far past any council's, with the longest texts the forms allow and wide characters."""
    long = "Support needed from finance and HR 🙂 " * 30  # non-BMP characters count double in UTF-16
    return compose_digest(
        DigestInput(
            organisation="Council",
            month="2026-04",
            as_of=date(2026, 4, 20),
            round=RoundInfo("2026-04", date(2026, 4, 16)),
            themes=tuple(
                Theme(
                    f"t{n}",
                    f"Theme {n} " + "with a long name " * 5,
                    (QualityStatement(f"q{n}", "Statement", 2),),
                )
                for n in range(themes)
            ),
            actions=tuple(
                ActionState(
                    ref=f"A-{n:05d}",
                    theme_id=f"t{n % themes}",
                    requirement=long * 2,
                    owner_email=f"o{n % owners}@x",
                    owner_name=f"Owner {n % owners} Ŵïth Ñame",
                    rag=RAGS[n % 4],
                    previous_rag=RAGS[(n + 1) % 4],
                    blockers=long,
                    asked=True,
                    answered=n % 3 == 0,
                )
                for n in range(actions)
            ),
            people=tuple(
                PersonState(f"o{n}@x", f"Owner {n}", away_until=date(2026, 5, 1) if n % 5 == 0 else None)
                for n in range(owners)
            ),
            metrics=tuple(
                MetricSeries(
                    Metric(
                        f"m{n}",
                        f"Measure {n}",
                        "people",
                        Direction.DOWN,
                        "o0@x",
                        DatedValue(100, date(2025, 9, 30)),
                        DatedValue(50, date(2026, 3, 31)),
                    ),
                    ((date(2026, 2, 28), 80.0), (date(2026, 3, 31), 70.0)),
                )
                for n in range(metrics)
            ),
        )
    )


def more_pages(digest: Digest, section: str) -> list[dict]:
    pages, offset = [], 0
    while True:
        page = build_more_card(digest, MoreRequest(digest.month, section, offset), LINKS)
        pages.append(page)
        nxt = next((a for a in page["body"][-1].get("actions", ()) if a.get("id") == "next"), None)
        if nxt is None:
            return pages
        offset = nxt["data"]["offset"]


def test_cards_are_valid_for_teams() -> None:
    small, huge = compose_digest(DATA), huge_digest(actions=600, owners=60)
    built = [
        build_digest_card(small, LINKS),
        build_digest_card(small),  # no public URL: no report link, no charts
        build_digest_card(
            compose_digest(DigestInput(**{**DATA.__dict__, "round": None, "actions": (), "metrics": ()}))
        ),
        build_digest_card(huge, LINKS),
        build_more_card(small, MoreRequest("2026-04", "concerns", 0), LINKS),
        build_more_card(small, MoreRequest("2026-04", "completions", 99)),
        *more_pages(huge, "people")[:2],
    ]
    assert validate_cards(built) == [[] for _ in built]
    for card in built:
        assert card["version"] == "1.5" and "{{" not in json.dumps(card)


def test_small_digest_shows_everything_and_links_to_the_report() -> None:
    card = build_digest_card(compose_digest(DATA), LINKS)
    text = card_texts(card)
    assert "**4 of 7** actions updated (57%)" in text
    assert "1 red · 1 amber · 1 green · 2 complete — 2 up, 1 down" in text
    assert "**P3** · Red (was Amber) · Bob" in text and "Support asked: Need a Board decision" in text
    assert "**Overdue:** Bob — P4" in text
    assert "**Away** until 30 Apr 2026: Dan — L1" in text
    assert "**Unreachable** since 2 Apr 2026: Eve (blocked the bot) — L2" in text
    assert "**P2** — Requirement P2 (Ann)" in text
    assert "**Waiting list** — On track" in text and "down 15 on last month (better)" in text
    assert "To keep this message small" not in text
    images = [n for n in json.dumps(card).split('"type": "Image"')[1:]]
    assert len(images) == 1 and LINKS.chart_urls["wait"] in json.dumps(card)
    actions = card["body"][-1]["actions"]
    assert [a["type"] for a in actions] == ["Action.OpenUrl"]  # nothing hidden: no "show more"
    assert actions[0]["url"] == LINKS.report_url


@pytest.mark.parametrize("size", [(200, 4, 30, 5), (5000, 40, 400, 20), (20000, 4, 2000, 5)])
def test_a_plan_of_any_size_fits_the_budget(size: tuple[int, int, int, int]) -> None:
    digest = huge_digest(*size)
    card = build_digest_card(digest, LINKS)
    assert card_size_bytes(card) <= MAX_CARD_BYTES - 1024
    text = card_texts(card)
    assert "To keep this message small" in text and "Open the full report" in text
    more = next(a for a in card["body"][-1]["actions"] if a["type"] == "Action.Execute")
    assert more["verb"] == "digest.more" and more["data"] == {
        "month": "2026-04",
        "section": "concerns",
        "offset": 0,
    }
    assert more["fallback"]["data"]["verb"] == "digest.more"
    assert "**Overdue:**" in text and "**A-" in text  # every kind of list still gets some room


@pytest.mark.parametrize("section", ["concerns", "people", "completions"])
def test_more_pages_show_every_item_once_within_budget(section: str) -> None:
    digest = huge_digest(actions=800, owners=300)
    pages = more_pages(digest, section)
    assert all(card_size_bytes(p) <= MAX_CARD_BYTES - 1024 for p in pages)
    shown = [item for page in pages for item in page["body"][2].get("items", [])]
    assert shown == section_elements(digest, section)
    assert len(pages) > 1


def test_more_request_is_checked() -> None:
    assert parse_more_request({"month": "2026-04", "section": "people", "offset": 3}) == MoreRequest(
        "2026-04", "people", 3
    )
    for bad in (
        {"month": "2026-4", "section": "people"},
        {"month": "2026-04", "section": "secrets"},
        {"month": "2026-04", "section": "people", "offset": -1},
        {"month": "2026-04", "section": "people", "offset": True},
        {},
    ):
        assert parse_more_request(bad) is None


def test_the_first_screen_is_the_summary_and_the_sections_open_on_request() -> None:
    card = build_digest_card(compose_digest(DATA), LINKS)

    def visible(node: object) -> list[dict]:
        if not isinstance(node, dict) or node.get("isVisible") is False:
            return []
        found = [node]
        for key in ("body", "items", "actions"):
            for child in node.get(key) or []:
                found += visible(child)
        return found

    shown = " ".join(str(n.get("text", "")) for n in visible(card))
    assert "**4 of 7** actions updated (57%)" in shown and "Support asked" not in shown
    toggles = [n for n in visible(card) if n.get("type") == "Action.ToggleVisibility"]
    hidden = {target for toggle in toggles for target in toggle["targetElements"]}
    assert {"concerns", "people", "themes"} <= hidden
    for target in hidden:
        assert element(card, target)["isVisible"] is False


def test_a_red_or_amber_action_past_its_due_date_says_overdue_since() -> None:
    from dialogs.digest_items import concern_element
    from domain.digest_model import Concern

    late = Concern("P9", "Theme", "Requirement", "Bob", Rag.RED, Rag.AMBER, "", None, date(2026, 3, 31))
    assert "Overdue since 1 Apr 2026" in card_texts(concern_element(late, date(2026, 4, 20)))
    on_time = Concern("P9", "Theme", "Requirement", "Bob", Rag.RED, Rag.AMBER, "", None, date(2026, 5, 31))
    assert "Overdue" not in card_texts(concern_element(on_time, date(2026, 4, 20)))
