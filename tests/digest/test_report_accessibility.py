"""WCAG 2.2 AA on every page the bot serves: axe-core in headless Chromium finds nothing, in the light
and dark colour schemes and with forced colours (high contrast)."""

from __future__ import annotations

import asyncio
import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import BotServer

REPO = Path(__file__).resolve().parents[2]
NODE = REPO / "tests" / "node"
CHROMIUM = Path("/usr/bin/chromium")


def require_tools() -> None:
    if shutil.which("node") is None or not CHROMIUM.exists() or not (NODE / "node_modules" / "axe-core").exists():
        pytest.fail("axe-core needs node, tests/node's packages and Chromium: run `make playground-tools`")


async def axe(url: str) -> dict[str, list[dict[str, object]]]:
    require_tools()
    process = await asyncio.create_subprocess_exec(
        "node", str(NODE / "axe-page.js"), "--url", url, "--chromium", str(CHROMIUM),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), timeout=180)
    assert process.returncode == 0, err.decode()
    return dict(json.loads(out))


async def test_the_html_report_has_no_wcag_problems() -> None:
    # The example report, made by the same renderer (tests/digest/test_examples.py keeps it current).
    found = await axe((REPO / "docs" / "examples" / "board-appendix-2026-04.html").as_uri())
    assert found == {"light": [], "dark": [], "high-contrast": []}


async def test_the_policy_pages_have_no_wcag_problems(bot_server: BotServer) -> None:
    for page in ("/privacy", "/terms"):
        found = await axe(f"{bot_server.url}{page}")
        assert found == {"light": [], "dark": [], "high-contrast": []}, page
