"""Fixtures for the digest and report tests: the example plan with two months of history."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.digest.history import add_history

NODE_DIR = Path(__file__).resolve().parents[1] / "node"


@pytest.fixture
async def history(sessions: async_sessionmaker[AsyncSession], example_plan: None) -> None:
    async with sessions.begin() as session:
        await add_history(session)


def validate_cards(built: list[dict[str, Any]]) -> list[list[str]]:
    """Each card's errors from Microsoft's adaptivecards parser (tests/node/validate-card.js)."""
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


def card_texts(card: Any) -> str:
    """Everything a reader sees on a card, in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key in ("text", "title", "value"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(found)
