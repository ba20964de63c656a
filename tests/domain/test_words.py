"""Counted nouns read as English: one helper for the CLI and the chat."""

from __future__ import annotations

import pytest

from domain.words import counted, plural


@pytest.mark.parametrize(
    ("n", "noun", "expected"),
    [
        (0, "action", "0 actions"),
        (1, "action", "1 action"),
        (24, "action", "24 actions"),
        (1, "person", "1 person"),
        (10, "person", "10 people"),
        (2, "progress update", "2 progress updates"),
        (3, "quality statement", "3 quality statements"),
        (2, "entry", "2 entries"),
        (2, "day", "2 days"),
        (2, "address", "2 addresses"),
        (2_000, "action", "2,000 actions"),
    ],
)
def test_counted(n: int, noun: str, expected: str) -> None:
    assert counted(n, noun) == expected


def test_an_irregular_plural_can_be_given() -> None:
    assert counted(2, "criterion", "criteria") == "2 criteria"
    assert plural("person") == "people"
