"""Withdrawn actions on the digest card: one line, apart from the counts they no longer belong to."""

from __future__ import annotations

from typing import Any

from domain.digest_model import Digest
from domain.words import counted

REFS_SHOWN = 10


def withdrawn_element(digest: Digest) -> dict[str, Any] | None:
    """A small text block naming the withdrawn actions (kept in the history), or None if there are none."""
    if not digest.withdrawn:
        return None
    refs = [w.ref for w in digest.withdrawn]
    shown = ", ".join(refs[:REFS_SHOWN]) + (f" and {len(refs) - REFS_SHOWN} more" if len(refs) > REFS_SHOWN else "")
    return {
        "type": "TextBlock",
        "id": "withdrawn",
        "text": f"Withdrawn from the plan ({counted(len(refs), 'action')}, kept in the history): {shown}",
        "wrap": True,
        "isSubtle": True,
        "spacing": "Medium",
    }


def place_withdrawn(card: dict[str, Any], digest: Digest) -> None:
    """After every section it is kept apart from, before the closing notice and the buttons."""
    element = withdrawn_element(digest)
    if element is None:
        return
    body: list[dict[str, Any]] = card["body"]
    at = next((i for i, e in enumerate(body) if e.get("id") in {"truncated", "more_actions"}), len(body))
    body.insert(at, element)
