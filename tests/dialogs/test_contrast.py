"""Readable by everyone: every colour a card uses, computed against Teams' own host configs.

Coloured text is only for short labels whose colour reaches 4.5:1 (WCAG 2.2 AA for normal text) on
the card's backgrounds in Teams' light and dark themes; anything else says its meaning in words or
symbols (a "⚠" and bold for errors), which also holds in the high-contrast theme where Teams
replaces card colours with the system's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from dialogs import cards
from dialogs.digest import build_digest_card
from dialogs.progress import build_progress_card, build_receipt_card, build_refusal_card
from domain.digest import compose_digest
from tests.cards import walk
from tests.dialogs.progress_data import LAST, VIEW
from tests.digest.test_digest_card import DATA, LINKS, huge_digest

HOSTS = json.loads((Path(__file__).parent / "teams_host_colours.json").read_text())["themes"]
AA = 4.5
LABEL_CHARS = 60  # "short labels" only


def luminance(colour: str) -> float:
    red, green, blue = (int(colour[-6:][i : i + 2], 16) / 255 for i in (0, 2, 4))

    def linear(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return 0.2126 * linear(red) + 0.7152 * linear(green) + 0.0722 * linear(blue)


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def built_cards() -> dict[str, dict[str, Any]]:
    errors = {key: "Please fix this." for key in ("rag", "narrative", "evidence", "blockers", "revised_due", "card")}
    return {
        **{f"template {name}": cards.load_template(name) for name in cards.template_names()},
        "prompt with errors": build_progress_card(VIEW, errors=errors, notice="This card is out of date."),
        "receipt": build_receipt_card(VIEW, LAST, author_name="Ann", submitted_at_text="1 Dec", editable=True),
        "refusal": build_refusal_card("You can't update this action", "Only the owner can."),
        "digest": build_digest_card(compose_digest(DATA), LINKS),
        "large digest": build_digest_card(huge_digest(500, 8, 60, 5), LINKS),
    }


def test_the_host_colours_are_what_the_rule_is_computed_from() -> None:
    # Teams' red and amber text fail on one of its themes: why cards carry them in words instead.
    assert contrast(HOSTS["light"]["text"]["warning"], HOSTS["light"]["backgrounds"]["default"]) < AA
    assert contrast(HOSTS["dark"]["text"]["attention"], HOSTS["dark"]["backgrounds"]["default"]) < AA
    assert contrast(HOSTS["light"]["text"]["default"], HOSTS["light"]["backgrounds"]["default"]) > 15


@pytest.mark.parametrize("name", sorted(built_cards()))
def test_coloured_text_is_a_short_label_readable_in_light_and_dark(name: str) -> None:
    card = built_cards()[name]
    for node in walk(card):
        colour = str(node.get("color", "default")).lower()
        if colour == "default" or node.get("type") != "TextBlock":
            continue
        assert len(str(node.get("text", ""))) <= LABEL_CHARS, f"{name}: long coloured text {node.get('text')!r}"
        for theme, host in HOSTS.items():
            for background in ("default", "emphasis"):
                ratio = contrast(host["text"][colour], host["backgrounds"][background])
                assert ratio >= AA, f"{name}: {colour} text on {theme} {background} is {ratio:.2f}:1"


@pytest.mark.parametrize("name", sorted(built_cards()))
def test_styled_containers_keep_their_text_readable(name: str) -> None:
    for node in walk(built_cards()[name]):
        style = node.get("style")
        if node.get("type") != "Container" or style in (None, "default", "emphasis"):
            continue
        for theme, host in HOSTS.items():
            ratio = contrast(host["text_on_styled"]["default"], host["backgrounds"][style])
            assert ratio >= AA, f"{name}: text in a {style} container on {theme} is {ratio:.2f}:1"


def test_errors_say_so_without_colour() -> None:
    card = build_progress_card(VIEW, errors={"narrative": "Please describe progress."})
    error = next(n for n in walk(card) if n.get("id") == "narrative_error")
    assert error["text"].startswith("⚠ ") and error["weight"] == "bolder" and "color" not in error
