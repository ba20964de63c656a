"""Reading Adaptive Cards in tests: the validator, and finding text and elements in a card."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

NODE_DIR = Path(__file__).resolve().parent / "node"
TEXT_KEYS = ("text", "title", "value", "label", "placeholder")


def validate_cards(built: list[dict[str, Any]]) -> list[list[str]]:
    """Each card's errors according to Microsoft's adaptivecards parser (empty list = valid)."""
    if shutil.which("node") is None or not (NODE_DIR / "node_modules" / "adaptivecards").is_dir():
        pytest.fail("Node tooling missing: run `make node-tools` (npm ci in tests/node)")
    result = subprocess.run(
        ["node", str(NODE_DIR / "validate-card.js")],
        input=json.dumps(built),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return [entry["errors"] for entry in json.loads(result.stdout)]


def walk(node: Any) -> Iterator[dict[str, Any]]:
    """Every object in a card, depth first, in document order."""
    if isinstance(node, dict):
        yield node
        node = list(node.values())
    if isinstance(node, list):
        for item in node:
            yield from walk(item)


def texts(card: Any) -> str:
    """All text a user would read, in order, to assert on content without depending on layout."""
    parts = [node.get(key) for node in walk(card) for key in TEXT_KEYS]
    return "\n".join(p for p in parts if isinstance(p, str) and p)


def element(card: Any, element_id: str) -> dict[str, Any]:
    return next(node for node in walk(card) if node.get("id") == element_id)


def ids(card: Any) -> set[str]:
    return {node["id"] for node in walk(card) if "id" in node}


def input_value(card: Any, input_id: str) -> str | None:
    """The value an input shows, or None when the card has no such input."""
    for node in walk(card):
        if node.get("id") == input_id and str(node.get("type", "")).startswith("Input."):
            return node.get("value")
    return None


def execute_data(card: Any) -> dict[str, Any]:
    """The data of the card's first Action.Execute (what pressing it sends)."""
    return dict(next(node for node in walk(card) if node.get("type") == "Action.Execute")["data"])
