"""Counted nouns, said right: "1 action", "24 actions", "1 person", "10 people"."""

from __future__ import annotations

IRREGULAR = {"person": "people", "entry": "entries", "is": "are", "was": "were", "has": "have"}


def plural(noun: str) -> str:
    """The plural of ``noun``; in a phrase ("progress update") the last word takes it."""
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR:
        word = IRREGULAR[last]
    elif last.endswith(("s", "x", "ch", "sh")):
        word = f"{last}es"
    elif last.endswith("y") and last[-2:-1] not in set("aeiou"):
        word = f"{last[:-1]}ies"
    else:
        word = f"{last}s"
    return f"{head} {word}" if head else word


def counted(n: int, noun: str, many: str | None = None) -> str:
    """``n`` and the noun in the right number, with thousands separated: "1 action", "2,000 actions"."""
    return f"{n:,} {noun if n == 1 else (many or plural(noun))}"
